//! Vertical justification of a finished page: white left at its foot while the flow goes on
//! is spread over the gaps between its bands and taken up by its full-width images.
//!
//! A band that cannot start in the room left below the one before it leaves that room
//! white; within a band, feathering (`flow::balance::feather`) has already filled what its
//! own gaps and images could. This is the page-level step, as TeX's `\flushbottom`: the
//! bands below each stretched gap move down as a whole, so nothing is reordered and no
//! region grows past the bottom margin.

use super::display::{Item, Tree};
use super::paginate::Paged;
use super::shift_item;

/// How far the gap between two bands on a page may stretch, in body lines.
pub const BAND_GAP_STRETCH_LINES: f32 = 2.5;
/// White below this many points is left as it is (nothing worth moving).
const MIN_WHITE: f32 = 1.0;

/// One band's part on the page being justified.
#[derive(Debug, Clone, Copy)]
pub struct Segment {
    pub band: usize,
    /// Its first item in the page's items, and its top.
    pub first_item: usize,
    pub top: f32,
    /// A full-width image of it that may still grow: its item and by how much.
    pub image: Option<(usize, f32)>,
}

/// Spread the white between the content of `page` and `bottom` over the gaps between its
/// `segs` (in order, top to bottom) and its images' growth.
pub fn justify_page(out: &mut Paged, tree: &mut Tree, page: usize, segs: &[Segment], bottom: f32, line: f32) {
    let Some(content) = out.regions.iter().filter(|r| r.page == page).map(|r| r.bottom).reduce(f32::max) else { return };
    let white = bottom - content;
    if white < MIN_WHITE || segs.len() < 2 && segs.iter().all(|s| s.image.is_none()) {
        return;
    }
    let gap_cap = BAND_GAP_STRETCH_LINES * line;
    let gaps_total = gap_cap * segs.len().saturating_sub(1) as f32;
    let gap = if gaps_total > 0.0 { white.min(gaps_total) / (segs.len() - 1) as f32 } else { 0.0 };
    let grow_total: f32 = segs.iter().filter_map(|s| s.image.map(|i| i.1)).sum();
    let rest = (white - gap * segs.len().saturating_sub(1) as f32).max(0.0);
    let grow_share = if grow_total > 0.0 { (rest / grow_total).min(1.0) } else { 0.0 };
    let mut shift = 0.0;
    for (i, s) in segs.iter().enumerate() {
        if i > 0 {
            shift += gap;
        }
        let end_item = segs.get(i + 1).map_or(out.pages[page].items.len(), |n| n.first_item);
        let end_y = segs.get(i + 1).map_or(f32::INFINITY, |n| n.top);
        let grow = s.image.map_or(0.0, |(_, g)| g * grow_share);
        let image_bottom = s.image.and_then(|(k, _)| match &out.pages[page].items[k] {
            Item::Image { rect, .. } => Some(rect.y + rect.h),
            _ => None,
        });
        // Items of the segment move down; under a growing image, by its growth too.
        let below = |y: f32| image_bottom.is_some_and(|b| y >= b - 0.01);
        for k in s.first_item..end_item {
            let it = &mut out.pages[page].items[k];
            let extra = if grow > 0.0 && below(item_top(it)) { grow } else { 0.0 };
            shift_item(it, 0.0, shift + extra);
            if let (Some((ik, _)), Item::Image { image, rect, .. }) = (s.image, &mut *it) {
                if ik == k && grow > 0.0 {
                    rect.h += grow;
                    out.frames.push((*image, rect.w, rect.h));
                }
            }
        }
        let moves = |y: f32| y >= s.top - 0.01 && y < end_y - 0.01;
        for (_, b) in out.outline.iter_mut().filter(|(_, b)| b.page == page && moves(b.y)) {
            b.y += shift + if below(b.y) { grow } else { 0.0 };
        }
        for n in tree.nodes.iter_mut() {
            if let Some((p, r)) = &mut n.bbox {
                if *p == page && moves(r.y) {
                    if image_bottom.is_some_and(|b| (r.y + r.h - b).abs() < 0.5) {
                        r.h += grow; // the figure of the grown image
                    } else if below(r.y) {
                        r.y += grow;
                    }
                    r.y += shift;
                }
            }
        }
        for r in out.regions.iter_mut().filter(|r| r.page == page && r.band == s.band) {
            r.y += shift;
            r.bottom += shift + grow;
            r.natural_bottom += shift + grow;
            for f in &mut r.items {
                let extra = if below(f.top) { grow } else { 0.0 };
                f.top += shift + extra;
                f.bottom += shift + if image_bottom.is_some_and(|b| f.bottom >= b - 0.01) { grow } else { 0.0 };
            }
        }
        shift += grow;
    }
}

