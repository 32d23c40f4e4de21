//! Distribute one band's chunks into regions (its columns on successive pages), choosing the
//! breaks by total cost: a shortest path over break points, states (next chunk, moved float,
//! page, column). A region is never filled past its height; every path ends in a balanced
//! last page.

use super::balance::{absorbable, balance, stretch_of, EPS};
use super::{bottom_extra, stack, top_extra, white_cost, Chunk, Column, Group, Kind, DEFECT, EMPTY_COLUMN, FLOAT_DEFER, FLOAT_DEFER_PAGE, GROW_COST, SHRINK_COST, SHRINK_LINE_COST, STRETCH_COST};
use std::collections::BTreeMap;

/// The band to distribute and the room it has.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub cols: usize,
    /// Height left on the current page (the band starts there).
    pub first_h: f32,
    /// Height of a column on a fresh page.
    pub page_h: f32,
    /// Height to leave free below the band on its last page (the contact footer).
    pub reserve: f32,
    /// What the next band needs to start below this one (its gap included): a last page
    /// that leaves less room than that leaves it as white at the foot.
    pub next_min: f32,
    /// One body line, the unit of white.
    pub line: f32,
}

/// Where the band's chunks go.
#[derive(Debug, Clone, Default)]
pub struct Distributed {
    /// Columns per page: `parts[0]` on the current page (empty if the band starts on the
    /// next one), each later part on a new page. The last part is balanced.
    pub parts: Vec<Vec<Column>>,
    /// The band's last part fills its page: what follows starts on a new page.
    pub ends_at_page_break: bool,
}

/// A unit that may move down to the top of the next column: chunks `start..end`.
type Unit = (usize, usize);
const NONE: Unit = (usize::MAX, usize::MAX);

/// A state of the search: the next chunk, a unit moved to the next column, the page (0: the
/// current one, 1: any later one) and the column on it. Ordered so every step goes forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    next: usize,
    /// 0 while a moved unit waits (it is placed before `next` moves on), else 1.
    rank: u8,
    page: u8,
    col: usize,
    unit: Unit,
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Start,
    /// Leave the rest of the current page empty.
    Skip(Key),
    /// A column from the previous state ending before chunk `end`, with `moved` held back.
    Column { from: Key, end: usize, moved: Unit },
}

struct Walk<'a> {
    chunks: &'a [Chunk],
    groups: &'a [Group],
    p: Params,
}

