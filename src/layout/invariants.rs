//! The rules every laid-out page keeps, checked on the display list and the region facts:
//! hard rules (never broken on a valid issue) and soft ones (rare, each explained).

use super::collect::BandKind;
use super::display::{Item, Mark, Rect};
use super::flow::Kind;
use super::Laid;
use std::collections::{BTreeMap, HashMap};

/// Tolerance for float rounding, in points.
const TOL: f32 = 0.5;
/// A text line's ink above and below its baseline, as shares of the type size.
const ASCENT: f32 = 0.75;
const DESCENT: f32 = 0.2;
/// White allowed at a column foot or between two pieces of content, in body lines.
const WHITE_LINES: f32 = 4.0;
/// Last-page columns may differ by this many lines.
const LAST_PAGE_SPREAD_LINES: f32 = 1.2;
/// A page other than the last holds at least this share of a page's text height.
const MIN_PAGE_FILL: f32 = 0.25;
/// At most this share of lines hyphenated, and this many in a row.
const MAX_HYPHENATED: f32 = 0.10;
const MAX_HYPHEN_RUN: usize = 2;

/// A rule of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    BelowMargin,
    OffPage,
    PastRegion,
    Overlap,
    TextOverImage,
    EmptyColumn,
    ShortColumn,
    InnerWhite,
    UnevenBand,
    UnevenLastPage,
    SparsePage,
    FooterAlone,
    Widow,
    Orphan,
    HeadingAtFoot,
    BoxInParagraph,
    ThinFrame,
    PhotoApart,
    Hyphenation,
}

impl Rule {
    pub const ALL: [Rule; 19] = [
        Rule::BelowMargin,
        Rule::OffPage,
        Rule::PastRegion,
        Rule::Overlap,
        Rule::TextOverImage,
        Rule::EmptyColumn,
        Rule::ShortColumn,
        Rule::InnerWhite,
        Rule::UnevenBand,
        Rule::UnevenLastPage,
        Rule::SparsePage,
        Rule::FooterAlone,
        Rule::Widow,
        Rule::Orphan,
        Rule::HeadingAtFoot,
        Rule::BoxInParagraph,
        Rule::ThinFrame,
        Rule::PhotoApart,
        Rule::Hyphenation,
    ];

    /// Hard rules are never broken; soft ones may be, rarely, when the issue leaves no better way.
    pub fn hard(self) -> bool {
        matches!(self, Rule::BelowMargin | Rule::OffPage | Rule::PastRegion | Rule::Overlap | Rule::TextOverImage | Rule::EmptyColumn)
    }

    pub fn name(self) -> &'static str {
        match self {
            Rule::BelowMargin => "drawn below the bottom margin",
            Rule::OffPage => "drawn outside the page",
            Rule::PastRegion => "placed past its region",
            Rule::Overlap => "overlapping text or images",
            Rule::TextOverImage => "text over an image",
            Rule::EmptyColumn => "empty column while the flow goes on",
            Rule::ShortColumn => "column ends more than 4 lines short",
            Rule::InnerWhite => "more than 4 lines of white inside a column",
            Rule::UnevenBand => "columns above a full-width block uneven",
            Rule::UnevenLastPage => "last-page columns uneven",
            Rule::SparsePage => "page less than a quarter full",
            Rule::FooterAlone => "contact footer alone on a page",
            Rule::Widow => "widow",
            Rule::Orphan => "orphan",
            Rule::HeadingAtFoot => "heading last in its column",
            Rule::BoxInParagraph => "box or image between two lines of a paragraph",
            Rule::ThinFrame => "box frame with one line",
            Rule::PhotoApart => "profile photo apart from its name",
            Rule::Hyphenation => "too many hyphenated lines",
        }
    }

    /// What a writer can do about it.
    pub fn advice(self) -> &'static str {
        match self {
            Rule::ShortColumn | Rule::InnerWhite | Rule::SparsePage => "the page has little text to fill it: add a paragraph or photo, or shorten the text so it ends a page earlier",
            Rule::UnevenBand | Rule::UnevenLastPage => "a box, image or quote that cannot break stops the columns evening out: shorten it or move it",
            Rule::FooterAlone => "the contact footer does not fit below the last text: shorten the last sections or the footer",
            Rule::Widow | Rule::Orphan => "a paragraph breaks with one line alone at a column break: a few words more or less in it move the break",
            Rule::HeadingAtFoot => "a heading could not be kept with its text: shorten the text before it",
            Rule::BoxInParagraph => "a box or image had to be set inside a paragraph",
            Rule::ThinFrame => "a box was split leaving one line in a frame: shorten or lengthen the box",
            Rule::PhotoApart => "a profile's photo and name were set in different columns",
            Rule::Hyphenation => "narrow columns with long words: use fewer columns or turn hyphenation off in the brand",
            _ => "this is a defect in Folio: please report it with the issue file",
        }
    }
}