/// The top of an item (its baseline for text).
fn item_top(it: &Item) -> f32 {
    match it {
        Item::Text { y, .. } => *y,
        Item::Image { rect, .. } | Item::Box { rect, .. } | Item::Link { rect, .. } => rect.y,
        Item::Rule { y1, y2, .. } => y1.min(*y2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::collect::BandKind;
    use crate::layout::display::{Clip, Mark, Page, Rect};
    use crate::layout::stats::RegionFact;

    fn region(band: usize, y: f32, bottom: f32) -> RegionFact {
        RegionFact { page: 0, band, band_kind: BandKind::Flow, col: 0, cols: 1, x: 0.0, y, w: 100.0, h: 500.0 - y, last_part: true, flow_after: true, items: Vec::new(), bottom, natural_bottom: bottom }
    }

    fn block(y: f32, h: f32) -> Item {
        Item::Box { rect: Rect::new(0.0, y, 100.0, h), fill: None, stroke: None, bleed: false }
    }

    #[test]
    fn white_at_the_foot_goes_into_band_gaps_then_the_image() {
        // Three bands: text 0–100, an image 110–210 (may grow 40) with a caption 212–220,
        // text 230–300; the page's foot at 400: 100 points of white, 2 gaps of 25 at most.
        let items = vec![block(0.0, 100.0), Item::Image { mark: Mark::Artifact, image: 0, rect: Rect::new(0.0, 110.0, 100.0, 100.0), clip: Clip::None }, block(212.0, 8.0), block(230.0, 70.0)];
        let mut out = Paged { pages: vec![Page { width: 100.0, height: 450.0, items }], keys: vec![vec![0; 4]], outline: Vec::new(), regions: vec![region(0, 0.0, 100.0), region(1, 110.0, 220.0), region(2, 230.0, 300.0)], frames: Vec::new() };
        let segs = [Segment { band: 0, first_item: 0, top: 0.0, image: None }, Segment { band: 1, first_item: 1, top: 110.0, image: Some((1, 40.0)) }, Segment { band: 2, first_item: 3, top: 230.0, image: None }];
        justify_page(&mut out, &mut Tree::default(), 0, &segs, 400.0, 10.0);
        let p = &out.pages[0].items;
        let rect = |i: usize| match &p[i] {
            Item::Image { rect, .. } | Item::Box { rect, .. } => *rect,
            _ => unreachable!(),
        };
        assert_eq!(rect(0).y, 0.0, "the first band stays");
        assert!((rect(1).y - 135.0).abs() < 0.01 && (rect(1).h - 140.0).abs() < 0.01, "gap of 25, grown by 40: {:?}", rect(1));
        assert!((rect(2).y - 277.0).abs() < 0.01, "the caption stays under the image: {:?}", rect(2));
        assert!((rect(3).y - 320.0).abs() < 0.01, "{:?}", rect(3));
        assert_eq!(out.frames, vec![(0, 100.0, 140.0)], "the photo is cropped to its new frame");
        let bottom = out.regions.iter().map(|r| r.bottom).fold(0.0, f32::max);
        assert!(bottom <= 400.0 + 0.01 && bottom > 385.0, "the page ends near its foot, never past it: {bottom}");
    }
}