impl Walk<'_> {
    fn height(&self, page: u8) -> f32 {
        if page == 0 { self.p.first_h } else { self.p.page_h }
    }

    fn next_key(&self, k: Key, next: usize, unit: Unit) -> Key {
        let (page, col) = if k.col + 1 < self.p.cols { (k.page, k.col + 1) } else { (1, 0) };
        Key { next, rank: if unit == NONE { 1 } else { 0 }, page, col, unit }
    }

    /// The unit starting at `i` that may move down: an image, or a whole floating box.
    fn unit_at(&self, i: usize) -> Option<Unit> {
        let c = &self.chunks[i];
        match (c.kind, c.group) {
            (Kind::Float, None) => {
                // The image and the rest of its caption.
                let mut e = i + 1;
                while e < self.chunks.len() && self.chunks[e].kind == Kind::Line && self.chunks[e - 1].break_after >= super::KEEP_WITH_NEXT && self.chunks[e].group.is_none() && self.chunks[e].space_before == 0.0 {
                    e += 1;
                }
                Some((i, e))
            }
            (_, Some(g)) if self.groups[g].floats && (i == 0 || self.chunks[i - 1].group != Some(g)) => {
                let mut e = i + 1;
                while e < self.chunks.len() && self.chunks[e].group == Some(g) {
                    e += 1;
                }
                Some((i, e))
            }
            _ => None,
        }
    }

    /// Whether text may move above a held-back unit: an image lets only plain lines pass
    /// (it stays in its section), a box also lets headings pass.
    fn may_pass(&self, unit: Unit, i: usize) -> bool {
        let c = &self.chunks[i];
        let image = self.chunks[unit.0].group.is_none();
        c.group.is_none() && (c.kind == Kind::Line || (!image && c.kind == Kind::Heading))
    }

    /// Whether a unit holds words (a caption, a box's text): moving it changes reading order.
    fn has_text(&self, u: Unit) -> bool {
        self.chunks[u.0..u.1].iter().any(Chunk::has_text)
    }

    fn unit_height(&self, u: Unit) -> f32 {
        let seq: Vec<usize> = (u.0..u.1).collect();
        stack(self.chunks, self.groups, &seq).1
    }

    /// Every column that can start at state `k`: (end, moved unit, cost of the column).
    fn columns(&self, k: Key, out: &mut Vec<(usize, Unit, f32)>) {
        self.walk(k, false, out);
        self.walk(k, true, out);
    }

    fn walk(&self, k: Key, defer: bool, out: &mut Vec<(usize, Unit, f32)>) {
        let n = self.chunks.len();
        let h = self.height(k.page);
        let next_h = if k.col + 1 < self.p.cols { h } else { self.p.page_h };
        let mut y = 0.0;
        let mut placed_any = false;
        if k.unit != NONE {
            let (_, uh) = stack(self.chunks, self.groups, &(k.unit.0..k.unit.1).collect::<Vec<_>>());
            if uh > h + EPS {
                return;
            }
            y = uh - bottom_extra(self.chunks, self.groups, k.unit.1 - 1);
            placed_any = true;
        }
        let mut moved = NONE;
        let mut i = k.next;
        // The column's last chunk and how far its gaps may stretch (feathering).
        let mut prev: Option<usize> = (k.unit != NONE).then(|| k.unit.1 - 1);
        let mut stretch = 0.0;
        let mut grow = 0.0;
        let mut shrinkable = 0.0;
        while i < n {
            if defer && moved == NONE && k.unit == NONE && placed_any {
                if let Some(u) = self.unit_at(i) {
                    let uh = self.unit_height(u);
                    let box_ok = self.chunks[u.0].group.is_none() || k.col + 1 < self.p.cols;
                    let sb = self.chunks[i].space_before;
                    if y + sb + uh > h + EPS && uh <= next_h + EPS && box_ok && u.1 < n {
                        moved = u;
                        i = u.1;
                        continue;
                    }
                }
            }
            if moved != NONE && !self.may_pass(moved, i) {
                break;
            }
            let c = &self.chunks[i];
            let top = if placed_any { y + c.space_before } else { top_extra(self.chunks, self.groups, i) };
            let bottom = top + c.h;
            let full = bottom + bottom_extra(self.chunks, self.groups, i);
            // Images in the column may shrink (keeping their shape) to make room.
            let give = shrinkable + c.give;
            if full - give > h + EPS && (placed_any || h < self.p.page_h - EPS) {
                break;
            }
            // (An atom taller than a fresh page is placed alone rather than lost; collect
            // keeps every atom shorter than that, and the invariant checks report it.)
            y = bottom;
            placed_any = true;
            shrinkable = give;
            if let Some(pv) = prev {
                stretch += stretch_of(self.chunks, pv, i, self.p.line);
            }
            prev = Some(i);
            grow += c.grow;
            let white = (h - full).max(0.0);
            let shrunk = (full - h).max(0.0);
            let absorbed = white.min(stretch);
            let cropped = (white - absorbed).min(grow);
            let cost = c.break_after * (i + 1 < n) as u8 as f32
                + white_cost(white - absorbed - cropped, self.p.line)
                + STRETCH_COST * absorbed / self.p.line
                + GROW_COST * cropped / self.p.line
                + if shrunk > EPS { SHRINK_COST + SHRINK_LINE_COST * shrunk / self.p.line } else { 0.0 }
                + if moved == NONE { 0.0 } else if k.col + 1 < self.p.cols || !self.has_text(moved) { FLOAT_DEFER } else { FLOAT_DEFER_PAGE };
            if !(defer && moved == NONE) {
                out.push((i + 1, moved, cost));
            }
            i += 1;
            if full - give > h + EPS {
                break;
            }
        }
    }

    /// The chunks a column holds: the unit carried in, then `from..end` less the unit held back.
    fn content(&self, k: Key, end: usize, moved: Unit) -> Column {
        let mut col: Column = Vec::new();
        if k.unit != NONE {
            col.extend(k.unit.0..k.unit.1);
        }
        col.extend((k.next..end).filter(|&i| moved == NONE || i < moved.0 || i >= moved.1));
        col
    }

    /// What is left from state `k`, in order.
    fn rest(&self, k: Key) -> Vec<usize> {
        self.content(k, self.chunks.len(), NONE)
    }
}

