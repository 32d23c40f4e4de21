//! Column flow: break a vertical list of chunks into columns and pages, balance the
//! last columns, keep headings with what follows, no widows or orphans.

use super::display::{Item, Mark, Rect};
use crate::brand::Rgb;

/// A break after a chunk with this penalty or more is forbidden.
pub const NEVER: f32 = 10_000.0;

/// An unbreakable piece of the vertical list: a line, a heading, an image, a kept box.
#[derive(Debug, Clone, Default)]
pub struct Chunk {
    pub h: f32,
    /// Space above, dropped at the top of a column.
    pub space_before: f32,
    /// Cost of a column break after this chunk (NEVER forbids it).
    pub break_after: f32,
    /// Items relative to the chunk's top-left corner.
    pub items: Vec<Item>,
    /// Framed group (profile, callout) this chunk belongs to.
    pub group: Option<usize>,
    /// Bookmarks: title and y within the chunk.
    pub bookmarks: Vec<(String, f32)>,
    /// Figures: structure node and rectangle within the chunk.
    pub figures: Vec<(usize, Rect)>,
    /// Paragraph line bookkeeping for the typography report: (paragraph id, line index, line count).
    pub line_of: Option<(usize, usize, usize)>,
    /// An image that may move past the text after it to the next column.
    pub float: bool,
    /// A heading (text is never floated past it).
    pub heading: bool,
    /// For a kept-together group: the same content as breakable chunks.
    pub split: Option<Vec<Chunk>>,
    /// Logical order (the reading order), kept when floats move chunks.
    pub seq: u64,
    /// A pull quote or box the last page's balancing may move past the text after it.
    pub movable: bool,
}

/// A framed group's look.
#[derive(Debug, Clone)]
pub struct Group {
    pub fill: Option<Rgb>,
    pub stroke: Option<Rgb>,
    pub bar: Option<Rgb>,
    /// Padding inside the frame (top/bottom; left/right is built into the chunks).
    pub pad: f32,
    /// Text shown at the top of a continued piece, with its style.
    pub cue: Option<Vec<Item>>,
    pub cue_h: f32,
}

/// A chunk placed in a column: index, column number in the region and y offset.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    pub chunk: usize,
    pub col: usize,
    pub y: f32,
}

fn same_group(chunks: &[Chunk], a: usize, b: usize) -> Option<usize> {
    match (chunks.get(a).and_then(|c| c.group), chunks.get(b).and_then(|c| c.group)) {
        (Some(x), Some(y)) if x == y => Some(x),
        _ => None,
    }
}

/// Fill one column of `height` from `start`; returns the end (exclusive) and the placements' y.
pub fn fill_column(chunks: &[Chunk], groups: &[Group], start: usize, height: f32) -> (usize, Vec<f32>) {
    let (e, ys, _) = fill_column_x(chunks, groups, start, height);
    (e, ys)
}

/// As [`fill_column`], also saying whether the break had to be forced (no legal break fitted).
pub fn fill_column_x(chunks: &[Chunk], groups: &[Group], start: usize, height: f32) -> (usize, Vec<f32>, bool) {
    let n = chunks.len();
    let mut y = 0.0;
    // Continuing a group from the previous column: room for its pad and cue.
    if start > 0 {
        if let Some(g) = same_group(chunks, start - 1, start) {
            y += groups[g].pad + groups[g].cue_h;
        }
    }
    let mut ys = Vec::new();
    let mut last_ok: Option<(usize, usize)> = None; // (end, ys len)
    let mut i = start;
    while i < n {
        let c = &chunks[i];
        let sb = if i == start { 0.0 } else { c.space_before };
        let top = y + sb;
        let bottom = top + c.h;
        let pad_after = match same_group(chunks, i, i + 1) {
            Some(g) => groups[g].pad,
            None => 0.0,
        };
        if bottom + pad_after > height + 0.01 && i > start {
            break;
        }
        if bottom > height + 0.01 && i == start {
            // An oversize chunk alone in a column: place it anyway so the flow moves on.
            ys.push(top);
            return (i + 1, ys, true);
        }
        ys.push(top);
        y = bottom;
        if c.break_after < NEVER || i + 1 == n {
            last_ok = Some((i + 1, ys.len()));
        }
        i += 1;
    }
    if i == n {
        return (n, ys, false);
    }
    match last_ok {
        Some((end, len)) => {
            ys.truncate(len);
            (end, ys, false)
        }
        None => (i.max(start + 1), ys, true),
    }
}

/// Fill `cols` columns of `height`; returns placements and the end index.
pub fn fill_columns(chunks: &[Chunk], groups: &[Group], start: usize, cols: usize, height: f32) -> (Vec<Placed>, usize) {
    let (p, e, _) = fill_columns_x(chunks, groups, start, cols, height);
    (p, e)
}