/// One broken rule, where.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub rule: Rule,
    /// 1-based page, 0 for the whole issue.
    pub page: usize,
    pub detail: String,
}

/// The ink box of an item, and whether it is text.
fn ink(it: &Item) -> Option<(Rect, bool, bool)> {
    match it {
        Item::Text { invisible: true, .. } => None,
        Item::Text { size, x, y, glyphs, .. } => {
            // (Right-to-left glyphs run leftwards: the extremes, not the first and last.)
            let inked: Vec<f32> = glyphs.iter().filter(|g| !g.text.trim().is_empty()).map(|g| g.x).collect();
            let x0 = x + inked.iter().copied().reduce(f32::min)?;
            let x1 = x + inked.iter().copied().reduce(f32::max)? + size * 0.45;
            Some((Rect::new(x0, y - size * ASCENT, x1 - x0, size * (ASCENT + DESCENT)), true, false))
        }
        Item::Image { rect, .. } => Some((*rect, false, true)),
        Item::Box { rect, bleed, .. } => (!bleed).then_some((*rect, false, false)),
        Item::Rule { x1, y1, x2, y2, width, .. } => Some((Rect::new(x1.min(*x2), y1.min(*y2) - width / 2.0, (x2 - x1).abs(), (y2 - y1).abs() + width), false, false)),
        Item::Link { .. } => None,
    }
}

fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.x < b.right() - TOL && b.x < a.right() - TOL && a.y < b.bottom() - TOL && b.y < a.bottom() - TOL
}

/// Check every rule on a laid-out issue.
pub fn check(laid: &Laid) -> Vec<Violation> {
    let mut v = Vec::new();
    page_rules(laid, &mut v);
    region_rules(laid, &mut v);
    text_rules(laid, &mut v);
    photo_rules(laid, &mut v);
    v
}

/// Geometry of the drawn items: inside the page and above the margin, nothing overprinted.
fn page_rules(laid: &Laid, v: &mut Vec<Violation>) {
    let g = &laid.geometry;
    for (pi, page) in laid.document.pages.iter().enumerate() {
        let content = laid.furniture.get(pi).copied().unwrap_or(page.items.len()).min(page.items.len());
        let mut texts: Vec<Rect> = Vec::new();
        let mut images: Vec<Rect> = Vec::new();
        for it in &page.items[..content] {
            let Some((r, text, image)) = ink(it) else { continue };
            if r.bottom() > g.bottom() + TOL {
                v.push(Violation { rule: Rule::BelowMargin, page: pi + 1, detail: format!("{} at y {:.1} > {:.1}", kind_of(it), r.bottom(), g.bottom()) });
            }
            if r.x < -TOL || r.right() > g.page_w + TOL || r.y < -TOL {
                v.push(Violation { rule: Rule::OffPage, page: pi + 1, detail: format!("{} at ({:.1}, {:.1})", kind_of(it), r.x, r.y) });
            }
            if text {
                texts.push(r);
            } else if image {
                images.push(r);
            }
        }
        texts.sort_by(|a, b| a.y.total_cmp(&b.y));
        for i in 0..texts.len() {
            for j in i + 1..texts.len() {
                if texts[j].y >= texts[i].bottom() {
                    break;
                }
                let same_line = (texts[i].bottom() - texts[j].bottom()).abs() < 0.05;
                if !same_line && overlaps(&texts[i], &texts[j]) {
                    v.push(Violation { rule: Rule::Overlap, page: pi + 1, detail: format!("text at ({:.1}, {:.1}) and ({:.1}, {:.1})", texts[i].x, texts[i].y, texts[j].x, texts[j].y) });
                }
            }
        }
        for (i, a) in images.iter().enumerate() {
            for b in &images[i + 1..] {
                if overlaps(a, b) {
                    v.push(Violation { rule: Rule::Overlap, page: pi + 1, detail: format!("images at ({:.1}, {:.1}) and ({:.1}, {:.1})", a.x, a.y, b.x, b.y) });
                }
            }
            if let Some(t) = texts.iter().find(|t| overlaps(a, t)) {
                v.push(Violation { rule: Rule::TextOverImage, page: pi + 1, detail: format!("text at ({:.1}, {:.1}) over the image at ({:.1}, {:.1})", t.x, t.y, a.x, a.y) });
            }
        }
    }
}