/// Distribute `chunks` (one band) by least total cost.
pub fn distribute(chunks: &[Chunk], groups: &[Group], p: Params) -> Distributed {
    let n = chunks.len();
    if n == 0 {
        return Distributed { parts: vec![Vec::new()], ends_at_page_break: false };
    }
    let w = Walk { chunks, groups, p };
    let start = Key { next: 0, rank: 1, page: 0, col: 0, unit: NONE };
    let mut best: BTreeMap<Key, (f32, Step)> = BTreeMap::new();
    best.insert(start, (0.0, Step::Start));
    let mut done: BTreeMap<Key, (f32, Step)> = BTreeMap::new();
    // The best way to finish: total cost, the state it finishes from, its last part.
    let mut finish: Option<(f32, Key, Option<Vec<Column>>)> = None;
    let mut cols_buf = Vec::new();
    let mut suffix = vec![0.0f32; n + 1];
    for i in (0..n).rev() {
        suffix[i] = suffix[i + 1] + chunks[i].h;
    }
    while let Some((k, (cost, step))) = best.pop_first() {
        done.insert(k, (cost, step));
        if finish.as_ref().is_some_and(|(f, ..)| cost >= *f) {
            continue;
        }
        // Finish here: the rest balanced on this page.
        if k.col == 0 {
            // (The rest's height from suffix sums first: most states are far from the end.)
            let unit_h: f32 = if k.unit == NONE { 0.0 } else { chunks[k.unit.0..k.unit.1].iter().map(|c| c.h).sum() };
            let rest_h = suffix[k.next.min(n)] + unit_h;
            let fits_page = rest_h <= w.height(k.page) * p.cols as f32 + EPS;
            let rest = if fits_page { w.rest(k) } else { Vec::new() };
            let room = w.height(k.page) - p.reserve;
            if !fits_page {
            } else if rest.is_empty() {
                if k.page == 1 {
                    // What follows (the contact footer) would start a page alone.
                    let c = cost + if p.reserve > 0.0 { DEFECT } else { 0.0 };
                    if finish.as_ref().is_none_or(|(f, ..)| c < *f) {
                        finish = Some((c, k, None));
                    }
                }
            } else {
                let total: f32 = rest.iter().map(|&i| chunks[i].h - chunks[i].give).sum();
                // Or balanced on the whole page, what follows (the footer) on a page of its own.
                let full = w.height(k.page);
                if p.reserve > 0.0 && total <= full * p.cols as f32 + EPS {
                    if let Some((cols, c)) = balance(chunks, groups, &rest, p.cols, full, p.line) {
                        let c = cost + c + DEFECT;
                        if finish.as_ref().is_none_or(|(f, ..)| c < *f) {
                            finish = Some((c, k, Some(cols)));
                        }
                    }
                }
                if total <= room * p.cols as f32 + EPS {
                    if let Some((cols, c)) = balance(chunks, groups, &rest, p.cols, room, p.line) {
                        let used = cols.iter().map(|col| stack(chunks, groups, col).1).fold(0.0, f32::max);
                        let left = room - used;
                        // The next band cannot start below: the part fills the page, its gaps
                        // and images taking up what they can of the white.
                        let tail = if p.next_min > 0.0 && left < p.next_min {
                            let reach = cols.iter().map(|col| stack(chunks, groups, col).1 + absorbable(chunks, col, p.line)).fold(room, f32::min).max(used);
                            white_cost(room - reach, p.line) + STRETCH_COST * (reach - used) / p.line
                        } else {
                            0.0
                        };
                        let c = cost + c + tail;
                        if finish.as_ref().is_none_or(|(f, ..)| c < *f) {
                            finish = Some((c, k, Some(cols)));
                        }
                    }
                }
            }
        } else if k.next >= n && k.unit == NONE {
            // The flow ended with columns of this page left empty: only as a last resort.
            let c = cost + EMPTY_COLUMN * (p.cols - k.col) as f32;
            if finish.as_ref().is_none_or(|(f, ..)| c < *f) {
                finish = Some((c, k, None));
            }
            continue;
        }
        // Leave the rest of the current page empty (the band's start does not fit it).
        if k == start && p.first_h < p.page_h - EPS {
            let to = Key { page: 1, ..start };
            let c = cost + white_cost(p.first_h, p.line) * p.cols as f32;
            relax(&mut best, &done, to, c, Step::Skip(k));
        }
        cols_buf.clear();
        w.columns(k, &mut cols_buf);
        for &(end, moved, c) in &cols_buf {
            let to = w.next_key(k, end, moved);
            relax(&mut best, &done, to, cost + c, Step::Column { from: k, end, moved });
        }
    }
    // Refine the last page's balance now that it is chosen.
    if let Some((_, k, Some(cols))) = finish.as_mut() {
        let rest = w.rest(*k);
        let used = cols.iter().map(|c| stack(chunks, groups, c).1).fold(0.0, f32::max);
        let room = w.height(k.page) - p.reserve;
        let room = if used > room + EPS { w.height(k.page) } else { room };
        if let Some((exact, _)) = super::balance::balance_exact(chunks, groups, &rest, p.cols, room, p.line) {
            *cols = exact;
        }
    }
    match finish {
        Some((_, k, last)) => rebuild(&w, &done, k, last),
        None => fallback(chunks, groups, p),
    }
}

