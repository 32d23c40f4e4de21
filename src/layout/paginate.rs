//! Compose pages: each band in turn, distributed into regions from where the last one ended;
//! the contact footer at the end. Items are moved onto their pages here.

use super::collect::{Band, BandKind};
use super::display::{Bookmark, Page, Rect, Tree};
use super::flow::balance::{balance, feather, EPS};
use super::flow::distribute::{distribute, Distributed, Params};
use super::flow::frames::group_frames;
use super::flow::{place_columns, same_group, stack, white_cost, Column, Group, Placed, DEFECT, FOOTER_SPLIT, WHITE_LIMIT_LINES, WIDOW};
use super::geometry::Geometry;
use super::justify::{justify_page, Segment};
use super::stats::{PlacedFact, RegionFact};
use super::styles::{BAND_GAP_LINES, FOOTER_GAP_LINES};
use super::offset_item;

/// A full-width image that does not fit lets the next band fill the page first when at
/// least this many lines are left (fewer are not worth the reordering).
const PULL_MIN_LINES: f32 = 4.0;
/// The contact footer is kept whole on the last page (the text before it makes room) up to
/// this share of a page; a taller one flows like any band.
const FOOTER_KEEP_PAGE_SHARE: f32 = 0.6;
/// How many cut points the pull-forward search tries.
const PULL_TRIES: usize = 200;

/// Pages with their items, and what was placed where.
pub struct Paged {
    pub pages: Vec<Page>,
    /// Per page, per item: the reading-order key (items of the masthead: 0).
    pub keys: Vec<Vec<u64>>,
    pub outline: Vec<(u64, Bookmark)>,
    pub regions: Vec<RegionFact>,
    /// Images drawn at another size than collect asked for: (image, width, height), so the
    /// photo is cropped to the frame it is drawn in.
    pub frames: Vec<(usize, f32, f32)>,
}

struct Composer<'a> {
    geo: &'a Geometry,
    groups: &'a [Group],
    line: f32,
    out: Paged,
    /// The y where the next band may start on the last page.
    y: f32,
    /// Nothing of the flow on the last page yet (no gap needed above the next band).
    at_top: bool,
    /// The last band filled its page: the next starts on a new one.
    page_break: bool,
    /// The band parts on the last page, for its vertical justification.
    segs: Vec<Segment>,
    /// Height the band being placed leaves free below its last part (the kept footer).
    reserve: f32,
}

/// Lay `bands` out on pages, starting below the masthead on `first`.
pub fn paginate(bands: Vec<Band>, groups: &[Group], geo: &Geometry, first: Page, mast_h: f32, line: f32, tree: &mut Tree) -> Paged {
    let keys = vec![vec![0; first.items.len()]];
    let out = Paged { pages: vec![first], keys, outline: Vec::new(), regions: Vec::new(), frames: Vec::new() };
    let mut c = Composer { geo, groups, line, out, y: mast_h, at_top: true, page_break: false, segs: Vec::new(), reserve: 0.0 };
    let mut bands = bands;
    let footer_h = bands.iter().find(|b| b.kind == BandKind::Footer).map(|b| stack(&b.chunks, groups, &(0..b.chunks.len()).collect::<Vec<_>>()).1).unwrap_or(0.0);
    let keep_footer = footer_h > 0.0 && footer_h <= geo.body_h * FOOTER_KEEP_PAGE_SHARE;
    if keep_footer {
        // Kept whole: it starts a page rather than leave a piece of itself behind.
        for b in bands.iter_mut().filter(|b| b.kind == BandKind::Footer) {
            let n = b.chunks.len();
            for c in &mut b.chunks[..n.saturating_sub(1)] {
                c.break_after = c.break_after.max(FOOTER_SPLIT);
            }
        }
    }
    let mut bi = 0;
    while bi < bands.len() {
        if c.page_break {
            c.new_page(tree);
        }
        let gap = if c.at_top { 0.0 } else if bands[bi].kind == BandKind::Footer { line * FOOTER_GAP_LINES } else { line * BAND_GAP_LINES };
        let mut first_h = geo.bottom() - c.y - gap;
        if first_h < line {
            c.new_page(tree);
            first_h = geo.body_h;
        }
        let top = geo.bottom() - first_h;
        let next_is_footer = bands.get(bi + 1).is_some_and(|b| b.kind == BandKind::Footer);
        let reserve = if keep_footer && next_is_footer { footer_h + line * FOOTER_GAP_LINES } else { 0.0 };
        if let BandKind::Image = bands[bi].kind {
            if let_next_go_first(&mut bands, bi, groups, first_h, line) {
                continue;
            }
        }
        let band = &bands[bi];
        // What the next band needs to start: priced in this band's search, used to place it.
        let next_start = bands.get(bi + 1).map(|next| min_start(next, groups, keep_footer));
        let next_min = match (bands.get(bi + 1), next_start) {
            (Some(next), Some(m)) if next.kind != BandKind::Footer => m + line * BAND_GAP_LINES,
            _ => 0.0,
        };
        let params = Params { cols: band.cols, first_h, page_h: geo.body_h, reserve, next_min, line };
        debug_band(bi, band, &params);
        let d = distribute(&band.chunks, groups, params);
        c.reserve = reserve;
        c.place_band(tree, &bands, bi, &d, top, next_start);
        bi += 1;
    }
    c.out
}

