//! The flow stage: items of the vertical list, their break costs, and the regions they fill.
//!
//! Collect turns an issue into a sequence of [`Chunk`]s per band; [`distribute`] chooses the
//! column and page breaks of one band by cost (a dynamic programme over break points, in the
//! manner of TeX's page builder and Plass's optimal pagination); [`balance`] evens the columns
//! of a band's last page; [`frames`] draws the boxes around framed groups. Every break point
//! is allowed at a price, so a layout always exists; a region is never filled past its height.

pub mod balance;
pub mod distribute;
pub mod frames;

use super::display::{Item, Rect};
use crate::brand::Rgb;

// Break penalties, in the same unit as white: one body line of white at a column foot costs
// `WHITE` (growing with the square of the white). They rank what a typesetter gives up first.

/// A free break (between paragraphs, between lines of a paragraph).
pub const FREE: f32 = 0.0;
/// After a hyphenated line: the reader turns a column in the middle of a word.
pub const HYPHEN_BREAK: f32 = 2_000.0;
/// Inside a framed box (profile, callout) that could have been kept whole.
pub const BOX_SPLIT: f32 = 6_000.0;
/// A widow or orphan: one line of a paragraph alone at a column foot or head. Like every
/// defect it costs about one [`DEFECT`], a little less, so one of them is chosen over white
/// past the limit, and one white gap over two of them.
pub const WIDOW: f32 = 90_000.0;
/// After a heading, a list's introduction or an image's caption start: keep with what follows.
/// A heading stranded at a column foot reads worse than white there, so it costs more.
pub const KEEP_WITH_NEXT: f32 = 150_000.0;
/// Between two lines of one heading. Collect refuses a heading taller than a column, so
/// it always fits a fresh one whole: splitting it is never needed, only ever cheaper.
pub const HEADING_SPLIT: f32 = 1_000_000.0;
/// A box frame left holding a single line of its text.
pub const BOX_THIN: f32 = 150_000.0;
/// Inside the contact footer while it is kept whole (it moves to the next page instead).
pub const FOOTER_SPLIT: f32 = 1_000_000.0;
/// Inside an atomic group of lines that must not part (a pull quote's attribution).
pub const FORBIDDEN: f32 = 10_000_000.0;

/// The cost of one body line of white at a column foot (squared in lines).
pub const WHITE: f32 = 100.0;
/// White beyond this many lines at a column foot is a defect, priced as one.
pub const WHITE_LIMIT_LINES: f32 = 4.0;
/// The price of a defect (white past the limit, unbalanced last columns).
pub const DEFECT: f32 = 100_000.0;
/// A column left empty while the band has content for it.
pub const EMPTY_COLUMN: f32 = 1_000_000.0;
/// Moving an image or box to the top of the next column (text that follows it moves up).
pub const FLOAT_DEFER: f32 = 300.0;
/// Moving an image with a caption (or a box) onto the next page: its words are then read
/// after the text that followed them (out of reading order, a hard rule), so shrinking
/// the image to fit, or white at the page foot up to about 20 lines, is preferred.
pub const FLOAT_DEFER_PAGE: f32 = 150_000.0;
/// Each line of white taken up by stretching the gaps of a full column (feathering).
pub const STRETCH_COST: f32 = 60.0;
/// An image shrunk to end a column.
pub const SHRINK_COST: f32 = 2_500.0;
/// Each line of height the images of a column give up to make room.
pub const SHRINK_LINE_COST: f32 = 300.0;
/// An image may shrink to this share of its height to end a column.
pub const SHRINK_MIN_SHARE: f32 = 0.5;
/// An image may grow by this share of its height (its photo cropped taller, the width
/// kept) to fill a column whose gaps cannot take the white up.
pub const GROW_MAX_SHARE: f32 = 0.3;
/// Each line of white taken up by a taller crop of an image: dearer than stretched gaps.
pub const GROW_COST: f32 = 150.0;
/// Last-page columns whose bottoms differ: cost per line of spread, squared.
pub const SPREAD: f32 = 400.0;
/// Bottoms within this many lines count as balanced.
pub const SPREAD_LIMIT_LINES: f32 = 1.2;

/// What a chunk of the vertical list is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// A line of body text (or any unframed line: intro, list item, caption line).
    #[default]
    Line,
    /// A line of a heading or subheading: text is never moved past it.
    Heading,
    /// An unbreakable block that stays where it is (a kept pull quote, a rule, a box's head).
    Block,
    /// An image (with the start of its caption) that may move to the top of the next column.
    Float,
}

/// An unbreakable piece of the vertical list.
#[derive(Debug, Clone, Default)]
pub struct Chunk {
    pub kind: Kind,
    pub h: f32,
    /// Space above, dropped at the top of a column.
    pub space_before: f32,
    /// Cost of a column break after this chunk (see the penalties above).
    pub break_after: f32,
    /// Items relative to the chunk's top-left corner.
    pub items: Vec<Item>,
    /// Framed group (profile, callout, contact panel) this chunk belongs to.
    pub group: Option<usize>,
    /// Bookmarks: title and y within the chunk.
    pub bookmarks: Vec<(String, f32)>,
    /// Figures: structure node and rectangle within the chunk.
    pub figures: Vec<(usize, Rect)>,
    /// Paragraph line bookkeeping for the typography report: (paragraph id, line index, line count).
    pub line_of: Option<(usize, usize, usize)>,
    /// Logical order (the reading order), kept when floats move chunks.
    pub seq: u64,
    /// How many points the chunk may give up to end a column (an image shrinks, keeping its
    /// shape, rather than leave the column short); 0 for most chunks.
    pub give: f32,
    /// How many points an image may gain by a taller crop of its photo (same width), to
    /// take up white at a column foot; 0 for most chunks.
    pub grow: f32,
}