fn relax(best: &mut BTreeMap<Key, (f32, Step)>, done: &BTreeMap<Key, (f32, Step)>, to: Key, cost: f32, step: Step) {
    if done.contains_key(&to) {
        return;
    }
    match best.get(&to) {
        Some((c, _)) if *c <= cost => {}
        _ => {
            best.insert(to, (cost, step));
        }
    }
}

/// Follow the steps back from the finishing state and group the columns into pages.
fn rebuild(w: &Walk, done: &BTreeMap<Key, (f32, Step)>, last_key: Key, last: Option<Vec<Column>>) -> Distributed {
    let mut steps: Vec<(Key, Step)> = Vec::new();
    let mut k = last_key;
    while let Some(&(_, step)) = done.get(&k) {
        match step {
            Step::Start => break,
            Step::Skip(from) => {
                steps.push((k, step));
                k = from;
            }
            Step::Column { from, .. } => {
                steps.push((k, step));
                k = from;
            }
        }
    }
    steps.reverse();
    let mut parts: Vec<Vec<Column>> = vec![Vec::new()];
    for (_, step) in steps {
        match step {
            Step::Skip(_) => parts.push(Vec::new()),
            Step::Column { from, end, moved } => {
                if from.col == 0 && parts.last().is_some_and(|p| !p.is_empty()) {
                    parts.push(Vec::new());
                }
                if let Some(p) = parts.last_mut() {
                    p.push(w.content(from, end, moved));
                }
            }
            Step::Start => {}
        }
    }
    let ends_at_page_break = last.is_none();
    if let Some(cols) = last {
        if parts.last().is_some_and(|p| !p.is_empty()) {
            parts.push(Vec::new());
        }
        if let Some(p) = parts.last_mut() {
            *p = cols;
        }
    }
    Distributed { parts, ends_at_page_break }
}

/// Should the search find nothing (it always finds a way when every chunk fits a fresh page):
/// first-fit columns, never past a region.
fn fallback(chunks: &[Chunk], groups: &[Group], p: Params) -> Distributed {
    let mut parts: Vec<Vec<Column>> = vec![Vec::new()];
    let mut h = p.first_h;
    let mut col: Column = Vec::new();
    let mut i = 0;
    while i < chunks.len() {
        let mut trial = col.clone();
        trial.push(i);
        if stack(chunks, groups, &trial).1 <= h + EPS || (col.is_empty() && h >= p.page_h - EPS) {
            col = trial;
            i += 1;
            continue;
        }
        if !col.is_empty() {
            if let Some(pp) = parts.last_mut() {
                pp.push(std::mem::take(&mut col));
            }
        }
        if parts.last().map_or(0, |pp| pp.len()) >= p.cols || col.is_empty() && h < p.page_h - EPS {
            parts.push(Vec::new());
            h = p.page_h;
        }
    }
    if !col.is_empty() {
        if let Some(pp) = parts.last_mut() {
            pp.push(col);
        }
    }
    Distributed { parts, ends_at_page_break: true }
}

