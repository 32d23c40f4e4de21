//! Balancing: the columns of a band's last page, as even as the break rules allow, and
//! feathering (vertical justification) of what is left.

use super::{bottoms, place_columns, spread, spread_cost, stack, top_extra, bottom_extra, Chunk, Column, Group, Placed, Kind};
use super::{BOX_SPLIT, BOX_THIN, EMPTY_COLUMN, FORBIDDEN, FREE, HYPHEN_BREAK, KEEP_WITH_NEXT, WIDOW, DEFECT};

/// Break penalties tried in turn: the columns are balanced with the cheapest breaks that do it.
const LEVELS: [f32; 7] = [FREE, BOX_SPLIT, HYPHEN_BREAK, WIDOW, KEEP_WITH_NEXT, BOX_THIN, FORBIDDEN];
/// How far past the first height that fits the search goes, in lines (a taller target can
/// even the bottoms when a kept block would otherwise end one column early).
const SEARCH_PAST_LINES: f32 = 2.0;
/// Tolerance for float rounding when comparing heights.
pub const EPS: f32 = 0.01;

/// Fill columns of height `t` greedily from `seq`, breaking only where the penalty is at most
/// `limit`. Returns the columns and the sum of the penalties of the breaks taken.
pub fn fill(chunks: &[Chunk], groups: &[Group], seq: &[usize], cols: usize, t: f32, limit: f32) -> Option<(Vec<Column>, f32)> {
    let mut out: Vec<Column> = Vec::new();
    let mut pen = 0.0;
    let mut pos = 0;
    while pos < seq.len() {
        if out.len() == cols {
            return None;
        }
        let mut y = top_extra(chunks, groups, seq[pos]);
        let mut last_ok = None;
        let mut k = pos;
        while k < seq.len() {
            let c = &chunks[seq[k]];
            let bottom = if k > pos { y + c.space_before } else { y } + c.h;
            if bottom + bottom_extra(chunks, groups, seq[k]) > t + EPS {
                break;
            }
            y = bottom;
            if k + 1 == seq.len() || c.break_after <= limit {
                last_ok = Some(k + 1);
            }
            k += 1;
        }
        let end = last_ok?;
        if end < seq.len() {
            pen += chunks[seq[end - 1]].break_after;
        }
        out.push(seq[pos..end].to_vec());
        pos = end;
    }
    Some((out, pen))
}

/// How many columns the chunks could fill at most: pieces between breaks that are allowed
/// at all, a framed box counting as one (it is kept whole when it fits; spreading a small
/// box over empty columns to fill them leaves frames of a line each), and a heading one
/// with what it keeps with (else a heading would stand alone to fill a column).
fn pieces(chunks: &[Chunk], seq: &[usize]) -> usize {
    let inside_box = |w: &[usize]| super::same_group(chunks, w[0], w[1]).is_some();
    let kept = |w: &[usize]| chunks[w[0]].is_heading() && chunks[w[0]].keeps_with_next();
    1 + seq.windows(2).filter(|w| chunks[w[0]].break_after < FORBIDDEN && !inside_box(w) && !kept(w)).count()
}

/// The cost of a balanced placement: its break penalties, uneven bottoms, empty columns.
fn cost_of(chunks: &[Chunk], groups: &[Group], cols_out: &[Column], pen: f32, want: usize, line: f32) -> f32 {
    let placed = place_columns(chunks, groups, cols_out);
    let b = bottoms(chunks, &placed, cols_out.len());
    let empty = want.saturating_sub(cols_out.len()) as f32;
    // Feathering will even the bottoms by what each column's gaps and images can take up.
    let tallest = b.iter().cloned().fold(0.0, f32::max);
    let reach: Vec<f32> = cols_out
        .iter()
        .zip(&b)
        .map(|(col, &bottom)| {
            let room: f32 = col.windows(2).map(|w| stretch_of(chunks, w[0], w[1], line)).sum();
            let grow: f32 = col.iter().map(|&i| chunks[i].grow).sum();
            // (as `feather` does: far short of the tallest, only a column that can grow)
            if tallest - bottom <= line * FEATHER_BALANCED_MAX_LINES || grow > 0.0 { (bottom + room + grow).min(tallest) } else { bottom }
        })
        .collect();
    pen + spread_cost(spread(&reach), line) + EMPTY_COLUMN * empty
}