/// With `FOLIO_DEBUG_FLOW` set (read once), each band's room and chunks on standard error.
fn debug_band(bi: usize, band: &Band, params: &Params) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if !*ON.get_or_init(|| std::env::var_os("FOLIO_DEBUG_FLOW").is_some()) {
        return;
    }
    eprintln!("band {bi} {:?} {params:?}", band.kind);
    for (i, ch) in band.chunks.iter().enumerate() {
        eprintln!("  {i:4} {:?} h {:.1} sb {:.1} brk {} grp {:?} give {:.1} grow {:.1} text {}", ch.kind, ch.h, ch.space_before, ch.break_after, ch.group, ch.give, ch.grow, ch.has_text());
    }
}

/// A full-width image (band `bi`) that does not fit the `h` points left on the page lets
/// the next band go first: whole when it fits, else a balanced start of it that fills the
/// page. Returns whether the bands were reordered.
fn let_next_go_first(bands: &mut Vec<Band>, bi: usize, groups: &[Group], h: f32, line: f32) -> bool {
    let image = &bands[bi];
    let image_h = stack(&image.chunks, groups, &(0..image.chunks.len()).collect::<Vec<_>>()).1;
    if image_h <= h + EPS || h < PULL_MIN_LINES * line {
        return false;
    }
    // A captioned image that fits at a smaller size shrinks there instead: going after the
    // next band would have its caption read after that band's text.
    let give: f32 = image.chunks.iter().map(|c| c.give).sum();
    let captioned = image.chunks.iter().any(super::flow::Chunk::has_text);
    if captioned && image_h - give <= h + EPS {
        return false;
    }
    let Some(next) = bands.get(bi + 1).filter(|b| b.kind == BandKind::Flow) else { return false };
    let all: Vec<usize> = (0..next.chunks.len()).collect();
    if balance(&next.chunks, groups, &all, next.cols, h, line).is_some_and(|(_, cost)| cost < DEFECT) {
        bands.swap(bi, bi + 1);
        return true;
    }
    let Some(e) = pull_cut(next, groups, h, line) else { return false };
    let mut prefix = bands[bi + 1].clone();
    bands[bi + 1].chunks = prefix.chunks.split_off(e);
    bands.insert(bi, prefix);
    true
}

/// The least height a band needs to start on a page: its chunks up to the first break that
/// is not a defect (an image at its smallest; the kept contact footer whole).
fn min_start(band: &Band, groups: &[Group], keep_footer: bool) -> f32 {
    let all: Vec<usize> = (0..band.chunks.len()).collect();
    if band.kind == BandKind::Footer && keep_footer {
        return stack(&band.chunks, groups, &all).1;
    }
    let mut h = 0.0;
    for (i, c) in band.chunks.iter().enumerate() {
        h += if i > 0 { c.space_before } else { 0.0 } + c.h - c.give;
        if c.break_after < WIDOW {
            break;
        }
    }
    h
}

/// Where to cut `band` so its start fills `h` points of the page (balanced), leaving the
/// rest for after a full-width image that does not fit there.
fn pull_cut(band: &Band, groups: &[Group], h: f32, line: f32) -> Option<usize> {
    let n = band.chunks.len();
    let cap = h * band.cols as f32;
    let mut total = 0.0;
    let mut e_max = 0;
    for (i, c) in band.chunks.iter().enumerate() {
        total += c.h + c.space_before;
        if total > cap {
            break;
        }
        e_max = i + 1;
    }
    let mut best: Option<(f32, usize)> = None;
    for e in (1..=e_max.min(n - 1)).rev().take(PULL_TRIES) {
        let c = &band.chunks[e - 1];
        if c.break_after >= WIDOW || same_group(&band.chunks, e - 1, e).is_some() {
            continue;
        }
        let seq: Vec<usize> = (0..e).collect();
        if let Some((cols, cost)) = balance(&band.chunks, groups, &seq, band.cols, h, line) {
            let used = cols.iter().map(|col| stack(&band.chunks, groups, col).1).fold(0.0, f32::max);
            let total = cost + c.break_after + white_cost(h - used, line);
            if best.is_none_or(|(b, _)| total < b) {
                best = Some((total, e));
            }
        }
    }
    best.filter(|(c, _)| *c < DEFECT).map(|(_, e)| e)
}