#[cfg(test)]
mod tests {
    use super::super::{place_columns, Kind, FREE, KEEP_WITH_NEXT, WIDOW};
    use super::*;

    fn lines(n: usize) -> Vec<Chunk> {
        (0..n).map(|i| Chunk { h: 10.0, break_after: if i == 0 || i + 2 == n { WIDOW } else { FREE }, ..Default::default() }).collect()
    }

    fn check(chunks: &[Chunk], groups: &[Group], p: Params, d: &Distributed) {
        let mut all: Vec<usize> = Vec::new();
        for (pi, part) in d.parts.iter().enumerate() {
            let h = if pi == 0 { p.first_h } else { p.page_h };
            let room = if pi + 1 == d.parts.len() && !d.ends_at_page_break { h - p.reserve } else { h };
            assert!(part.len() <= p.cols);
            for c in part {
                assert!(!c.is_empty(), "empty column");
                assert!(stack(chunks, groups, c).1 <= room + EPS, "column past its region: {} > {room}", stack(chunks, groups, c).1);
                all.extend(c);
            }
            let _ = place_columns(chunks, groups, part);
        }
        all.sort();
        assert_eq!(all, (0..chunks.len()).collect::<Vec<_>>(), "every chunk once");
    }

    #[test]
    fn fills_pages_then_balances_the_last() {
        let chunks = lines(130);
        let p = Params { cols: 2, first_h: 300.0, page_h: 500.0, reserve: 0.0, next_min: 0.0, line: 10.0 };
        let d = distribute(&chunks, &[], p);
        check(&chunks, &[], p, &d);
        assert_eq!(d.parts.len(), 2);
        assert_eq!(d.parts[0].iter().map(|c| c.len()).collect::<Vec<_>>(), vec![30, 30]);
        let last: Vec<usize> = d.parts[1].iter().map(|c| c.len()).collect();
        assert_eq!(last, vec![35, 35]);
    }

    #[test]
    fn a_float_that_does_not_fit_moves_to_the_next_column() {
        let mut chunks = lines(70);
        chunks[25] = Chunk { kind: Kind::Float, h: 120.0, space_before: 5.0, ..Default::default() };
        let p = Params { cols: 2, first_h: 300.0, page_h: 300.0, reserve: 0.0, next_min: 0.0, line: 10.0 };
        let d = distribute(&chunks, &[], p);
        check(&chunks, &[], p, &d);
        // The first column is full (no 5 lines of white before the image).
        let first = &d.parts[0][0];
        assert!(stack(&chunks, &[], first).1 > 260.0, "{first:?}");
    }

    #[test]
    fn reserve_leaves_room_below_the_last_part() {
        let chunks = lines(70);
        let p = Params { cols: 2, first_h: 300.0, page_h: 300.0, reserve: 100.0, next_min: 0.0, line: 10.0 };
        let d = distribute(&chunks, &[], p);
        check(&chunks, &[], p, &d);
    }

    #[test]
    fn a_start_that_does_not_fit_goes_to_the_next_page() {
        let mut chunks = lines(10);
        chunks[0] = Chunk { kind: Kind::Heading, h: 30.0, break_after: KEEP_WITH_NEXT, ..Default::default() };
        let p = Params { cols: 1, first_h: 25.0, page_h: 300.0, reserve: 0.0, next_min: 0.0, line: 10.0 };
        let d = distribute(&chunks, &[], p);
        check(&chunks, &[], p, &d);
        assert!(d.parts[0].is_empty());
    }

    #[test]
    fn no_column_is_left_empty() {
        for n in 1..12 {
            let chunks = lines(n);
            let p = Params { cols: 3, first_h: 300.0, page_h: 300.0, reserve: 0.0, next_min: 0.0, line: 10.0 };
            let d = distribute(&chunks, &[], p);
            check(&chunks, &[], p, &d);
            if n >= 3 {
                assert_eq!(d.parts.last().unwrap().len(), 3, "{n} lines: {:?}", d.parts);
            }
        }
    }