fn kind_of(it: &Item) -> &'static str {
    match it {
        Item::Text { .. } => "text",
        Item::Image { .. } => "an image",
        Item::Box { .. } => "a box",
        Item::Rule { .. } => "a rule",
        Item::Link { .. } => "a link",
    }
}

/// Rules of the regions: filled within their height, no empty columns, little white.
fn region_rules(laid: &Laid, v: &mut Vec<Violation>) {
    let line = laid.line_height.max(1.0);
    let g = &laid.geometry;
    let regions = &laid.regions;
    let n_pages = laid.document.pages.len();
    // Per band part: the regions of one band on one page.
    let mut parts: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (i, r) in regions.iter().enumerate() {
        parts.entry((r.page, r.band)).or_default().push(i);
        if r.bottom > r.y + r.h + TOL {
            v.push(Violation { rule: Rule::PastRegion, page: r.page + 1, detail: format!("column {} ends at {:.1}, its region at {:.1}", r.col + 1, r.bottom, r.y + r.h) });
        }
        for w in r.items.windows(2) {
            if w[1].top - w[0].bottom > WHITE_LINES * line + TOL {
                v.push(Violation { rule: Rule::InnerWhite, page: r.page + 1, detail: format!("{:.1} lines of white in column {}", (w[1].top - w[0].bottom) / line, r.col + 1) });
            }
        }
        // White at the foot: below the region's content, where nothing else follows on the page.
        let below = regions.iter().any(|o| o.page == r.page && o.y >= r.bottom - TOL && o.band != r.band);
        let white = g.bottom() - r.bottom;
        if r.flow_after && !below && white > WHITE_LINES * line + TOL {
            let next = regions.iter().find(|o| o.page > r.page || (o.page == r.page && o.band == r.band && o.col > r.col));
            let what = match next.and_then(|o| o.items.first().map(|i| (o.band_kind, o.band == r.band, i.kind, i.group.is_some()))) {
                Some((k, same, kind, boxed)) => format!("; next: {:?} band{}, {:?}{}", k, if same { " (same)" } else { "" }, kind, if boxed { " in a box" } else { "" }),
                None => String::new(),
            };
            v.push(Violation { rule: Rule::ShortColumn, page: r.page + 1, detail: format!("column {} ends {:.1} lines above the bottom margin{}{what}", r.col + 1, white / line, if r.last_part { ", band ends" } else { "" }) });
        }
        for w in r.items.windows(3) {
            if let (Some(a), Some(c)) = (w[0].line_of, w[2].line_of) {
                if a.0 == c.0 && w[1].line_of.is_none() && (matches!(w[1].kind, Kind::Float | Kind::Block) || w[1].group.is_some()) {
                    v.push(Violation { rule: Rule::BoxInParagraph, page: r.page + 1, detail: format!("in column {}", r.col + 1) });
                }
            }
        }
    }
    let mut group_len: HashMap<usize, usize> = HashMap::new();
    for it in regions.iter().flat_map(|r| r.items.iter()) {
        if let Some(gid) = it.group {
            *group_len.entry(gid).or_default() += 1;
        }
    }
    for r in regions {
        let mut k = 0;
        while k < r.items.len() {
            let Some(gid) = r.items[k].group else {
                k += 1;
                continue;
            };
            let run = r.items[k..].iter().take_while(|i| i.group == Some(gid)).count();
            if run < 2 && group_len.get(&gid).copied().unwrap_or(0) >= 2 {
                v.push(Violation { rule: Rule::ThinFrame, page: r.page + 1, detail: format!("a piece of one chunk in column {}", r.col + 1) });
            }
            k += run;
        }
    }
    let last_flow = regions.iter().filter(|r| r.band_kind != BandKind::Footer).map(|r| r.band).max();
    for ((page, band), idx) in &parts {
        let rs: Vec<&super::stats::RegionFact> = idx.iter().map(|&i| &regions[i]).collect();
        let cols = rs[0].cols;
        // Pieces that could go to columns of their own: a heading is one with what it keeps
        // with (its lines, a subheading, the first line or image after it), a framed box is
        // one (kept whole when it fits), every other chunk is one.
        // (Counted over the part's columns in order: a box continued in the next column is
        // still one piece.)
        let flat: Vec<&super::stats::PlacedFact> = rs.iter().flat_map(|r| r.items.iter()).collect();
        let pieces = flat.iter().enumerate().filter(|(k, i)| *k == 0 || !((i.kind == Kind::Heading && flat[k - 1].kind == Kind::Heading) || flat[k - 1].keep || (i.group.is_some() && i.group == flat[k - 1].group))).count();
        let flow_after = rs.iter().any(|r| r.flow_after);
        if rs.len() < cols && flow_after && pieces >= cols {
            v.push(Violation { rule: Rule::EmptyColumn, page: page + 1, detail: format!("{} of {cols} columns used", rs.len()) });
        }
        let bottoms: Vec<f32> = rs.iter().filter_map(|r| r.items.iter().map(|i| i.bottom).reduce(f32::max)).collect();
        let spread = super::flow::spread(&bottoms);
        if rs.len() > 1 && rs[0].last_part {
            if Some(*band) == last_flow {
                if spread > LAST_PAGE_SPREAD_LINES * line + TOL {
                    v.push(Violation { rule: Rule::UnevenLastPage, page: page + 1, detail: format!("bottoms {:.1} lines apart", spread / line) });
                }
            } else if spread > WHITE_LINES * line + TOL {
                v.push(Violation { rule: Rule::UnevenBand, page: page + 1, detail: format!("bottoms {:.1} lines apart", spread / line) });
            }
        }
        if rs[0].band_kind == BandKind::Footer && rs[0].col == 0 && !regions.iter().any(|o| o.page == *page && o.band_kind != BandKind::Footer) && !regions.iter().any(|o| o.band == *band && o.page < *page) {
            v.push(Violation { rule: Rule::FooterAlone, page: page + 1, detail: String::new() });
        }
    }
    for p in 0..n_pages.saturating_sub(1) {
        let bottom = regions.iter().filter(|r| r.page == p).map(|r| r.bottom).fold(g.top(), f32::max);
        if bottom - g.top() < g.body_h * MIN_PAGE_FILL {
            v.push(Violation { rule: Rule::SparsePage, page: p + 1, detail: format!("{:.0}% full", 100.0 * (bottom - g.top()) / g.body_h) });
        }
    }
}