impl Composer<'_> {
    /// Finish the last page (the flow goes on: its white is spread over its bands) and
    /// start a new one.
    fn new_page(&mut self, tree: &mut Tree) {
        let last = self.out.pages.len() - 1;
        justify_page(&mut self.out, tree, last, &self.segs, self.geo.bottom(), self.line);
        self.segs.clear();
        self.out.pages.push(Page { width: self.geo.page_w, height: self.geo.page_h, items: Vec::new() });
        self.out.keys.push(Vec::new());
        self.y = self.geo.top();
        self.at_top = true;
        self.page_break = false;
    }

    /// Put band `bi`'s parts on their pages, the first at `top` on the current page.
    /// `next_start` is what the next band needs to start on a page, if there is one.
    fn place_band(&mut self, tree: &mut Tree, bands: &[Band], bi: usize, d: &Distributed, top: f32, next_start: Option<f32>) {
        let (geo, groups, line) = (self.geo, self.groups, self.line);
        let band = &bands[bi];
        let n_parts = d.parts.len();
        let more = bands[bi + 1..].iter().any(|b| b.kind != BandKind::Footer);
        for (pi, part) in d.parts.iter().enumerate() {
            if pi > 0 {
                self.new_page(tree);
            }
            if part.is_empty() {
                continue;
            }
            let last_part = pi + 1 == n_parts && !d.ends_at_page_break;
            let region_top = if pi == 0 { top } else { geo.top() };
            let region_h = geo.bottom() - region_top;
            let mut at = region_top;
            if band.kind == BandKind::Footer && n_parts == 1 {
                // At the page foot when that leaves little white above it.
                let h = stack(&band.chunks, groups, &part[0]).1;
                let below = region_h - h;
                if below > EPS && below <= WHITE_LIMIT_LINES * line {
                    at = geo.bottom() - h;
                }
            }
            let flow_after = pi + 1 < n_parts || more;
            let room = region_h - (at - region_top);
            // A last part after which the next band cannot start on this page fills the page:
            // its white goes into its gaps (feathering) rather than under it.
            let natural = part.iter().map(|col| stack(&band.chunks, groups, col).1).fold(0.0, f32::max);
            let gap_next = if bands.get(bi + 1).is_some_and(|b| b.kind == BandKind::Footer) { line * FOOTER_GAP_LINES } else { line * BAND_GAP_LINES };
            let fill = !last_part || next_start.is_some_and(|m| room - natural - gap_next < m - EPS);
            let used = self.place_part(tree, bi, band, part, at, room, last_part, flow_after, fill);
            self.y = at + used;
        }
        self.at_top = false;
        self.page_break = d.ends_at_page_break;
    }

    /// Put one part of a band (its columns on one page) at `top`; returns the height used.
    #[allow(clippy::too_many_arguments)]
    fn place_part(&mut self, tree: &mut Tree, band_index: usize, band: &Band, part: &[Column], top: f32, region_h: f32, last_part: bool, flow_after: bool, fill: bool) -> f32 {
        let chunks = &band.chunks;
        let mut placed = place_columns(chunks, self.groups, part);
        let natural: Vec<f32> = part.iter().map(|c| stack(chunks, self.groups, c).1).collect();
        let grown = if band.cols > 1 || fill { feather(chunks, self.groups, &mut placed, band.cols, self.line, region_h, fill) } else { vec![0.0; placed.len()] };
        let grown: Vec<(usize, f32)> = placed.iter().zip(grown).filter(|(_, g)| *g > 0.0).map(|(p, g)| (p.chunk, g)).collect();
        let grown_of = |chunk: usize| grown.iter().find(|(c, _)| *c == chunk).map_or(0.0, |(_, g)| *g);
        // A column fuller than its region: its images shrink (the search chose it so), each
        // by its share of what they can give, and what follows them moves up.
        let mut shrink: Vec<(usize, f32)> = Vec::new();
        for (col, column) in part.iter().enumerate() {
            let give: f32 = column.iter().map(|&i| chunks[i].give).sum();
            // (On the last part, also to leave the kept footer its room, when that is enough.)
            let reserved = region_h - self.reserve;
            let limit = if last_part && self.reserve > 0.0 && natural[col] - give <= reserved + EPS { reserved } else { region_h };
            let over = natural[col] - limit;
            if over <= EPS || give <= 0.0 {
                continue;
            }
            let share = (over / give).min(1.0);
            let mut up = 0.0;
            for p in placed.iter_mut().filter(|p| p.col == col) {
                p.y -= up;
                let less = chunks[p.chunk].give * share;
                if less > 0.0 {
                    shrink.push((p.chunk, less));
                    up += less;
                }
            }
        }
        let page_no = self.out.pages.len() - 1;
        let first_item = self.out.pages[page_no].items.len();
        let mut used: f32 = 0.0;
        for (col, column) in part.iter().enumerate() {
            let cx = self.geo.col_x(col, band.width);
            let in_col: Vec<Placed> = placed.iter().copied().filter(|p| p.col == col).collect();
            let delta = |chunk: usize| grown_of(chunk) - shrink.iter().find(|(i, _)| *i == chunk).map_or(0.0, |s| s.1);
            let (behind, cues) = group_frames(chunks, self.groups, &in_col, col, cx, band.width, top, &delta);
            let page = &mut self.out.pages[page_no];
            let keys = &mut self.out.keys[page_no];
            for (k, it) in behind.into_iter().chain(cues) {
                page.items.push(it);
                keys.push(k);
            }
            let mut facts = Vec::with_capacity(in_col.len());
            for p in &in_col {
                let c = &chunks[p.chunk];
                let less = shrink.iter().find(|(i, _)| *i == p.chunk).map_or(0.0, |s| s.1);
                let more = grown_of(p.chunk);
                for it in &c.items {
                    let mut it = offset_item(it, cx, top + p.y);
                    if less > 0.0 {
                        shrink_image(&mut it, less);
                    }
                    if more > 0.0 {
                        crop_taller(&mut it, more);
                    }
                    if let (true, super::display::Item::Image { image, rect, .. }) = (less > 0.0 || more > 0.0, &it) {
                        self.out.frames.push((*image, rect.w, rect.h));
                    }
                    page.items.push(it);
                    keys.push(c.seq * 2 + 1);
                }
                for (t, y) in &c.bookmarks {
                    self.out.outline.push((c.seq, Bookmark { title: t.clone(), page: page_no, y: top + p.y + y }));
                }
                for (node, r) in &c.figures {
                    let f = if less > 0.0 { (r.h - less) / r.h.max(1.0) } else { 1.0 };
                    let (w, h) = (r.w * f, r.h * f + more);
                    tree.nodes[*node].bbox = Some((page_no, Rect::new(r.x + cx + (r.w - w) / 2.0, r.y + top + p.y, w, h)));
                }
                facts.push(PlacedFact { kind: c.kind, group: c.group, line_of: c.line_of, keep: c.keeps_with_next(), top: top + p.y, bottom: top + p.y + c.h - less + more, seq: c.seq });
            }
            let last = column[column.len() - 1];
            let less_of = |chunk: usize| shrink.iter().find(|(i, _)| *i == chunk).map_or(0.0, |s| s.1);
            let bottom = in_col.iter().map(|p| p.y + chunks[p.chunk].h + grown_of(p.chunk) - less_of(p.chunk)).fold(0.0, f32::max) + super::flow::bottom_extra(chunks, self.groups, last);
            let less: f32 = column.iter().map(|&i| less_of(i)).sum();
            used = used.max(bottom);
            self.out.regions.push(RegionFact {
                page: page_no,
                band: band_index,
                band_kind: band.kind,
                col,
                cols: band.cols,
                x: cx,
                y: top,
                w: band.width,
                h: region_h,
                last_part,
                flow_after,
                items: facts,
                bottom: top + bottom,
                natural_bottom: top + natural[col] - less,
            });
        }
        // A full-width image may still grow when the page is justified.
        let image = match (band.kind, part.first().and_then(|c| c.first())) {
            (BandKind::Image, Some(&first)) if shrink.is_empty() => {
                let items = &self.out.pages[page_no].items;
                (first_item..items.len()).find(|&k| matches!(items[k], super::display::Item::Image { .. })).map(|k| (k, chunks[first].grow - grown_of(first)))
            }
            _ => None,
        };
        self.segs.push(Segment { band: band_index, first_item, top, image });
        used
    }
}

/// Crop the image of a float chunk `more` points taller (same width); the caption below it
/// moves down.
fn crop_taller(it: &mut super::display::Item, more: f32) {
    use super::display::Item;
    match it {
        Item::Image { rect, .. } => rect.h += more,
        other => super::shift_item(other, 0.0, more),
    }
}

/// Shrink the image of a float chunk by `less` points of height, keeping its shape and
/// centre line; the caption below it moves up.
fn shrink_image(it: &mut super::display::Item, less: f32) {
    use super::display::Item;
    match it {
        Item::Image { rect, .. } => {
            let f = (rect.h - less) / rect.h.max(1.0);
            let w = rect.w * f;
            rect.x += (rect.w - w) / 2.0;
            rect.w = w;
            rect.h -= less;
        }
        other => super::shift_item(other, 0.0, -less),
    }
}
