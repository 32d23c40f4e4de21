//! Right-to-left issues: the laid-out pages mirrored left for right (columns, frames, rules,
//! photos), each text run moved whole so its glyphs keep their order.

use super::display::{Document, Item, Rect};
use super::stats::RegionFact;

/// A rectangle mirrored across a page `w` wide.
fn flip(r: &mut Rect, w: f32) {
    r.x = w - r.x - r.w;
}

/// Mirror one item across a page `w` wide.
pub fn mirror_item(it: &mut Item, w: f32) {
    match it {
        Item::Text { x, width, .. } => *x = w - *x - *width,
        Item::Image { rect, .. } | Item::Box { rect, .. } | Item::Link { rect, .. } => flip(rect, w),
        Item::Rule { x1, x2, .. } => {
            *x1 = w - *x1;
            *x2 = w - *x2;
        }
    }
}

/// Mirror every page of `doc`, the figures' boxes in its structure tree and the regions.
pub fn mirror(doc: &mut Document, regions: &mut [RegionFact]) {
    let widths: Vec<f32> = doc.pages.iter().map(|p| p.width).collect();
    for p in &mut doc.pages {
        let w = p.width;
        for it in &mut p.items {
            mirror_item(it, w);
        }
    }
    for n in &mut doc.tree.nodes {
        if let Some((page, r)) = n.bbox.as_mut() {
            if let Some(&w) = widths.get(*page) {
                flip(r, w);
            }
        }
    }
    for r in regions {
        if let Some(&w) = widths.get(r.page) {
            r.x = w - r.x - r.w;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brand::Rgb;
    use crate::layout::display::Mark;

    #[test]
    fn mirroring_twice_gives_the_page_back() {
        let items = vec![
            Item::Text { mark: Mark::Artifact, face: 0, size: 9.0, colour: Rgb(0.0, 0.0, 0.0), x: 40.0, y: 10.0, width: 100.0, glyphs: Vec::new(), hyphen: false, invisible: false },
            Item::Box { rect: Rect::new(10.0, 0.0, 30.0, 5.0), fill: None, stroke: None, bleed: false },
            Item::Rule { x1: 5.0, y1: 0.0, x2: 50.0, y2: 0.0, colour: Rgb(0.0, 0.0, 0.0), width: 1.0 },
        ];
        let mut m = items.clone();
        for it in &mut m {
            mirror_item(it, 600.0);
        }
        // A run from 40 to 140 ends 40 from the right edge; a box at 10..40 stands at 560..590.
        assert!(matches!(m[0], Item::Text { x, .. } if (x - 460.0).abs() < 1e-3));
        assert!(matches!(m[1], Item::Box { rect, .. } if (rect.x - 560.0).abs() < 1e-3));
        for it in &mut m {
            mirror_item(it, 600.0);
        }
        assert_eq!(format!("{m:?}"), format!("{items:?}"));
    }
}