/// As [`fill_columns`], also saying whether any column break was forced.
pub fn fill_columns_x(chunks: &[Chunk], groups: &[Group], start: usize, cols: usize, height: f32) -> (Vec<Placed>, usize, bool) {
    let mut placed = Vec::new();
    let mut at = start;
    let mut forced = false;
    for col in 0..cols {
        if at >= chunks.len() {
            break;
        }
        let (end, ys, f) = fill_column_x(chunks, groups, at, height);
        forced |= f && end < chunks.len();
        for (k, y) in ys.into_iter().enumerate() {
            placed.push(Placed { chunk: at + k, col, y });
        }
        at = end;
    }
    (placed, at, forced)
}

/// The smallest column height (≤ `max_h`) at which `cols` columns take every chunk from `start`.
pub fn balanced_height(chunks: &[Chunk], groups: &[Group], start: usize, cols: usize, max_h: f32) -> Option<f32> {
    let n = chunks.len();
    if fill_columns(chunks, groups, start, cols, max_h).1 < n {
        return None;
    }
    if cols == 1 {
        return Some(max_h);
    }
    let total: f32 = chunks[start..].iter().map(|c| c.h + c.space_before).sum();
    // Greedy filling is not monotone in the height (keeps and widow rules), so scan
    // upwards from the average, then a little further for the most even bottoms.
    let lo = (total / cols as f32).min(max_h) * 0.9;
    let step = 1.5;
    let mut best: Option<(f32, f32)> = None; // (spread, height)
    let mut first_ok: Option<f32> = None;
    let mut h = lo;
    while h <= max_h + step {
        let hh = h.min(max_h);
        let (p, e, forced) = fill_columns_x(chunks, groups, start, cols, hh);
        if e >= n && !forced {
            first_ok.get_or_insert(hh);
            let used_cols = (0..cols).filter(|c| p.iter().any(|x| x.col == *c)).count();
            let sp = spread(&bottoms(chunks, &p, cols)) + if used_cols < cols.min(n - start) { 1000.0 } else { 0.0 };
            if best.is_none_or(|(b, _)| sp < b - 0.5) {
                best = Some((sp, hh));
            }
        }
        if let Some(f) = first_ok {
            if hh >= f + 40.0 {
                break;
            }
        }
        if hh >= max_h {
            break;
        }
        h += step;
    }
    let best = best.unwrap_or((0.0, max_h));
    Some(best.1)
}

/// Frame boxes for the groups in one column: returns items to draw behind the content.
pub fn group_frames(chunks: &[Chunk], groups: &[Group], placed: &[Placed], col: usize, col_x: f32, col_w: f32, top: f32) -> (Vec<(u64, Item)>, Vec<(u64, Item)>) {
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
        let y1 = top + last.y + chunks[last.chunk].h + if continues { grp.pad } else { 0.0 };
        let rect = Rect::new(col_x, y0, col_w, y1 - y0);
        let key = chunks[first.chunk].seq * 2;
        behind.push((key, Item::Box { rect, fill: grp.fill, stroke: grp.stroke.map(|s| (s, 0.6)), bleed: false }));
        if let Some(bar) = grp.bar {
            behind.push((key, Item::Box { rect: Rect::new(col_x, y0, 3.0, y1 - y0), fill: Some(bar), stroke: None, bleed: false }));
        }
        if continued_from {
            if let Some(cue) = &grp.cue {
                for it in cue {
                    cues.push((key, super::offset_item(it, col_x, y0 + grp.pad * 0.6)));
                }
            }
        }
        i = j + 1;
    }
    let _ = Mark::Artifact;
    (behind, cues)
}

/// Let floats (images) move below the text that follows them when they would otherwise
/// leave a gap at a column foot. Returns true if the order changed.
pub fn float_pass(chunks: &mut [Chunk], groups: &[Group], start: usize, cols: usize, height: f32, line: f32) -> bool {
    let mut changed = false;
    for _ in 0..8 {
        let mut s = start;
        let mut moved = false;
        for col in 0..cols {
            if s >= chunks.len() {
                break;
            }
            let (end, ys) = fill_column(chunks, groups, s, height);
            if end >= chunks.len() || end == s {
                break;
            }
            // A box only floats to the next column on the same page, so the pages still
            // read in order; an image (a caption at most) may go on to the next page.
            let may_float = chunks[end].float && (chunks[end].group.is_none() || col + 1 < cols);
            if may_float {
                let used = ys.last().map(|y| y + chunks[end - 1].h).unwrap_or(0.0);
                if height - used > 2.5 * line {
                    let mut y = used;
                    let mut j = end + 1;
                    let mut last_ok = None;
                    // A box may move past headings; an image stays in its section unless it
                    // would leave more than a third of the column empty.
                    let is_box = chunks[end].group.is_some() || height - used > height / 3.0;
                    while j < chunks.len() && !chunks[j].float && (is_box || !chunks[j].heading) && chunks[j].group.is_none() {
                        let c = &chunks[j];
                        if y + c.space_before + c.h > height {
                            break;
                        }
                        y += c.space_before + c.h;
                        if c.break_after < NEVER {
                            last_ok = Some(j + 1);
                        }
                        j += 1;
                    }
                    if let Some(k) = last_ok {
                        chunks[end..k].rotate_left(1);
                        gap_after_float(chunks, k - 1);
                        moved = true;
                        changed = true;
                        break;
                    }
                }
            }
            s = end;
        }
        if !moved {
            break;
        }
    }
    changed
}