    fn boxed(chunks: &mut Vec<Chunk>, n: usize) -> Vec<Group> {
        let g = Group { fill: None, stroke: None, bar: None, top: None, pad: 5.0, cue: None, cue_h: 8.0, floats: true };
        let start = chunks.len();
        for i in 0..n {
            let pen = if i + 1 == n { FREE } else if i == 0 || i + 2 == n { super::super::BOX_THIN } else { super::super::BOX_SPLIT };
            chunks.push(Chunk { h: 10.0 + if i == 0 || i + 1 == n { 5.0 } else { 0.0 }, break_after: pen, group: Some(0), ..Default::default() });
        }
        chunks[start].space_before = 12.0;
        vec![g]
    }

    #[test]
    fn a_small_box_alone_is_balanced_whole_not_spread_over_the_columns() {
        // A band holding only a 4-line box in 4 columns: evening the bottoms would put a
        // line in each column, each in a frame of its own with a cue.
        let mut chunks = Vec::new();
        let groups = boxed(&mut chunks, 4);
        let seq: Vec<usize> = (0..4).collect();
        let (cols, _) = super::super::balance::balance(&chunks, &groups, &seq, 4, 300.0, 10.0).expect("it fits");
        assert_eq!(cols.iter().filter(|c| !c.is_empty()).count(), 1, "the box stays in one column: {cols:?}");
    }

    #[test]
    fn a_heading_and_the_subheading_it_keeps_with_share_a_column() {
        // A section of a heading and a subheading only, alone in a two-column band: the
        // second column stays empty rather than the heading stand alone in the first.
        let chunks = vec![
            Chunk { kind: Kind::Heading, h: 20.0, break_after: KEEP_WITH_NEXT, ..Default::default() },
            Chunk { kind: Kind::Heading, h: 12.0, space_before: 4.0, break_after: FREE, ..Default::default() },
        ];
        let (cols, _) = super::super::balance::balance(&chunks, &[], &[0, 1], 2, 300.0, 10.0).expect("it fits");
        assert_eq!(cols.iter().filter(|c| !c.is_empty()).count(), 1, "{cols:?}");
    }

    #[test]
    fn a_box_that_fits_a_column_stays_whole() {
        // 25 lines, then an 8-line box that would cross the first column's foot, then 40 lines.
        let mut chunks = lines(25);
        let groups = boxed(&mut chunks, 8);
        chunks.extend(lines(40));
        let p = Params { cols: 2, first_h: 300.0, page_h: 300.0, reserve: 0.0, next_min: 0.0, line: 10.0 };
        let d = distribute(&chunks, &groups, p);
        check(&chunks, &groups, p, &d);
        let holding: Vec<usize> = d.parts.iter().flatten().enumerate().filter(|(_, c)| c.iter().any(|&i| chunks[i].group.is_some())).map(|(k, _)| k).collect();
        assert_eq!(holding.len(), 1, "the box is in one column: {:?}", d.parts);
    }

    #[test]
    fn an_image_may_shrink_to_end_a_column() {
        let mut chunks = lines(24);
        chunks.push(Chunk { kind: Kind::Float, h: 100.0, give: 50.0, space_before: 5.0, ..Default::default() });
        let n = chunks.len();
        chunks.push(Chunk { kind: Kind::Heading, h: 20.0, break_after: super::super::KEEP_WITH_NEXT, space_before: 10.0, ..Default::default() });
        chunks.extend(lines(60));
        let p = Params { cols: 1, first_h: 300.0, page_h: 300.0, reserve: 0.0, next_min: 0.0, line: 10.0 };
        let d = distribute(&chunks, &[], p);
        // The first page ends with the image, shrunk: 240 + 5 + 55 = 300.
        let first = &d.parts[0][0];
        assert_eq!(*first.last().unwrap(), n - 1, "{first:?}");
        let (_, h) = stack(&chunks, &[], first);
        assert!(h > 300.0 && h - chunks[n - 1].give <= 300.0 + EPS);
    }

