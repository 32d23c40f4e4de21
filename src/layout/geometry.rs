//! Page geometry: page size, margins, the text area and its columns.

use crate::brand::Theme;

/// The page and its text area, in points (origin top-left, y downwards).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Geometry {
    pub page_w: f32,
    pub page_h: f32,
    /// Margins: top, right, bottom, left.
    pub margins: [f32; 4],
    pub gutter: f32,
    /// Columns of the column bands.
    pub cols: usize,
    /// Width of the text area and of one column.
    pub text_w: f32,
    pub col_w: f32,
    /// Height of the text area on a page without the masthead.
    pub body_h: f32,
}

impl Geometry {
    pub fn new(theme: &Theme) -> Geometry {
        let (page_w, page_h) = theme.page_size.points();
        let [mt, mr, mb, ml] = theme.margins;
        let text_w = page_w - ml - mr;
        let cols = theme.columns.clamp(1, 4) as usize;
        let col_w = column_width(text_w, cols, theme.gutter);
        Geometry { page_w, page_h, margins: theme.margins, gutter: theme.gutter, cols, text_w, col_w, body_h: page_h - mt - mb }
    }
    pub fn top(&self) -> f32 {
        self.margins[0]
    }
    /// The bottom text margin: nothing but the running footer is drawn below it.
    pub fn bottom(&self) -> f32 {
        self.page_h - self.margins[2]
    }
    pub fn left(&self) -> f32 {
        self.margins[3]
    }
    pub fn right(&self) -> f32 {
        self.page_w - self.margins[1]
    }
    /// Left edge of column `col` of columns `width` wide.
    pub fn col_x(&self, col: usize, width: f32) -> f32 {
        self.left() + col as f32 * (width + self.gutter)
    }
}

/// The width of one of `cols` columns across `text_w` with `gutter` between them.
pub fn column_width(text_w: f32, cols: usize, gutter: f32) -> f32 {
    (text_w - (cols as f32 - 1.0) * gutter) / cols as f32
}