/// Column bottoms of a placement.
pub fn bottoms(chunks: &[Chunk], placed: &[Placed], cols: usize) -> Vec<f32> {
    (0..cols).filter_map(|c| placed.iter().filter(|p| p.col == c).map(|p| p.y + chunks[p.chunk].h).reduce(f32::max)).collect()
}

pub fn spread(b: &[f32]) -> f32 {
    if b.len() < 2 {
        return 0.0;
    }
    b.iter().cloned().fold(f32::MIN, f32::max) - b.iter().cloned().fold(f32::MAX, f32::min)
}

/// Vertical justification of balanced columns: spread a short column's shortfall over its
/// paragraph gaps (at most one line per gap), so the bottoms line up.
pub fn feather(chunks: &[Chunk], placed: &mut [Placed], cols: usize, line: f32) {
    if cols < 2 {
        return;
    }
    let b = bottoms(chunks, placed, cols);
    let Some(target) = b.iter().cloned().reduce(f32::max) else { return };
    for col in 0..cols {
        let idx: Vec<usize> = (0..placed.len()).filter(|&i| placed[i].col == col).collect();
        let Some(&last) = idx.last() else { continue };
        let bottom = placed[last].y + chunks[placed[last].chunk].h;
        let deficit = target - bottom;
        if deficit < 0.5 || deficit > line * 4.0 {
            continue;
        }
        let gaps: Vec<usize> = idx.iter().skip(1).copied().filter(|&i| {
            let c = placed[i].chunk;
            chunks[c].space_before > 0.5 && c > 0 && !chunks[c - 1].heading
        }).collect();
        if gaps.is_empty() {
            continue;
        }
        // Space above a box, image, quote or heading may grow by up to two lines; space
        // between paragraphs only a little (half a line alone, most of a line if shared).
        let para_cap = if gaps.len() >= 2 { line * 0.8 } else { line * 0.5 };
        let caps: Vec<f32> = gaps
            .iter()
            .map(|&i| {
                let c = &chunks[placed[i].chunk];
                if c.float || c.movable || c.heading || c.group.is_some() { line * 2.0 } else { para_cap }
            })
            .collect();
        let room: f32 = caps.iter().sum();
        let scale = (deficit / room).min(1.0);
        let mut acc = 0.0;
        for &i in &idx {
            if let Some(k) = gaps.iter().position(|&g| g == i) {
                acc += caps[k] * scale;
            }
            placed[i].y += acc;
        }
    }
}