/// Typography: widows, orphans, headings at a foot, hyphenation.
fn text_rules(laid: &Laid, v: &mut Vec<Violation>) {
    let mut by_para: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (pid, cnt, _) in &laid.splits {
        by_para.entry(*pid).or_default().push(*cnt);
    }
    for parts in by_para.values().filter(|p| p.len() > 1) {
        if parts.first() == Some(&1) {
            v.push(Violation { rule: Rule::Orphan, page: 0, detail: String::new() });
        }
        if parts.last() == Some(&1) {
            v.push(Violation { rule: Rule::Widow, page: 0, detail: String::new() });
        }
    }
    for r in super::stats::stranded_headings(&laid.regions) {
        v.push(Violation { rule: Rule::HeadingAtFoot, page: r.page + 1, detail: format!("column {}", r.col + 1) });
    }
    // Words too wide for the column must break somewhere: those breaks are not counted.
    let n = laid.lines.len();
    let hyph = laid.lines.iter().filter(|l| l.hyphenated && !l.forced).count();
    let mut run = 0;
    let mut longest = 0;
    for l in &laid.lines {
        run = if l.hyphenated && !l.forced { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if n >= 20 && (hyph as f32 > MAX_HYPHENATED * n as f32 || longest > MAX_HYPHEN_RUN) {
        v.push(Violation { rule: Rule::Hyphenation, page: 0, detail: format!("{hyph} of {n} lines, {longest} in a row") });
    }
}

/// A profile's photo and its name: on one page, in one column, the name just below or beside.
fn photo_rules(laid: &Laid, v: &mut Vec<Violation>) {
    let pages = &laid.document.pages;
    for &(image, name) in &laid.profiles {
        let photo = pages.iter().enumerate().find_map(|(pi, p)| p.items.iter().find_map(|it| match it {
            Item::Image { image: i, rect, .. } if *i == image => Some((pi, *rect)),
            _ => None,
        }));
        let label = pages.iter().enumerate().find_map(|(pi, p)| p.items.iter().find_map(|it| match it {
            Item::Text { mark: Mark::Node(n), x, y, width, .. } if *n == name => Some((pi, *x, *x + *width, *y)),
            _ => None,
        }));
        let (Some((pp, r)), Some((np, x, x1, y))) = (photo, label) else { continue };
        // Below the photo in its column, or beside it (level with it, to its right; to its
        // left in a mirrored right-to-left page).
        let near = pp == np && y > r.y && y - r.bottom() < 3.0 * laid.line_height && x1 > r.x - laid.geometry.gutter && x < r.right() + laid.geometry.gutter;
        if !near {
            v.push(Violation { rule: Rule::PhotoApart, page: pp + 1, detail: format!("photo on page {}, name on page {}", pp + 1, np + 1) });
        }
    }
}