/// Balance `seq` over `cols` columns no taller than `max_h`: the most even bottoms at the
/// cheapest breaks. Returns the columns and their cost, or `None` if they do not fit.
pub fn balance(chunks: &[Chunk], groups: &[Group], seq: &[usize], cols: usize, max_h: f32, line: f32) -> Option<(Vec<Column>, f32)> {
    if seq.is_empty() {
        return Some((Vec::new(), 0.0));
    }
    if cols <= 1 {
        // (Its images may shrink to fit, as in any column.)
        let (_, h) = stack(chunks, groups, seq);
        let give: f32 = seq.iter().map(|&i| chunks[i].give).sum();
        let shrunk = (h - max_h).max(0.0);
        return (h - give <= max_h + EPS).then(|| (vec![seq.to_vec()], if shrunk > EPS { super::SHRINK_COST + super::SHRINK_LINE_COST * shrunk / line.max(1.0) } else { 0.0 }));
    }
    let total: f32 = seq.iter().map(|&i| chunks[i].h + chunks[i].space_before).sum();
    let tallest = seq.iter().map(|&i| chunks[i].h).fold(0.0, f32::max);
    let want = cols.min(pieces(chunks, seq));
    let step = (line / 4.0).max(1.0);
    let mut best: Option<(Vec<Column>, f32)> = None;
    for limit in LEVELS {
        let mut t = (total / cols as f32).max(tallest).min(max_h);
        let mut first_ok: Option<f32> = None;
        loop {
            if let Some((cs, pen)) = fill(chunks, groups, seq, cols, t, limit) {
                let c = cost_of(chunks, groups, &cs, pen, want, line);
                if best.as_ref().is_none_or(|(_, b)| c < *b) {
                    best = Some((cs, c));
                }
                first_ok.get_or_insert(t);
            }
            if first_ok.is_some_and(|f| t >= f + SEARCH_PAST_LINES * line) || t >= max_h {
                break;
            }
            t = (t + step).min(max_h);
        }
        if best.as_ref().is_some_and(|(_, c)| *c < DEFECT) {
            break;
        }
    }
    best
}