/// Balance the chunks from `start` over `cols` columns of at most `max_h`: the legal
/// column breaks whose column heights differ least (then the shortest columns). Exact
/// over the breaks, unlike greedy filling, which a kept-together box can throw off.
/// `None` if the chunks do not fit.
pub fn balance(chunks: &[Chunk], groups: &[Group], start: usize, cols: usize, max_h: f32) -> Option<Vec<Placed>> {
    let n = chunks.len();
    if start >= n {
        return Some(Vec::new());
    }
    // Prefix sums of height + space before.
    let mut pre = vec![0.0f32; n + 1];
    for i in 0..n {
        pre[i + 1] = pre[i] + chunks[i].h + chunks[i].space_before;
    }
    let top_extra = |a: usize| match (a > 0).then(|| same_group(chunks, a - 1, a)).flatten() {
        Some(g) => groups[g].pad + groups[g].cue_h,
        None => 0.0,
    };
    let bottom_extra = |b: usize| match same_group(chunks, b - 1, b) {
        Some(g) => groups[g].pad,
        None => 0.0,
    };
    let col_h = |a: usize, b: usize| pre[b] - pre[a] - chunks[a].space_before + top_extra(a) + bottom_extra(b);
    let legal: Vec<usize> = (start + 1..n).filter(|&i| chunks[i - 1].break_after < NEVER).collect();
    let k = cols.min(n - start).min(legal.len() + 1).max(1);
    // Too many combinations: fall back to the height scan.
    let combos: f64 = (0..k.saturating_sub(1)).fold(1.0, |acc, i| acc * (legal.len() - i) as f64 / (i + 1) as f64);
    if combos > 3_000_000.0 {
        let h = balanced_height(chunks, groups, start, cols, max_h)?;
        return Some(fill_columns(chunks, groups, start, cols, h).0);
    }
    let mut best: Option<(f32, f32, Vec<usize>)> = None;
    let mut cur: Vec<usize> = Vec::new();
    #[allow(clippy::too_many_arguments)]
    fn rec(from: usize, a: usize, left: usize, n: usize, legal: &[usize], max_h: f32, col_h: &dyn Fn(usize, usize) -> f32, cur: &mut Vec<usize>, hs: &mut Vec<f32>, best: &mut Option<(f32, f32, Vec<usize>)>) {
        if left == 0 {
            let h = col_h(a, n);
            if h > max_h + 0.01 {
                return;
            }
            hs.push(h);
            let mx = hs.iter().cloned().fold(f32::MIN, f32::max);
            let mn = hs.iter().cloned().fold(f32::MAX, f32::min);
            let key = (mx - mn, mx);
            if best.as_ref().is_none_or(|(s, m, _)| key.0 < *s - 0.01 || ((key.0 - *s).abs() <= 0.01 && key.1 < *m)) {
                *best = Some((key.0, key.1, cur.clone()));
            }
            hs.pop();
            return;
        }
        for (li, &b) in legal.iter().enumerate().skip(from) {
            if b <= a {
                continue;
            }
            let h = col_h(a, b);
            if h > max_h + 0.01 {
                break; // later breaks only make this column taller
            }
            if legal.len() - li < left {
                break;
            }
            cur.push(b);
            hs.push(h);
            rec(li + 1, b, left - 1, n, legal, max_h, col_h, cur, hs, best);
            hs.pop();
            cur.pop();
        }
    }
    let mut hs = Vec::new();
    rec(0, start, k - 1, n, &legal, max_h, &col_h, &mut cur, &mut hs, &mut best);
    let (_, _, breaks) = best?;
    let mut placed = Vec::new();
    let mut a = start;
    for (col, &b) in breaks.iter().chain(std::iter::once(&n)).enumerate() {
        let mut y = top_extra(a);
        for i in a..b {
            if i > a {
                y += chunks[i].space_before;
            }
            placed.push(Placed { chunk: i, col, y });
            y += chunks[i].h;
        }
        a = b;
    }
    Some(placed)
}

/// Balance the last columns, also trying each image, box or pull quote moved further down
/// the flow (as a designer would place it) when that evens the bottoms. Returns the
/// chunk order to use and its placement.
pub fn balance_moving(chunks: &[Chunk], groups: &[Group], start: usize, cols: usize, max_h: f32, line: f32) -> Option<(Vec<Chunk>, Vec<Placed>)> {
    let p = balance(chunks, groups, start, cols, max_h)?;
    let sp = spread(&bottoms(chunks, &p, cols));
    let mut best: (f32, Option<(Vec<Chunk>, Vec<Placed>)>) = (sp, None);
    if sp > line * 1.05 && cols > 1 {
        let n = chunks.len();
        for f in start..n {
            let c = &chunks[f];
            if !(c.float || c.movable) || c.group.is_some() && c.split.is_none() {
                continue;
            }
            let is_image = c.float && c.group.is_none();
            let mut tried = 0;
            for t in f + 1..n {
                if is_image && chunks[t].heading {
                    break; // an image stays in its section
                }
                if chunks[t].break_after >= NEVER && t + 1 < n {
                    continue;
                }
                tried += 1;
                if tried > 60 {
                    break;
                }
                let mut alt = chunks.to_vec();
                let m = alt.remove(f);
                alt.insert(t, m);
                gap_after_float(&mut alt, t);
                if let Some(p2) = balance(&alt, groups, start, cols, max_h) {
                    let s2 = spread(&bottoms(&alt, &p2, cols));
                    if s2 < best.0 - 0.5 {
                        best = (s2, Some((alt, p2)));
                    }
                }
            }
        }
    }
    match best.1 {
        Some(x) => Some(x),
        None => Some((chunks.to_vec(), p)),
    }
}

/// Text that now follows a moved float (image, box, quote) keeps a gap below it.
fn gap_after_float(chunks: &mut [Chunk], float_at: usize) {
    let gap = chunks[float_at].space_before.max(6.0);
    if let Some(next) = chunks.get_mut(float_at + 1) {
        if next.space_before < gap {
            next.space_before = gap;
        }
    }
}
