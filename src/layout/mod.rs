//! Lay out an issue: collect flow items, distribute them into regions, compose pages,
//! producing the display list (no PDF here).
//!
//! Stages, one file each: [`geometry`] (page, margins, columns) → [`styles`] (paragraph
//! styles and spacing from the brand) → [`collect`] (the issue as bands of [`flow::Chunk`]s:
//! masthead, body items, boxes, contact footer) → [`flow`] (regions: distribute, balance,
//! frames) → [`paginate`] (bands onto pages) → [`finish`] (reading order, running footer,
//! metadata) → [`stats`] (facts for the report and the invariant checks).

pub mod collect;
pub mod display;
pub mod finish;
pub mod flow;
pub mod geometry;
pub mod invariants;
pub mod justify;
pub mod lines;
pub mod mirror;
pub mod paginate;
pub mod stats;
pub mod styles;

use crate::brand::Theme;
use crate::images::Probe;
use crate::model::Doc;
use crate::text::fonts::FontBook;
use display::{Document, Item};
use std::collections::HashMap;
use std::path::PathBuf;

/// An image the layout placed, to be prepared at its frame size.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageRequest {
    pub path: PathBuf,
    pub frame_w: f32,
    pub frame_h: f32,
    pub focus: [f32; 2],
    pub keep_alpha: bool,
    /// Where it comes from, for messages (JSON path or brand field).
    pub source: String,
}

/// Per-line facts for the typography report.
#[derive(Debug, Clone, PartialEq)]
pub struct LineFact {
    pub measure: f32,
    pub width: f32,
    pub chars: usize,
    pub hyphenated: bool,
    /// Broken inside a word too wide for the column (not a hyphenation choice).
    pub forced: bool,
    pub space_factor: f32,
    pub justified: bool,
}

/// Input the layout cannot set: a field too long for any page. Nothing is written.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutError {
    pub path: String,
    pub message: String,
}

/// What layout returns.
#[derive(Debug, Clone, Default)]
pub struct Laid {
    pub document: Document,
    pub images: Vec<ImageRequest>,
    pub lines: Vec<LineFact>,
    /// Paragraph pieces per column: (paragraph id, lines in this column, total lines).
    pub splits: Vec<(usize, usize, usize)>,
    /// Bottoms of the last page's columns (points from the top).
    pub last_bottoms: Vec<f32>,
    /// One body line's height (for balancing checks).
    pub line_height: f32,
    /// Headings left at the foot of a column.
    pub headings_at_foot: usize,
    /// Characters the fonts do not have.
    pub missing_chars: Vec<char>,
    /// The page geometry the layout used.
    pub geometry: geometry::Geometry,
    /// Every region filled (a column of a band on a page), with what it holds.
    pub regions: Vec<stats::RegionFact>,
    /// Per page: items from this index on are page furniture (running footer).
    pub furniture: Vec<usize>,
    /// Fields that cannot be set on any page.
    pub errors: Vec<LayoutError>,
    /// Profiles with a photo: (image index, structure node of the name), for the page rules.
    pub profiles: Vec<(usize, usize)>,
}

/// A copy of `it` moved by (dx, dy).
pub(crate) fn offset_item(it: &Item, dx: f32, dy: f32) -> Item {
    let mut it = it.clone();
    shift_item(&mut it, dx, dy);
    it
}

/// Move `it` by (dx, dy) in place.
pub(crate) fn shift_item(it: &mut Item, dx: f32, dy: f32) {
    match it {
        Item::Text { x, y, .. } => {
            *x += dx;
            *y += dy;
        }
        Item::Image { rect, .. } | Item::Box { rect, .. } | Item::Link { rect, .. } => {
            rect.x += dx;
            rect.y += dy;
        }
        Item::Rule { x1, y1, x2, y2, .. } => {
            *x1 += dx;
            *x2 += dx;
            *y1 += dy;
            *y2 += dy;
        }
    }
}

/// Images are tried at these scales when a page rule cannot be kept at full size (a photo
/// that leaves a short column or pushes the contact footer onto a page alone); a larger
/// scale crops the photos taller, which carries text over onto a page that had too little.
const IMAGE_SCALES: [f32; 4] = [1.0, 0.8, 1.2, 0.65];
/// When too many lines end in a hyphen, hyphenated breaks are made this much dearer.
const HYPHEN_SCALE_STRICT: f32 = 4.0;
/// Copyfitting: when a page rule is still broken, the body paragraphs (all, or the half
/// whose text hashes odd or even) are set a line shorter or longer where they can be
/// (TeX's `\\looseness`), which moves the column and page breaks; tried in turn, tighter
/// first (tight text reads better than loose).
const LOOSENESS_TRIES: [(i32, u8); 6] = [(-1, 0), (1, 0), (-1, 1), (-1, 2), (1, 1), (1, 2)];