impl Chunk {
    pub fn is_heading(&self) -> bool {
        self.kind == Kind::Heading
    }
    /// Whether it holds words (a caption, a box's text): moving it changes reading order.
    pub fn has_text(&self) -> bool {
        self.items.iter().any(|it| matches!(it, Item::Text { .. }))
    }
    /// A heading kept with what follows (not one that ends its section or box).
    pub fn keeps_with_next(&self) -> bool {
        self.break_after >= KEEP_WITH_NEXT
    }
}

/// A framed group's look.
#[derive(Debug, Clone)]
pub struct Group {
    pub fill: Option<Rgb>,
    pub stroke: Option<Rgb>,
    pub bar: Option<Rgb>,
    /// A rule across the top of the first piece.
    pub top: Option<Rgb>,
    /// Padding inside the frame (top/bottom; left/right is built into the chunks).
    pub pad: f32,
    /// Text shown at the top of a continued piece.
    pub cue: Option<Vec<Item>>,
    pub cue_h: f32,
    /// A box that may move to the top of the next column on the same page.
    pub floats: bool,
}

/// A chunk placed in a column: index, column number in the band and y offset.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    pub chunk: usize,
    pub col: usize,
    pub y: f32,
}

/// The chunks a column holds, in order (a moved float may stand before lower indices).
pub type Column = Vec<usize>;

/// The group two adjacent chunks share, if any.
pub fn same_group(chunks: &[Chunk], a: usize, b: usize) -> Option<usize> {
    match (chunks.get(a).and_then(|c| c.group), chunks.get(b).and_then(|c| c.group)) {
        (Some(x), Some(y)) if x == y => Some(x),
        _ => None,
    }
}

/// Height a column needs above its first chunk: a continued frame's padding and cue.
pub fn top_extra(chunks: &[Chunk], groups: &[Group], first: usize) -> f32 {
    match first.checked_sub(1).and_then(|p| same_group(chunks, p, first)) {
        Some(g) => groups[g].pad + groups[g].cue_h,
        None => 0.0,
    }
}

/// Height a column needs below its last chunk: the padding of a frame that goes on.
pub fn bottom_extra(chunks: &[Chunk], groups: &[Group], last: usize) -> f32 {
    match same_group(chunks, last, last + 1) {
        Some(g) => groups[g].pad,
        None => 0.0,
    }
}

/// Lay a column's chunks out from its top: each chunk's y, and the column's full height.
pub fn stack(chunks: &[Chunk], groups: &[Group], col: &[usize]) -> (Vec<f32>, f32) {
    let Some(&first) = col.first() else { return (Vec::new(), 0.0) };
    let mut y = top_extra(chunks, groups, first);
    let mut ys = Vec::with_capacity(col.len());
    for (k, &i) in col.iter().enumerate() {
        if k > 0 {
            y += chunks[i].space_before;
        }
        ys.push(y);
        y += chunks[i].h;
    }
    let last = col[col.len() - 1];
    (ys, y + bottom_extra(chunks, groups, last))
}

/// Placements of columns stacked from y = 0.
pub fn place_columns(chunks: &[Chunk], groups: &[Group], cols: &[Column]) -> Vec<Placed> {
    let mut out = Vec::new();
    for (c, col) in cols.iter().enumerate() {
        let (ys, _) = stack(chunks, groups, col);
        out.extend(col.iter().zip(ys).map(|(&chunk, y)| Placed { chunk, col: c, y }));
    }
    out
}

/// Column bottoms of a placement (content, without frame padding).
pub fn bottoms(chunks: &[Chunk], placed: &[Placed], cols: usize) -> Vec<f32> {
    (0..cols).filter_map(|c| placed.iter().filter(|p| p.col == c).map(|p| p.y + chunks[p.chunk].h).reduce(f32::max)).collect()
}

/// Largest minus smallest.
pub fn spread(b: &[f32]) -> f32 {
    if b.len() < 2 {
        return 0.0;
    }
    b.iter().cloned().fold(f32::MIN, f32::max) - b.iter().cloned().fold(f32::MAX, f32::min)
}

/// The cost of `white` points left at a column foot, with lines of `line` points.
pub fn white_cost(white: f32, line: f32) -> f32 {
    let w = (white.max(0.0) / line.max(1.0)).max(0.0);
    WHITE * w * w + if w > WHITE_LIMIT_LINES { DEFECT } else { 0.0 }
}

/// The cost of last-page column bottoms that differ by `spread` points.
pub fn spread_cost(spread: f32, line: f32) -> f32 {
    let s = spread / line.max(1.0);
    SPREAD * s * s + if s > SPREAD_LIMIT_LINES { DEFECT } else { 0.0 }
}
