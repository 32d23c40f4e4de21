//! Frames of framed groups (profile, callout, contact panel) in one column, with the
//! "(continued)" cue where a group goes on from the previous column.

use super::{Chunk, Group, Placed};
use crate::layout::display::{Item, Rect};
use crate::layout::offset_item;

/// Where the cue sits below a continued frame's top edge, as a share of the padding.
const CUE_OFFSET: f32 = 0.6;
/// Width of a callout's accent bar.
pub const BAR_W: f32 = 3.0;
/// Height of the rule across the top of the contact footer.
pub const TOP_RULE_H: f32 = 2.0;

/// Frame boxes for the groups in one column: (sort key, item) to draw behind the content,
/// and the cues to draw over it. `delta(chunk)` is how much taller (or, negative, shorter)
/// a chunk is drawn than its natural height (an image in a box grown or shrunk to end its
/// column): the frame follows what is drawn.
pub fn group_frames(chunks: &[Chunk], groups: &[Group], placed: &[Placed], col: usize, col_x: f32, col_w: f32, top: f32, delta: &dyn Fn(usize) -> f32) -> (Vec<(u64, Item)>, Vec<(u64, Item)>) {
    let mut behind = Vec::new();
    let mut cues = Vec::new();
    let in_col: Vec<&Placed> = placed.iter().filter(|p| p.col == col).collect();
    let mut i = 0;
    while i < in_col.len() {
        let Some(g) = chunks[in_col[i].chunk].group else {
            i += 1;
            continue;
        };
        let first = in_col[i];
        let mut j = i;
        while j + 1 < in_col.len() && chunks[in_col[j + 1].chunk].group == Some(g) {
            j += 1;
        }
        let last = in_col[j];
        let grp = &groups[g];
        let continued_from = first.chunk > 0 && chunks[first.chunk - 1].group == Some(g);
        let continues = chunks.get(last.chunk + 1).and_then(|c| c.group) == Some(g);
        let y0 = top + first.y - if continued_from { grp.pad + grp.cue_h } else { 0.0 };
        let y1 = top + last.y + chunks[last.chunk].h + delta(last.chunk) + if continues { grp.pad } else { 0.0 };
        let rect = Rect::new(col_x, y0, col_w, y1 - y0);
        let key = chunks[first.chunk].seq * 2;
        behind.push((key, Item::Box { rect, fill: grp.fill, stroke: grp.stroke.map(|s| (s, 0.6)), bleed: false }));
        if let Some(bar) = grp.bar {
            behind.push((key, Item::Box { rect: Rect::new(col_x, y0, BAR_W, y1 - y0), fill: Some(bar), stroke: None, bleed: false }));
        }
        if let (Some(top), false) = (grp.top, continued_from) {
            behind.push((key, Item::Box { rect: Rect::new(col_x, y0, col_w, TOP_RULE_H), fill: Some(top), stroke: None, bleed: false }));
        }
        if continued_from {
            if let Some(cue) = &grp.cue {
                for it in cue {
                    cues.push((key, offset_item(it, col_x, y0 + grp.pad * CUE_OFFSET)));
                }
            }
        }
        i = j + 1;
    }
    (behind, cues)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_follows_an_image_shrunk_inside_it() {
        let g = Group { fill: None, stroke: None, bar: None, top: None, pad: 5.0, cue: None, cue_h: 0.0, floats: true };
        let chunks: Vec<Chunk> = (0..3).map(|_| Chunk { h: 20.0, group: Some(0), ..Default::default() }).collect();
        let placed: Vec<Placed> = (0..3).map(|i| Placed { chunk: i, col: 0, y: 20.0 * i as f32 }).collect();
        let frame_h = |delta: &dyn Fn(usize) -> f32| match group_frames(&chunks, &[g.clone()], &placed, 0, 0.0, 100.0, 0.0, delta).0.first() {
            Some((_, Item::Box { rect, .. })) => rect.h,
            other => panic!("no frame: {other:?}"),
        };
        assert_eq!(frame_h(&|_| 0.0), 60.0);
        assert_eq!(frame_h(&|c| if c == 2 { -8.0 } else { 0.0 }), 52.0, "drawn around the shrunk last chunk");
        assert_eq!(frame_h(&|c| if c == 2 { 6.0 } else { 0.0 }), 66.0, "and around a grown one");
    }
}