/// Lay out `doc` with `theme`; `probes` holds the size of every image file it uses.
///
/// The layout is tried again, with images a little smaller, hyphens dearer or paragraphs
/// a line shorter or longer, while that keeps more of the page rules ([`invariants`]); the
/// best try is returned (the first of equals).
pub fn layout(doc: &Doc, theme: &Theme, book: &FontBook, body_family: usize, heading_family: usize, probes: &HashMap<PathBuf, Probe>) -> Laid {
    let has_images = doc.sections.iter().any(|s| s.items.iter().any(|i| matches!(i, crate::model::Item::Image(_))));
    // A try: how many page rules it breaks, whether one is too many hyphens, the layout.
    // (The text kit goes from each try to the next: words shaped or hyphenated once.)
    let mut kit = Some(collect::Kit::new(doc, theme, book));
    let mut at = |scale: f32, hyphen_scale: f32, looseness: (i32, u8)| {
        let Some(k) = kit.take() else { return (usize::MAX, false, Laid::default()) };
        let (laid, k) = layout_at(doc, theme, k, body_family, heading_family, probes, scale, hyphen_scale, looseness);
        kit = Some(k);
        let v = invariants::check(&laid);
        let hyphens = v.iter().any(|x| x.rule == invariants::Rule::Hyphenation);
        (v.len(), hyphens, laid)
    };
    // The best try: its violations, the layout, and the scales it was made at.
    let mut best: Option<(usize, Laid, f32, f32)> = None;
    let mut hyphen_scale = 1.0;
    for scale in IMAGE_SCALES {
        let (mut v, hyphens, mut laid) = at(scale, hyphen_scale, (0, 0));
        if hyphen_scale == 1.0 && hyphens {
            hyphen_scale = HYPHEN_SCALE_STRICT;
            let (vs, _, strict) = at(scale, hyphen_scale, (0, 0));
            if vs < v {
                (laid, v) = (strict, vs);
            } else {
                hyphen_scale = 1.0;
            }
        }
        if best.as_ref().is_none_or(|(b, ..)| v < *b) {
            best = Some((v, laid, scale, hyphen_scale));
        }
        if !has_images || best.as_ref().is_some_and(|(b, ..)| *b == 0) {
            break;
        }
    }
    for looseness in LOOSENESS_TRIES {
        let Some((b, _, scale, hs)) = best.as_ref() else { break };
        if *b == 0 {
            break;
        }
        let (v, _, laid) = at(*scale, *hs, looseness);
        if v < *b {
            best = Some((v, laid, *scale, *hs));
        }
    }
    best.map(|(_, l, ..)| l).unwrap_or_default()
}

/// One layout with images at `image_scale` of their natural size.
#[allow(clippy::too_many_arguments)]
fn layout_at<'a>(doc: &Doc, theme: &'a Theme, kit: collect::Kit<'a>, body_family: usize, heading_family: usize, probes: &'a HashMap<PathBuf, Probe>, image_scale: f32, hyphen_scale: f32, looseness: (i32, u8)) -> (Laid, collect::Kit<'a>) {
    let book = kit.shaper.book;
    let geo = geometry::Geometry::new(theme);
    let st = styles::Styles::new(theme, &geo, body_family, heading_family, hyphen_scale, looseness);
    let mut b = collect::Builder::new(doc, theme, kit, probes, st, &geo);
    b.image_scale = image_scale;
    b.check_chars(doc, book, body_family, heading_family);
    let mut first = display::Page { width: geo.page_w, height: geo.page_h, items: Vec::new() };
    let mast_h = b.masthead(doc, &mut first);
    let mut bands = b.bands(doc);
    collect::number(&mut bands);
    let line = b.st.body.leading;
    let groups = std::mem::take(&mut b.groups);
    let paged = paginate::paginate(bands, &groups, &geo, first, mast_h, line, &mut b.tree);
    for &(i, w, h) in &paged.frames {
        if let Some(req) = b.images.get_mut(i) {
            (req.frame_w, req.frame_h) = (w, h);
        }
    }
    let mut laid = Laid { line_height: line, geometry: geo, ..Default::default() };
    laid.document = finish::finish(paged, &mut b, doc, theme, &mut laid);
    collect::contents::fill(&mut b, &mut laid.document, &mut laid.furniture);
    laid.images = std::mem::take(&mut b.images);
    laid.lines = std::mem::take(&mut b.lines);
    laid.missing_chars = std::mem::take(&mut b.missing);
    laid.errors = std::mem::take(&mut b.errors);
    laid.profiles = std::mem::take(&mut b.profiles);
    if crate::text::fonts::is_rtl_language(&doc.language) {
        mirror::mirror(&mut laid.document, &mut laid.regions);
    }
    (laid, collect::Kit { shaper: b.shaper, hyph: b.hyph, patterns: b.patterns })
}
