//! Paragraph styles from the brand, and the layout's spacing rules as named constants.

use super::geometry::Geometry;
use crate::brand::{Rgb, Theme};
use crate::text::para::ParaStyle;

/// Justify only where a column holds about this many characters (narrower justified
/// columns open rivers of white).
pub const JUSTIFY_MIN_CHARS: f32 = 40.0;
/// An average character is about half the type size wide.
pub const CHAR_WIDTH_EM: f32 = 0.5;
/// Images are at most this share of a column's height, so text still reads around them.
pub const IMAGE_MAX_COL_SHARE: f32 = 0.55;
/// Image frames keep the photo's shape between 2.4:1 (panorama) and 4:5 (portrait).
pub const IMAGE_MIN_RATIO: f32 = 1.0 / 2.4;
pub const IMAGE_MAX_RATIO: f32 = 1.25;
/// A pull quote up to this share of a column (about ten lines) is kept whole; a longer one
/// breaks by lines like a paragraph, its widow and orphan rules kept: kept whole, a third of
/// a column that does not fit at a column foot would leave that much white there.
pub const QUOTE_KEEP_COL_SHARE: f32 = 0.25;
/// No unbreakable block is taller than this share of a fresh page's column, so every block
/// fits some region (a block past it is broken into lines or scaled).
pub const ATOM_MAX_COL_SHARE: f32 = 0.9;
/// A heading or subheading may take at most this share of a column; a longer one is an error.
pub const HEADING_MAX_COL_SHARE: f32 = 1.0;
/// The masthead may take at most this share of the first page; a longer title is an error.
pub const MASTHEAD_MAX_PAGE_SHARE: f32 = 0.7;
/// Space between paragraphs, in body lines.
pub const PARA_GAP_LINES: f32 = 0.55;
/// Space above a section heading, in body lines.
pub const HEADING_SPACE_LINES: f32 = 1.4;
/// Space above a framed box, in body lines.
pub const BOX_SPACE_LINES: f32 = 1.2;
/// Space between bands (a column band and a full-width block), in body lines.
pub const BAND_GAP_LINES: f32 = 1.0;
/// Space above the contact footer, in body lines.
pub const FOOTER_GAP_LINES: f32 = 1.5;
/// Padding inside a callout or profile frame, in points.
pub const BOX_PAD: f32 = 9.0;
/// Padding inside the contact footer, in points.
pub const FOOTER_PAD: f32 = 10.0;
/// Height of the accent mark above a section heading, and the gap under it, in points.
pub const HEADING_MARK: f32 = 5.0;

/// The cost of a hyphenated line break: justified text hyphenates more readily (its spaces
/// cannot take up the slack); ragged text gives a short line instead.
pub const HYPHEN_PENALTY_JUSTIFIED: f32 = 100.0;
pub const HYPHEN_PENALTY_RAGGED: f32 = 600.0;

/// The paragraph styles of one issue.
#[derive(Debug, Clone)]
pub struct Styles {
    pub body: ParaStyle,
    pub intro: ParaStyle,
    pub h2: ParaStyle,
    pub h3: ParaStyle,
    pub caption: ParaStyle,
    pub quote: ParaStyle,
    pub small: ParaStyle,
    pub name: ParaStyle,
    pub role: ParaStyle,
    pub title: ParaStyle,
    pub kicker: ParaStyle,
    pub edition: ParaStyle,
    pub footer_run: ParaStyle,
}

impl Styles {
    /// Styles for `theme`; `hyphen_scale` multiplies the cost of hyphenated breaks;
    /// `looseness` sets body paragraphs (all, or half of them: see
    /// [`ParaStyle::looseness_half`]) that many lines longer or shorter where they can be.
    pub fn new(theme: &Theme, geo: &Geometry, body_family: usize, heading_family: usize, hyphen_scale: f32, looseness: (i32, u8)) -> Styles {
        let lead = theme.body_pt * theme.leading;
        let chars_per_col = geo.col_w / (theme.body_pt * CHAR_WIDTH_EM);
        let justify = theme.justify && chars_per_col >= JUSTIFY_MIN_CHARS;
        let hy = theme.hyphenate;
        let ps = |family: usize, size: f32, leading: f32, colour: Rgb, bold: bool, italic: bool, hyphenate: bool, justify: bool| ParaStyle {
            family,
            size,
            leading,
            colour,
            link_colour: theme.link,
            justify,
            hyphenate,
            bold,
            italic,
            hyphen_penalty: hyphen_scale * if justify { HYPHEN_PENALTY_JUSTIFIED } else { HYPHEN_PENALTY_RAGGED },
            looseness: 0,
            looseness_half: 0,
        };
        let (b, h) = (body_family, heading_family);
        let small_plus = theme.small_pt + 0.5;
        Styles {
            body: ParaStyle { looseness: looseness.0, looseness_half: looseness.1, ..ps(b, theme.body_pt, lead, theme.text, false, false, hy, justify) },
            intro: ps(b, theme.intro_pt, theme.intro_pt * 1.4, theme.text, false, false, hy, false),
            h2: ps(h, theme.heading_pt, theme.heading_pt * 1.2, theme.primary, true, false, false, false),
            h3: ps(h, theme.body_pt * 1.1, theme.body_pt * 1.1 * 1.3, theme.primary, true, false, false, false),
            caption: ps(b, small_plus, small_plus * 1.35, theme.muted, false, true, hy, false),
            quote: ps(h, theme.body_pt * 1.3, theme.body_pt * 1.3 * 1.3, theme.primary, false, true, false, false),
            small: ps(b, theme.small_pt, theme.small_pt * 1.4, theme.muted, false, false, hy, false),
            name: ps(h, theme.body_pt * 1.15, theme.body_pt * 1.15 * 1.3, theme.text, true, false, false, false),
            role: ps(b, small_plus, small_plus * 1.35, theme.muted, false, true, false, false),
            title: ps(h, theme.title_pt, theme.title_pt * 1.12, theme.on_primary, true, false, false, false),
            kicker: ps(h, theme.small_pt + 1.5, (theme.small_pt + 1.5) * 1.4, theme.on_primary, true, false, false, false),
            edition: ps(h, theme.body_pt + 1.0, (theme.body_pt + 1.0) * 1.4, theme.on_primary, false, false, false, false),
            footer_run: ps(b, theme.small_pt, theme.small_pt * 1.3, theme.muted, false, false, false, false),
        }
    }
}
