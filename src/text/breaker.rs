//! Knuth–Plass total-fit line breaking over boxes, glue and penalties.

/// An item of a paragraph, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item {
    Box { width: f32 },
    Glue { width: f32, stretch: f32, shrink: f32 },
    Penalty { width: f32, penalty: f32, flagged: bool },
}

/// A penalty this large or larger forbids a break; this small or smaller forces one.
pub const INFINITE: f32 = 10_000.0;
/// Stretch standing in for "fil" (the last line's fill).
pub const FIL: f32 = 100_000.0;
/// The demerits of a line that cannot fit its measure (a piece wider than the column).
const OVERFULL_DEMERITS: f32 = 1.0e12;

/// Tuning for the breaker.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Largest adjustment ratio a line may have (stretch).
    pub max_ratio: f32,
    pub line_penalty: f32,
    /// Extra demerits for two hyphenated lines in a row.
    pub double_hyphen_demerits: f32,
    /// Extra demerits for a hyphen on the second-last line.
    pub final_hyphen_demerits: f32,
    /// Extra demerits when adjacent lines differ much in tightness.
    pub fitness_demerits: f32,
    /// Most hyphenated lines in a row.
    pub max_hyphens_in_row: u32,
    /// TeX's `\looseness`: set the paragraph this many lines longer (or, negative, shorter)
    /// than its best breaking, when a feasible breaking with that many lines exists (else
    /// the feasible one nearest to it). Copyfitting uses it to move a page break.
    pub looseness: i32,
}

impl Default for Params {
    fn default() -> Self {
        Params { max_ratio: 2.5, line_penalty: 10.0, double_hyphen_demerits: 3000.0, final_hyphen_demerits: 5000.0, fitness_demerits: 100.0, max_hyphens_in_row: 2, looseness: 0 }
    }
}

/// A chosen break: the item index it is at and the line's adjustment ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Break {
    pub index: usize,
    pub ratio: f32,
    pub flagged: bool,
}

#[derive(Debug, Clone, Copy)]
struct Node {
    index: usize,
    line: usize,
    fitness: u8,
    hyphens: u32,
    demerits: f32,
    prev: Option<usize>,
    ratio: f32,
    flagged: bool,
    // Totals at the start of the line after this break.
    w: f32,
    y: f32,
    z: f32,
}

fn is_legal(items: &[Item], i: usize) -> bool {
    match items[i] {
        Item::Penalty { penalty, .. } => penalty < INFINITE,
        Item::Glue { .. } => i > 0 && matches!(items[i - 1], Item::Box { .. }),
        Item::Box { .. } => false,
    }
}

/// Break `items` into lines; `width(n)` is the measure of line `n` (0-based).
/// Returns the breaks (the last is the paragraph end). Never fails: if no
/// feasible set exists, it retries looser and finally breaks first-fit.
pub fn break_lines(items: &[Item], width: &dyn Fn(usize) -> f32, params: &Params) -> Vec<Break> {
    if items.is_empty() {
        return Vec::new();
    }
    for (scale, rescue) in [(1.0, false), (4.0, false), (1000.0, true)] {
        let p = Params { max_ratio: params.max_ratio * scale, ..*params };
        if let Some(b) = total_fit(items, width, &p, rescue) {
            return b;
        }
    }
    first_fit(items, width)
}