/// Balance exactly: for each target height, the breaks that bring every column closest to
/// it (a dynamic programme over break points), keeping the most even result. Slower than
/// [`balance`], so it refines the one placement chosen rather than pricing every candidate.
pub fn balance_exact(chunks: &[Chunk], groups: &[Group], seq: &[usize], cols: usize, max_h: f32, line: f32) -> Option<(Vec<Column>, f32)> {
    let m = seq.len();
    if m == 0 || cols <= 1 {
        return balance(chunks, groups, seq, cols, max_h, line);
    }
    let mut pre = vec![0.0f32; m + 1];
    for (k, &i) in seq.iter().enumerate() {
        pre[k + 1] = pre[k] + chunks[i].h + chunks[i].space_before;
    }
    let col_h = |a: usize, b: usize| pre[b] - pre[a] - chunks[seq[a]].space_before + top_extra(chunks, groups, seq[a]) + bottom_extra(chunks, groups, seq[b - 1]);
    let pen = |a: usize| if a == 0 { 0.0 } else { chunks[seq[a - 1]].break_after };
    let want = cols.min(pieces(chunks, seq));
    let total: f32 = pre[m];
    let tallest = seq.iter().map(|&i| chunks[i].h).fold(0.0, f32::max);
    let step = (line / 4.0).max(1.0);
    let mut best: Option<(Vec<Column>, f32)> = None;
    let mut t = (total / cols as f32).max(tallest).min(max_h);
    let stop = (t + (SEARCH_PAST_LINES + 2.0) * line).min(max_h);
    loop {
        // dp[c][b]: cheapest way to set seq[..b] in c columns no taller than t.
        let inf = f32::INFINITY;
        let mut dp = vec![vec![inf; m + 1]; want + 1];
        let mut from = vec![vec![0usize; m + 1]; want + 1];
        dp[0][0] = 0.0;
        for c in 1..=want {
            for b in 1..=m {
                let mut a = b;
                while a > 0 {
                    a -= 1;
                    let h = col_h(a, b);
                    if h > t + EPS {
                        break;
                    }
                    if dp[c - 1][a] < inf {
                        let d = (t - h) / line.max(1.0);
                        let cost = dp[c - 1][a] + pen(a) + super::SPREAD * d * d;
                        if cost < dp[c][b] {
                            dp[c][b] = cost;
                            from[c][b] = a;
                        }
                    }
                }
            }
        }
        if dp[want][m] < inf {
            let mut cuts = vec![m];
            let mut b = m;
            for c in (1..=want).rev() {
                b = from[c][b];
                cuts.push(b);
            }
            cuts.reverse();
            let cs: Vec<Column> = cuts.windows(2).map(|w| seq[w[0]..w[1]].to_vec()).collect();
            let p: f32 = cuts[1..cuts.len() - 1].iter().map(|&a| pen(a)).sum();
            let c = cost_of(chunks, groups, &cs, p, want, line);
            if best.as_ref().is_none_or(|(_, b)| c < *b) {
                best = Some((cs, c));
            }
        }
        if t >= stop {
            break;
        }
        t = (t + step).min(stop);
    }
    match (best, balance(chunks, groups, seq, cols, max_h, line)) {
        (Some(a), Some(b)) => Some(if a.1 <= b.1 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// Vertical justification: spread a column's shortfall over its gaps, so bottoms line up.
/// A balanced part (`full` false) evens its columns to the tallest, by at most
/// [`FEATHER_BALANCED_MAX_LINES`]; a full part (the flow goes on) stretches towards its
/// region's foot. No column grows past `limit` (its region), frame padding below included.
/// What the gaps cannot take up, images take by a taller crop ([`Chunk::grow`]): returns
/// how many points each placed chunk grew (0 for most).
pub fn feather(chunks: &[Chunk], groups: &[Group], placed: &mut [Placed], cols: usize, line: f32, limit: f32, full: bool) -> Vec<f32> {
    let mut grown = vec![0.0; placed.len()];
    let b = bottoms(chunks, placed, cols);
    let Some(tallest) = b.iter().cloned().reduce(f32::max) else { return grown };
    let columns: Vec<Vec<usize>> = (0..cols).map(|c| (0..placed.len()).filter(|&i| placed[i].col == c).collect()).collect();
    let caps_all: Vec<Vec<f32>> = columns.iter().map(|idx| idx.iter().enumerate().map(|(k, &i)| if k == 0 { 0.0 } else { stretch_of(chunks, placed[idx[k - 1]].chunk, placed[i].chunk, line) }).collect()).collect();
    let grows: Vec<f32> = columns.iter().map(|idx| idx.iter().map(|&i| chunks[placed[i].chunk].grow).sum()).collect();
    // Towards the foot, but no further than every column can reach, so bottoms stay even.
    let target = if full {
        columns
            .iter()
            .zip(&caps_all)
            .zip(&grows)
            .filter_map(|((idx, caps), g)| idx.last().map(|&l| (l, caps.iter().sum::<f32>() + g)))
            .map(|(l, room)| placed[l].y + chunks[placed[l].chunk].h + room)
            .fold(limit, f32::min)
            .max(tallest)
    } else {
        tallest
    };
    for ((idx, caps), &grow) in columns.iter().zip(&caps_all).zip(&grows) {
        let Some(&last) = idx.last() else { continue };
        let bottom = placed[last].y + chunks[placed[last].chunk].h;
        let extra = bottom_extra(chunks, groups, placed[last].chunk);
        let deficit = target.min(limit - extra) - bottom;
        // (A balanced column far short of the tallest is evened only by an image growing.)
        if deficit < 0.5 || (!full && deficit > line * FEATHER_BALANCED_MAX_LINES && grow <= 0.0) {
            continue;
        }
        let room: f32 = caps.iter().sum();
        if room + grow <= 0.0 {
            continue;
        }
        let scale = if room > 0.0 { (deficit / room).min(1.0) } else { 0.0 };
        let left = (deficit - room * scale).max(0.0);
        let gscale = if grow > 0.0 { (left / grow).min(1.0) } else { 0.0 };
        let mut acc = 0.0;
        for (k, &i) in idx.iter().enumerate() {
            acc += caps[k] * scale;
            placed[i].y += acc;
            grown[i] = chunks[placed[i].chunk].grow * gscale;
            acc += grown[i];
        }
    }
    grown
}

/// How much white a column's gaps and images can take up (see [`feather`]).
pub fn absorbable(chunks: &[Chunk], col: &[usize], line: f32) -> f32 {
    let gaps: f32 = col.windows(2).map(|w| stretch_of(chunks, w[0], w[1], line)).sum();
    gaps + col.iter().map(|&i| chunks[i].grow).sum::<f32>()
}

/// Balanced columns are evened by feathering only when this many lines or fewer apart.
pub const FEATHER_BALANCED_MAX_LINES: f32 = 4.0;
/// How far the gap above a box, image, quote or heading may stretch, in lines.
pub const BLOCK_STRETCH_LINES: f32 = 2.0;
/// How far the gap between two paragraphs may stretch, in lines: with the paragraph gap
/// itself, at most about a line and a third (more reads as holes in the column, and pages
/// side by side look unevenly spaced).
pub const PARA_STRETCH_LINES: f32 = 0.8;

/// How much the gap above chunk `i`, after `prev` in its column, may stretch.
pub fn stretch_of(chunks: &[Chunk], prev: usize, i: usize, line: f32) -> f32 {
    let c = &chunks[i];
    if c.space_before <= 0.5 || chunks[prev].is_heading() {
        return 0.0;
    }
    let block = matches!(c.kind, Kind::Float | Kind::Block | Kind::Heading) || (c.group.is_some() && chunks[prev].group != c.group);
    line * if block { BLOCK_STRETCH_LINES } else { PARA_STRETCH_LINES }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(break_after: f32) -> Chunk {
        Chunk { h: 10.0, break_after, ..Default::default() }
    }

    #[test]
    fn an_image_grows_to_fill_what_the_gaps_cannot() {
        // A column of 10 lines and an image (60, may grow 30) in a region of 200: the gaps
        // take what they can, the image the rest, the caption line under it moves down.
        let mut chunks: Vec<Chunk> = (0..10).map(|_| line(FREE)).collect();
        chunks.push(Chunk { kind: Kind::Float, h: 60.0, grow: 30.0, space_before: 5.0, ..Default::default() });
        chunks.push(Chunk { h: 10.0, space_before: 5.0, ..Default::default() });
        let col: Vec<usize> = (0..12).collect();
        let mut placed = super::super::place_columns(&chunks, &[], &[col]);
        let natural = placed[11].y + 10.0;
        let grown = feather(&chunks, &[], &mut placed, 1, 10.0, natural + 40.0, true);
        let g = grown[10];
        assert!(g > 0.0 && g <= 30.0, "the image grew by {g}");
        assert!((placed[11].y + 10.0 - (natural + 40.0)).abs() < 0.5, "the column reaches its foot");
        assert!(placed[11].y >= placed[10].y + 60.0 + g, "the caption stays below the grown image");
    }

    #[test]
    fn even_lines_balance_exactly() {
        let chunks: Vec<Chunk> = (0..20).map(|_| line(FREE)).collect();
        let seq: Vec<usize> = (0..20).collect();
        let (cols, cost) = balance(&chunks, &[], &seq, 2, 500.0, 10.0).unwrap();
        assert_eq!(cols.iter().map(|c| c.len()).collect::<Vec<_>>(), vec![10, 10]);
        assert!(cost < 1.0);
    }

    #[test]
    fn every_column_is_used_when_there_are_pieces() {
        // Three lines kept as orphan/widow pairs: only a forbidden-ish break fills 3 columns.
        let chunks = vec![line(WIDOW), line(WIDOW), line(FREE)];
        let (cols, _) = balance(&chunks, &[], &[0, 1, 2], 3, 500.0, 10.0).unwrap();
        assert_eq!(cols.len(), 3);
    }

    #[test]
    fn too_much_does_not_fit() {
        let chunks: Vec<Chunk> = (0..20).map(|_| line(FREE)).collect();
        let seq: Vec<usize> = (0..20).collect();
        assert!(balance(&chunks, &[], &seq, 2, 90.0, 10.0).is_none());
    }

    #[test]
    fn fill_never_passes_the_height() {
        let chunks: Vec<Chunk> = (0..30).map(|i| Chunk { h: 7.0 + (i % 5) as f32, space_before: (i % 3) as f32, ..Default::default() }).collect();
        let seq: Vec<usize> = (0..30).collect();
        for t in [40.0, 55.5, 80.0, 200.0] {
            if let Some((cols, _)) = fill(&chunks, &[], &seq, 10, t, FORBIDDEN) {
                for c in &cols {
                    assert!(stack(&chunks, &[], c).1 <= t + EPS);
                }
                assert_eq!(cols.concat(), seq);
            }
        }
    }

    #[test]
    fn feathering_fills_towards_the_foot_but_never_past_it() {
        // Paragraph gaps (space before) every third line; a region of 400 points.
        let chunks: Vec<Chunk> = (0..30).map(|i| Chunk { h: 10.0, space_before: if i % 3 == 0 { 5.0 } else { 0.0 }, ..Default::default() }).collect();
        let col: Vec<usize> = (0..30).collect();
        let mut placed = place_columns(&chunks, &[], &[col.clone()]);
        let natural = stack(&chunks, &[], &col).1;
        feather(&chunks, &[], &mut placed, 1, 10.0, natural + 20.0, true);
        let bottom = placed.iter().map(|p| p.y + chunks[p.chunk].h).fold(0.0, f32::max);
        assert!((bottom - (natural + 20.0)).abs() < 0.1, "filled to the foot: {bottom} vs {}", natural + 20.0);
        let mut placed = place_columns(&chunks, &[], &[col.clone()]);
        feather(&chunks, &[], &mut placed, 1, 10.0, natural + 500.0, true);
        let bottom = placed.iter().map(|p| p.y + chunks[p.chunk].h).fold(0.0, f32::max);
        assert!(bottom <= natural + 9.0 * PARA_STRETCH_LINES * 10.0 + 0.1, "each gap grows by at most its stretch: {bottom}");
        // In order, and no gap shrinks.
        for w in placed.windows(2) {
            assert!(w[1].y >= w[0].y + chunks[w[0].chunk].h - 0.01);
        }
    }
}