    #[test]
    fn an_image_shrinks_so_the_text_after_it_fills_the_column() {
        // 20 lines, an image of 100 that may give 50, then a paragraph of 8 lines kept whole
        // (a widow and orphan everywhere inside it): at full size the paragraph cannot follow.
        let mut chunks = lines(20);
        chunks.push(Chunk { kind: Kind::Float, h: 100.0, give: 50.0, ..Default::default() });
        for i in 0..8 {
            chunks.push(Chunk { h: 10.0, break_after: if i < 7 { super::super::FORBIDDEN } else { 0.0 }, ..Default::default() });
        }
        chunks.extend(lines(40));
        let p = Params { cols: 1, first_h: 360.0, page_h: 360.0, reserve: 0.0, next_min: 0.0, line: 10.0 };
        let d = distribute(&chunks, &[], p);
        let first = &d.parts[0][0];
        let (_, h) = stack(&chunks, &[], first);
        assert!(first.contains(&28), "the paragraph after the image stays on page 1: {first:?}");
        assert!(h > 360.0 && h - 50.0 <= 360.0 + EPS, "the image gives what the column lacks: {h}");
    }

    #[test]
    fn a_captioned_image_shrinks_rather_than_move_onto_the_next_page() {
        // 25 lines, an image of 100 (may give 50) with a caption word, then 60 lines, one
        // column of 300: at full size the image does not fit page 1. Moving it to page 2
        // (the text after it filling page 1) would put its caption after that text.
        let caption = crate::layout::display::Item::Text { mark: crate::layout::display::Mark::Artifact, face: 0, size: 8.0, colour: crate::brand::Rgb(0.0, 0.0, 0.0), x: 0.0, y: 0.0, width: 0.0, glyphs: Vec::new(), hyphen: false, invisible: false };
        let with_caption = |text: bool| {
            let mut chunks = lines(25);
            chunks.push(Chunk { kind: Kind::Float, h: 100.0, give: 50.0, items: if text { vec![caption.clone()] } else { Vec::new() }, ..Default::default() });
            chunks.extend(lines(60));
            chunks
        };
        let p = Params { cols: 1, first_h: 300.0, page_h: 300.0, reserve: 0.0, next_min: 0.0, line: 10.0 };
        let chunks = with_caption(true);
        let d = distribute(&chunks, &[], p);
        assert!(d.parts[0][0].contains(&25), "the captioned image stays on page 1, shrunk: {:?}", d.parts[0][0]);
        // Without words to put out of order, moving it (the text filling page 1) is cheaper.
        let chunks = with_caption(false);
        let d = distribute(&chunks, &[], p);
        assert!(!d.parts[0][0].contains(&25), "an image without a caption may move on: {:?}", d.parts[0][0]);
    }

    #[test]
    fn a_heading_is_never_split_across_columns() {
        // A band starting 5 lines above the page foot with a 12-line heading: cheaper in
        // breaks to spread the heading over the three short columns, but a heading always
        // fits a fresh column whole.
        let mut chunks: Vec<Chunk> = (0..12).map(|i| Chunk { kind: Kind::Heading, h: 10.0, break_after: if i < 11 { super::super::HEADING_SPLIT } else { super::super::KEEP_WITH_NEXT }, ..Default::default() }).collect();
        chunks.extend(lines(150));
        let p = Params { cols: 3, first_h: 50.0, page_h: 300.0, reserve: 0.0, next_min: 0.0, line: 10.0 };
        let d = distribute(&chunks, &[], p);
        let heading_cols: Vec<usize> = d.parts.iter().flatten().enumerate().filter(|(_, c)| c.iter().any(|&i| i < 12)).map(|(k, _)| k).collect();
        assert_eq!(heading_cols.len(), 1, "the heading lies in one column: {:?}", d.parts);
    }

    #[test]
    fn text_moved_above_an_image_stops_at_a_heading() {
        let mut chunks = lines(25);
        chunks.push(Chunk { kind: Kind::Float, h: 120.0, space_before: 5.0, ..Default::default() });
        chunks.push(Chunk { kind: Kind::Heading, h: 20.0, break_after: super::super::KEEP_WITH_NEXT, space_before: 10.0, ..Default::default() });
        chunks.extend(lines(60));
        let p = Params { cols: 2, first_h: 300.0, page_h: 300.0, reserve: 0.0, next_min: 0.0, line: 10.0 };
        let d = distribute(&chunks, &[], p);
        check(&chunks, &[], p, &d);
        // Wherever the image goes, the heading after it is never placed before it.
        let order: Vec<usize> = d.parts.iter().flatten().flatten().copied().collect();
        let img = order.iter().position(|&i| i == 25).unwrap();
        let head = order.iter().position(|&i| i == 26).unwrap();
        assert!(img < head, "{order:?}");
    }
}