/// Knuth–Plass over `items`; with `rescue`, a piece too wide for any line is set alone on an
/// overfull line instead of failing.
fn total_fit(items: &[Item], width: &dyn Fn(usize) -> f32, params: &Params, rescue: bool) -> Option<Vec<Break>> {
    let n = items.len();
    // Prefix sums: sw[i] = total before item i.
    let mut sw = vec![0.0f32; n + 1];
    let mut sy = vec![0.0f32; n + 1];
    let mut sz = vec![0.0f32; n + 1];
    for (i, it) in items.iter().enumerate() {
        let (w, y, z) = match *it {
            Item::Box { width } => (width, 0.0, 0.0),
            Item::Glue { width, stretch, shrink } => (width, stretch, shrink),
            Item::Penalty { .. } => (0.0, 0.0, 0.0),
        };
        sw[i + 1] = sw[i] + w;
        sy[i + 1] = sy[i] + y;
        sz[i + 1] = sz[i] + z;
    }
    // Totals after a break at b: skip glue and penalties (not forced ones) up to the next box.
    let after = |b: usize| -> (f32, f32, f32) {
        let mut j = b + 1;
        while j < n {
            match items[j] {
                Item::Box { .. } => break,
                Item::Penalty { penalty, .. } if penalty <= -INFINITE && j > b => break,
                _ => j += 1,
            }
        }
        (sw[j], sy[j], sz[j])
    };
    // Beyond the lines whose measures differ (runaround), the line number does not change
    // what can follow: treat those lines as one class, or long paragraphs blow up.
    let mut const_from = 0usize;
    for l in 0..64 {
        if (width(l) - width(l + 1)).abs() > 0.001 {
            const_from = l + 1;
        }
    }
    // (With a looseness, every line count is its own class: the breaking chosen at the end
    // needs the best node of each count.)
    let class = |line: usize| if params.looseness != 0 { line } else { line.min(const_from) };
    let mut nodes: Vec<Node> = vec![Node { index: 0, line: 0, fitness: 1, hyphens: 0, demerits: 0.0, prev: None, ratio: 0.0, flagged: false, w: 0.0, y: 0.0, z: 0.0 }];
    let mut active: Vec<usize> = vec![0];
    // The paragraph start is "before item 0": fix its totals.
    for b in 0..n {
        if !is_legal(items, b) {
            continue;
        }
        let (pw, pp, flagged) = match items[b] {
            Item::Penalty { width, penalty, flagged } => (width, penalty, flagged),
            _ => (0.0, 0.0, false),
        };
        let mut candidates: Vec<Node> = Vec::new();
        // The latest node from which the line to b is overfull: kept in case none is left (a
        // piece wider than the measure), so the paragraph still breaks by cost, with that
        // piece alone on an overfull line.
        let mut overfull: Option<usize> = None;
        let mut k = 0;
        while k < active.len() {
            let ai = active[k];
            let a = &nodes[ai];
            let lw = sw[b] - a.w + pw;
            let target = width(a.line);
            let ratio = if lw < target {
                let st = sy[b] - a.y;
                // A short line with nothing to stretch: infinitely bad, allowed only at the last try.
                if st > 0.0 { (target - lw) / st } else if rescue { params.max_ratio } else { f32::INFINITY }
            } else if lw > target {
                let sh = sz[b] - a.z;
                if sh > 0.0 { (target - lw) / sh } else { f32::NEG_INFINITY }
            } else {
                0.0
            };
            let forced = pp <= -INFINITE;
            if ratio < -1.0 || forced {
                // This node can no longer start a line that reaches b.
                if ratio < -1.0 && overfull.is_none_or(|o| (nodes[o].index, -nodes[o].demerits) < (a.index, -a.demerits)) {
                    overfull = Some(ai);
                }
                active.remove(k);
            } else {
                k += 1;
            }
            if ratio >= -1.0 && ratio <= params.max_ratio {
                let badness = 100.0 * ratio.abs().powi(3);
                let mut d = (params.line_penalty + badness).powi(2);
                if pp >= 0.0 {
                    d += pp * pp;
                } else if pp > -INFINITE {
                    d -= pp * pp;
                }
                let hyphens = if flagged { a.hyphens + 1 } else { 0 };
                if hyphens > params.max_hyphens_in_row {
                    continue;
                }
                if flagged && a.flagged {
                    d += params.double_hyphen_demerits;
                }
                if forced && a.flagged {
                    d += params.final_hyphen_demerits;
                }
                let fitness = if ratio < -0.5 { 0 } else if ratio <= 0.5 { 1 } else if ratio <= 1.0 { 2 } else { 3 };
                if (fitness as i32 - a.fitness as i32).abs() > 1 {
                    d += params.fitness_demerits;
                }
                let total = a.demerits + d;
                let (w, y, z) = after(b);
                let node = Node { index: b, line: a.line + 1, fitness, hyphens, demerits: total, prev: Some(ai), ratio, flagged, w, y, z };
                match candidates.iter_mut().find(|c| class(c.line) == class(node.line) && c.fitness == node.fitness && c.hyphens.min(2) == node.hyphens.min(2)) {
                    Some(c) if c.demerits <= total => {}
                    Some(c) => *c = node,
                    None => candidates.push(node),
                }
            }
        }
        if let (true, true, true, Some(o)) = (rescue, candidates.is_empty(), active.is_empty(), overfull) {
            let a = nodes[o];
            let (w, y, z) = after(b);
            candidates.push(Node { index: b, line: a.line + 1, fitness: 0, hyphens: 0, demerits: a.demerits + OVERFULL_DEMERITS, prev: Some(o), ratio: -1.0, flagged, w, y, z });
        }
        for c in candidates {
            nodes.push(c);
            active.push(nodes.len() - 1);
        }
        if active.is_empty() {
            return None;
        }
    }
    // The best node at the final item.
    let last = n - 1;
    let finals = || nodes.iter().enumerate().filter(|(_, nd)| nd.index == last && nd.prev.is_some());
    let mut best = finals().min_by(|a, b| a.1.demerits.total_cmp(&b.1.demerits)).map(|(i, _)| i)?;
    if params.looseness != 0 {
        // The count nearest to the best's plus the looseness, not beyond it; the best breaking of that count.
        let want = nodes[best].line as i64 + params.looseness as i64;
        let off = |line: usize| (line as i64 - want).abs() + if (line as i64 - nodes[best].line as i64).signum() == -(params.looseness.signum() as i64) { 1000 } else { 0 };
        if let Some((i, _)) = finals().min_by(|a, b| (off(a.1.line), a.1.demerits).partial_cmp(&(off(b.1.line), b.1.demerits)).unwrap_or(std::cmp::Ordering::Equal)) {
            best = i;
        }
    }
    let mut out = Vec::new();
    let mut cur = Some(best);
    while let Some(i) = cur {
        let nd = &nodes[i];
        if nd.prev.is_none() {
            break;
        }
        out.push(Break { index: nd.index, ratio: nd.ratio, flagged: nd.flagged });
        cur = nd.prev;
    }
    out.reverse();
    Some(out)
}

/// Greedy fallback: fill each line as far as it goes (may overflow a too-wide box).
fn first_fit(items: &[Item], width: &dyn Fn(usize) -> f32) -> Vec<Break> {
    let mut out = Vec::new();
    let mut line_w = 0.0;
    let mut last_legal: Option<usize> = None;
    let mut start_w = 0.0;
    let mut acc = 0.0;
    let mut i = 0;
    while i < items.len() {
        let target = width(out.len());
        match items[i] {
            Item::Box { width } => acc += width,
            Item::Glue { width, .. } => {
                if is_legal(items, i) {
                    last_legal = Some(i);
                    line_w = acc - start_w;
                }
                acc += width;
            }
            Item::Penalty { width, penalty, flagged } => {
                if penalty <= -INFINITE {
                    out.push(Break { index: i, ratio: 0.0, flagged });
                    start_w = acc;
                    last_legal = None;
                    i += 1;
                    continue;
                }
                if penalty < INFINITE && acc + width - start_w <= target {
                    last_legal = Some(i);
                    line_w = acc - start_w;
                }
            }
        }
        if acc - start_w > target {
            if let Some(b) = last_legal.take() {
                let flagged = matches!(items[b], Item::Penalty { flagged: true, .. });
                out.push(Break { index: b, ratio: 0.0, flagged });
                let _ = line_w;
                // Restart the line after b.
                let mut j = b + 1;
                while j < items.len() && !matches!(items[j], Item::Box { .. }) {
                    j += 1;
                }
                acc = 0.0;
                for it in &items[..j] {
                    acc += match *it {
                        Item::Box { width } | Item::Glue { width, .. } => width,
                        _ => 0.0,
                    };
                }
                start_w = acc;
                i = j;
                continue;
            }
        }
        i += 1;
    }
    if out.last().map(|b| b.index) != Some(items.len() - 1) {
        out.push(Break { index: items.len() - 1, ratio: 0.0, flagged: false });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(ws: &[f32], space: f32) -> Vec<Item> {
        let mut v = Vec::new();
        for (i, w) in ws.iter().enumerate() {
            if i > 0 {
                v.push(Item::Glue { width: space, stretch: space / 2.0, shrink: space / 3.0 });
            }
            v.push(Item::Box { width: *w });
        }
        v.push(Item::Glue { width: 0.0, stretch: FIL, shrink: 0.0 });
        v.push(Item::Penalty { width: 0.0, penalty: -INFINITE, flagged: false });
        v
    }

    #[test]
    fn a_piece_wider_than_the_measure_sits_alone_and_the_rest_breaks_by_cost() {
        let mut ws: Vec<f32> = (0..30).map(|i| 10.0 + (i * 5 % 13) as f32).collect();
        ws[12] = 300.0;
        let items = words(&ws, 4.0);
        let breaks = break_lines(&items, &|_| 120.0, &Params::default());
        // Every other line fits; the wide word's line holds nothing else.
        let mut start = 0;
        let mut overfull = 0;
        for b in &breaks {
            let boxes: Vec<f32> = items[start..b.index].iter().filter_map(|it| match *it { Item::Box { width } => Some(width), _ => None }).collect();
            let w: f32 = items[start..b.index].iter().map(|it| match *it { Item::Box { width } | Item::Glue { width, .. } => width, _ => 0.0 }).sum();
            if w > 120.0 + 0.01 {
                overfull += 1;
                assert_eq!(boxes, vec![300.0], "the overfull line holds only the wide piece");
            }
            start = b.index + 1;
        }
        assert_eq!(overfull, 1);
    }

    #[test]
    fn a_run_of_pieces_without_spaces_breaks_between_them() {
        // An address: pieces with break points (penalties) but no glue between them.
        let mut items = vec![Item::Box { width: 30.0 }, Item::Glue { width: 4.0, stretch: 2.0, shrink: 1.0 }];
        for _ in 0..12 {
            items.push(Item::Box { width: 25.0 });
            items.push(Item::Penalty { width: 0.0, penalty: 200.0, flagged: false });
        }
        items.push(Item::Box { width: 25.0 });
        items.push(Item::Glue { width: 0.0, stretch: FIL, shrink: 0.0 });
        items.push(Item::Penalty { width: 0.0, penalty: -INFINITE, flagged: false });
        let breaks = break_lines(&items, &|_| 100.0, &Params::default());
        let mut start = 0;
        for b in &breaks {
            let w: f32 = items[start..b.index].iter().map(|it| match *it { Item::Box { width } | Item::Glue { width, .. } => width, _ => 0.0 }).sum();
            assert!(w <= 100.0 + 0.01, "line of {w} in a measure of 100");
            start = b.index + 1;
        }
    }

    #[test]
    fn lines_fit_their_measure() {
        let ws: Vec<f32> = (0..60).map(|i| 10.0 + (i * 7 % 23) as f32).collect();
        let items = words(&ws, 4.0);
        let breaks = break_lines(&items, &|_| 120.0, &Params::default());
        assert!(breaks.len() > 5);
        let mut start = 0;
        for b in &breaks {
            let w: f32 = items[start..b.index].iter().map(|it| match *it { Item::Box { width } => width, Item::Glue { width, .. } => width, _ => 0.0 }).sum();
            let shrink: f32 = items[start..b.index].iter().map(|it| match *it { Item::Glue { shrink, .. } => shrink, _ => 0.0 }).sum();
            assert!(w - shrink <= 120.0 + 0.01, "line too wide: {w}");
            start = b.index + 1;
        }
    }

    #[test]
    fn looseness_sets_a_paragraph_a_line_longer_or_shorter() {
        // Generous stretch and shrink, so both a looser and a tighter setting are feasible.
        let ws: Vec<f32> = (0..80).map(|i| 12.0 + (i * 7 % 19) as f32).collect();
        let items: Vec<Item> = words(&ws, 5.0).into_iter().map(|it| match it {
            Item::Glue { width, stretch, .. } if stretch < FIL => Item::Glue { width, stretch: width, shrink: width },
            other => other,
        }).collect();
        let p = Params { max_ratio: 3.0, ..Params::default() };
        let best = break_lines(&items, &|_| 150.0, &p).len();
        let longer = break_lines(&items, &|_| 150.0, &Params { looseness: 1, ..p }).len();
        let shorter = break_lines(&items, &|_| 150.0, &Params { looseness: -1, ..p }).len();
        assert_eq!(longer, best + 1, "looseness +1");
        assert_eq!(shorter, best - 1, "looseness -1");
        // Asking for far more lines than can be set gives the nearest feasible count, never
        // one on the other side of the best.
        let much = break_lines(&items, &|_| 150.0, &Params { looseness: 40, ..p }).len();
        assert!(much > best && much < best + 40, "{much} lines for {best}");
    }

    #[test]
    fn overlong_box_does_not_panic() {
        let items = words(&[50.0, 500.0, 30.0], 4.0);
        let breaks = break_lines(&items, &|_| 100.0, &Params::default());
        assert_eq!(breaks.last().unwrap().index, items.len() - 1);
    }
}
