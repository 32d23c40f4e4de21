//! Lay out an issue: blocks into columns and pages, producing the display list (no PDF here).

pub mod display;
pub mod flow;

use crate::brand::{Rgb, Theme, MM};
use crate::images::Probe;
use crate::inline::{self, Run};
use crate::model::{Doc, ImageItem, Item as BodyItem, SectionBody};
use crate::text::fonts::{FontBook, Shaper, Style};
use crate::text::hyph::Hyphen;
use crate::text::para::{self, Line, ParaStyle};
use display::{Bookmark, Clip, Document, Item, Mark, Meta, Page, Rect, Role, Tree};
use flow::{Chunk, Group, Placed, NEVER};
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
    pub space_factor: f32,
    pub justified: bool,
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
}

pub(crate) fn offset_item(it: &Item, dx: f32, dy: f32) -> Item {
    let mut it = it.clone();
    match &mut it {
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
    it
}

/// A run of the flow with one column count and width.
struct Segment {
    cols: usize,
    width: f32,
    chunks: Vec<Chunk>,
}

struct Styles {
    body: ParaStyle,
    intro: ParaStyle,
    h2: ParaStyle,
    h3: ParaStyle,
    caption: ParaStyle,
    quote: ParaStyle,
    small: ParaStyle,
    name: ParaStyle,
    role: ParaStyle,
    title: ParaStyle,
    kicker: ParaStyle,
    edition: ParaStyle,
    footer_run: ParaStyle,
}

struct Builder<'a> {
    shaper: Shaper<'a>,
    hyph: Hyphen,
    theme: &'a Theme,
    tree: Tree,
    images: Vec<ImageRequest>,
    probes: &'a HashMap<PathBuf, Probe>,
    st: Styles,
    groups: Vec<Group>,
    para_id: usize,
    lines: Vec<LineFact>,
    col_w: f32,
    col_h: f32,
    missing: Vec<char>,
}

/// Lay out `doc` with `theme`; `probes` holds the size of every image file it uses.
pub fn layout(doc: &Doc, theme: &Theme, book: &FontBook, body_family: usize, heading_family: usize, probes: &HashMap<PathBuf, Probe>) -> Laid {
    let (pw, ph) = theme.page_size.points();
    let [mt, mr, mb, ml] = theme.margins;
    let text_w = pw - ml - mr;
    let cols = theme.columns.clamp(1, 4) as usize;
    let col_w = (text_w - (cols as f32 - 1.0) * theme.gutter) / cols as f32;
    let body_h = ph - mt - mb;
    let lead = theme.body_pt * theme.leading;
    // Justify only where a column holds about 40 characters or more.
    let chars_per_col = col_w / (theme.body_pt * 0.5);
    let justify = theme.justify && chars_per_col >= 40.0;
    let ps = |family: usize, size: f32, leading: f32, colour: Rgb, bold: bool, italic: bool, hyphenate: bool, justify: bool| ParaStyle {
        family,
        size,
        leading,
        colour,
        link_colour: theme.link,
        justify,
        hyphenate,
        bold,
        italic,
    };
    let hy = theme.hyphenate;
    let st = Styles {
        body: ps(body_family, theme.body_pt, lead, theme.text, false, false, hy, justify),
        intro: ps(body_family, theme.intro_pt, theme.intro_pt * 1.4, theme.text, false, false, hy, false),
        h2: ps(heading_family, theme.heading_pt, theme.heading_pt * 1.2, theme.primary, true, false, false, false),
        h3: ps(heading_family, theme.body_pt * 1.1, theme.body_pt * 1.1 * 1.3, theme.primary, true, false, false, false),
        caption: ps(body_family, theme.small_pt + 0.5, (theme.small_pt + 0.5) * 1.35, theme.muted, false, true, hy, false),
        quote: ps(heading_family, theme.body_pt * 1.3, theme.body_pt * 1.3 * 1.3, theme.primary, false, true, false, false),
        small: ps(body_family, theme.small_pt, theme.small_pt * 1.4, theme.muted, false, false, hy, false),
        name: ps(heading_family, theme.body_pt * 1.15, theme.body_pt * 1.15 * 1.3, theme.text, true, false, false, false),
        role: ps(body_family, theme.small_pt + 0.5, (theme.small_pt + 0.5) * 1.35, theme.muted, false, true, false, false),
        title: ps(heading_family, theme.title_pt, theme.title_pt * 1.12, theme.on_primary, true, false, false, false),
        kicker: ps(heading_family, theme.small_pt + 1.5, (theme.small_pt + 1.5) * 1.4, theme.on_primary, true, false, false, false),
        edition: ps(heading_family, theme.body_pt + 1.0, (theme.body_pt + 1.0) * 1.4, theme.on_primary, false, false, false, false),
        footer_run: ps(body_family, theme.small_pt, theme.small_pt * 1.3, theme.muted, false, false, false, false),
    };
    let mut b = Builder {
        shaper: Shaper::new(book, &doc.language),
        hyph: if theme.hyphenate { Hyphen::for_language(&doc.language) } else { Hyphen::none() },
        theme,
        tree: Tree::default(),
        images: Vec::new(),
        probes,
        st,
        groups: Vec::new(),
        para_id: 0,
        lines: Vec::new(),
        col_w,
        col_h: body_h,
        missing: Vec::new(),
    };
    b.check_chars(doc, book, body_family, heading_family);

    let mut pages: Vec<Page> = vec![Page { width: pw, height: ph, items: Vec::new() }];
    let mut outline: Vec<(u64, Bookmark)> = Vec::new();
    let mut keys: Vec<Vec<u64>> = Vec::new();
    // Masthead.
    let mast_h = b.masthead(doc, &mut pages[0], pw, ml, mr, mt);
    let mut segments: Vec<Segment> = Vec::new();
    // Intro: full width, larger.
    if !doc.intro.is_empty() {
        let mut chunks = Vec::new();
        for (i, p) in doc.intro.iter().enumerate() {
            let node = b.tree.add(0, Role::P);
            let style = b.st.intro.clone();
            let mut cs = b.para_chunks(&inline::parse(p), &style, text_w, 0.0, node, if i == 0 { 0.0 } else { theme.intro_pt * 0.6 }, false);
            chunks.append(&mut cs);
        }
        // A rule under the intro.
        let rule = Chunk {
            h: 6.0,
            space_before: lead * 0.6,
            break_after: 0.0,
            items: vec![Item::Rule { x1: 0.0, y1: 3.0, x2: text_w, y2: 3.0, colour: theme.accent, width: 1.2 }],
            ..Default::default()
        };
        chunks.push(rule);
        segments.push(Segment { cols: 1, width: text_w, chunks });
    }
    let mut current: Vec<Chunk> = Vec::new();
    for s in &doc.sections {
        let sect = b.tree.add(0, Role::Sect);
        match &s.kind {
            SectionBody::Section { full: true } => {
                if !current.is_empty() {
                    segments.push(Segment { cols, width: col_w, chunks: std::mem::take(&mut current) });
                }
                let saved = b.col_w;
                b.col_w = text_w;
                let mut chunks = Vec::new();
                if let Some(h) = &s.heading {
                    chunks.push(b.heading(h, sect, text_w, true));
                }
                b.body_items(&s.items, sect, text_w, &mut chunks);
                b.col_w = saved;
                // Each image its own segment, so the flow after it can fill a page it does not fit.
                let mut cur_part: Vec<Chunk> = Vec::new();
                for c in chunks {
                    if c.float {
                        if !cur_part.is_empty() {
                            segments.push(Segment { cols: 1, width: text_w, chunks: std::mem::take(&mut cur_part) });
                        }
                        segments.push(Segment { cols: 1, width: text_w, chunks: vec![c] });
                    } else {
                        cur_part.push(c);
                    }
                }
                if !cur_part.is_empty() {
                    segments.push(Segment { cols: 1, width: text_w, chunks: cur_part });
                }
            }
            SectionBody::Section { full: false } => {
                let mut chunks = Vec::new();
                if let Some(h) = &s.heading {
                    chunks.push(b.heading(h, sect, col_w, true));
                }
                // Full-width images break the column flow.
                let mut parts: Vec<(Vec<Chunk>, Option<Chunk>)> = Vec::new();
                b.body_items_split(&s.items, sect, col_w, text_w, &mut parts);
                current.extend(chunks);
                for (before, full) in parts {
                    current.extend(before);
                    if let Some(f) = full {
                        // A heading right before the image goes with it.
                        let head = if current.last().is_some_and(|c| c.heading) { current.pop() } else { None };
                        if !current.is_empty() {
                            segments.push(Segment { cols, width: col_w, chunks: std::mem::take(&mut current) });
                        }
                        segments.push(Segment { cols: 1, width: text_w, chunks: head.into_iter().chain(std::iter::once(f)).collect() });
                    }
                }
            }
            SectionBody::Callout => {
                let chunks = b.callout(s.heading.as_deref(), &s.items, sect, col_w);
                current.extend(chunks);
            }
            SectionBody::Profile { name, role, photo } => {
                let chunks = b.profile(s.heading.as_deref(), name, role.as_deref(), photo.as_ref(), &s.items, sect, col_w);
                current.extend(chunks);
            }
        }
    }
    if !current.is_empty() {
        segments.push(Segment { cols, width: col_w, chunks: current });
    }
    // Number every chunk in reading order before floats move any.
    let mut seq = 1u64;
    for seg in segments.iter_mut() {
        for c in seg.chunks.iter_mut() {
            c.seq = seq * 1024;
            if let Some(parts) = c.split.as_mut() {
                for (i, p) in parts.iter_mut().enumerate() {
                    p.seq = seq * 1024 + (i as u64).min(1023);
                }
            }
            seq += 1;
        }
    }
    // Contact footer.
    let footer = doc.footer.as_ref().map(|f| b.contact_footer(f, text_w));
    let footer_h = footer.as_ref().map(|c| c.h).unwrap_or(0.0);

    // Paginate.
    let top0 = mast_h;
    let bottom = ph - mb;
    let mut page_no = 0usize;
    let mut cur_y = top0;
    let seg_gap = lead;
    let nseg = segments.len();
    let mut splits: HashMap<(usize, usize, usize), usize> = HashMap::new(); // (para, page, col) -> lines
    let mut para_total: HashMap<usize, usize> = HashMap::new();
    let mut last_bottoms = Vec::new();
    let mut headings_at_foot = 0;
    let footer_gap = lead * 1.5;
    let _ = nseg;
    let mut si = 0usize;
    while si < segments.len() {
        // A full-width image that does not fit here: let the next columns fill this page first.
        let region_now = bottom - cur_y;
        if segments[si].cols == 1
            && segments[si].chunks.len() == 1
            && segments[si].chunks[0].float
            && segments[si].chunks[0].h + segments[si].chunks[0].space_before > region_now
            && region_now >= lead * 4.0
            && si + 1 < segments.len()
            && !(segments[si + 1].chunks.len() == 1 && segments[si + 1].chunks[0].float)
        {
            let next = &segments[si + 1];
            let e = if flow::balanced_height(&next.chunks, &b.groups, 0, next.cols, region_now).is_some() {
                next.chunks.len()
            } else {
                flow::fill_columns(&next.chunks, &b.groups, 0, next.cols, region_now).1
            };
            if e > 0 {
                let (cols, width) = (next.cols, next.width);
                let mut rest = std::mem::take(&mut segments[si + 1].chunks);
                let head: Vec<Chunk> = rest.drain(..e).collect();
                if rest.is_empty() {
                    segments.remove(si + 1);
                } else {
                    segments[si + 1].chunks = rest;
                }
                segments.insert(si, Segment { cols, width, chunks: head });
                // The image now comes after; it starts the next page.
            }
        }
        let nseg = segments.len();
        let seg = &mut segments[si];
        let is_last = si + 1 == nseg;
        let reserve = if is_last && footer.is_some() { footer_h + footer_gap } else { 0.0 };
        let mut at = 0usize;
        while at < seg.chunks.len() {
            let region = bottom - cur_y;
            if region < lead * 3.0 {
                pages.push(Page { width: pw, height: ph, items: Vec::new() });
                page_no += 1;
                cur_y = mt;
                continue;
            }
            flow::float_pass(&mut seg.chunks, &b.groups, at, seg.cols, region, lead);
            if seg.cols > 1 {
                // If a kept-together box stops the last columns balancing, let it break.
                if let Some((order, p)) = flow::balance_moving(&seg.chunks, &b.groups, at, seg.cols, region - reserve, lead) {
                    // Break a box only if moving floats cannot even the bottoms.
                    let sp = flow::spread(&flow::bottoms(&order, &p, seg.cols));
                    if sp > lead * 1.05 && seg.chunks[at..].iter().any(|c| c.split.is_some()) {
                        let mut alt: Vec<Chunk> = seg.chunks[..at].to_vec();
                        for c in &seg.chunks[at..] {
                            match &c.split {
                                Some(parts) => alt.extend(parts.iter().cloned()),
                                None => alt.push(c.clone()),
                            }
                        }
                        if let Some((alt_order, p2)) = flow::balance_moving(&alt, &b.groups, at, seg.cols, region - reserve, lead) {
                            if flow::spread(&flow::bottoms(&alt_order, &p2, seg.cols)) < sp - lead * 0.5 {
                                seg.chunks = alt;
                            }
                        }
                    }
                }
            }
            let (placed, end, col_h) = if let Some((order, mut p)) = flow::balance_moving(&seg.chunks, &b.groups, at, seg.cols, region - reserve, lead) {
                seg.chunks = order;
                flow::feather(&seg.chunks, &mut p, seg.cols, lead);
                (p, seg.chunks.len(), region - reserve)
            } else {
                let (mut p, mut e) = flow::fill_columns(&seg.chunks, &b.groups, at, seg.cols, region);
                // Nothing fits here with a legal break (a heading and its first lines, a
                // kept box): start a new page rather than strand the start at the foot.
                let first_col_last = p.iter().filter(|x| x.col == 0).map(|x| x.chunk).max();
                if let Some(l) = first_col_last {
                    if l + 1 < seg.chunks.len() && seg.chunks[l].break_after >= NEVER && cur_y > mt + 1.0 {
                        p.clear();
                        e = at;
                    }
                }
                // A kept-together box that does not fit the last column would leave a large
                // gap (it cannot float past the page): let it break here instead.
                if e < seg.chunks.len() && seg.chunks[e].split.is_some() {
                    let last_col = p.iter().map(|x| x.col).max().unwrap_or(0);
                    let used = p.iter().filter(|x| x.col == last_col).map(|x| x.y + seg.chunks[x.chunk].h).fold(0.0, f32::max);
                    if last_col + 1 == seg.cols && region - used > region * 0.25 {
                        let parts = seg.chunks[e].split.take().unwrap_or_default();
                        seg.chunks.splice(e..=e, parts);
                        (p, e) = flow::fill_columns(&seg.chunks, &b.groups, at, seg.cols, region);
                    }
                }
                if e >= seg.chunks.len() && reserve > 0.0 {
                    // Everything fits but not with the footer: leave some for the next page,
                    // letting kept-together boxes break so this page stays full.
                    let mut alt: Vec<Chunk> = seg.chunks[..at].to_vec();
                    for c in &seg.chunks[at..] {
                        match &c.split {
                            Some(parts) => alt.extend(parts.iter().cloned()),
                            None => alt.push(c.clone()),
                        }
                    }
                    seg.chunks = alt;
                    // Fill this page as usual but leave the last few lines (at a legal
                    // break) for the footer's page, so neither page is nearly empty.
                    let n = seg.chunks.len();
                    let want = (3 * seg.cols).min(n.saturating_sub(at) / 2).max(1);
                    // The latest legal cut (fewest lines moved) whose tail balances within a
                    // line on the footer's page; failing that, the most even of the nearby cuts.
                    let next_region = body_h - reserve;
                    let mut cut = None;
                    let mut best_sp = f32::INFINITY;
                    for i in (at + 1..=n.saturating_sub(want)).rev() {
                        if n - i > 3 * want && cut.is_some() {
                            break;
                        }
                        if seg.chunks[i - 1].break_after >= NEVER {
                            continue;
                        }
                        let sp = match flow::balance(&seg.chunks, &b.groups, i, seg.cols, next_region) {
                            Some(p) => flow::spread(&flow::bottoms(&seg.chunks, &p, seg.cols)),
                            None => f32::INFINITY,
                        };
                        if cut.is_none() || sp < best_sp - 0.5 {
                            cut = Some(i);
                            best_sp = sp;
                        }
                        if sp <= lead * 1.05 {
                            break;
                        }
                    }
                    match cut {
                        Some(c) => {
                            // This page's part is balanced too, so no column is left empty.
                            match flow::balance(&seg.chunks[..c], &b.groups, at, seg.cols, region) {
                                Some(mut p2) => {
                                    flow::feather(&seg.chunks[..c], &mut p2, seg.cols, lead);
                                    (p2, c, region)
                                }
                                None => {
                                    let (p2, e2) = flow::fill_columns(&seg.chunks[..c], &b.groups, at, seg.cols, region);
                                    (p2, e2, region)
                                }
                            }
                        }
                        None => {
                            let (p2, e2) = flow::fill_columns(&seg.chunks, &b.groups, at, seg.cols, region - reserve);
                            if e2 > at { (p2, e2, region - reserve) } else { (p, e, region) }
                        }
                    }
                } else {
                    (p, e, region)
                }
            };
            if end == at {
                // Nothing fits here: next page.
                pages.push(Page { width: pw, height: ph, items: Vec::new() });
                page_no += 1;
                cur_y = mt;
                continue;
            }
            if keys.len() <= page_no {
                keys.resize(page_no + 1, Vec::new());
            }
            let used = place(&mut pages[page_no], &mut keys[page_no], &seg.chunks, &b.groups, &placed, seg.cols, seg.width, ml, cur_y, theme.gutter, &mut outline, page_no, &mut b.tree);
            for p in &placed {
                if let Some((pid, _, total)) = seg.chunks[p.chunk].line_of {
                    *splits.entry((pid, page_no, p.col)).or_default() += 1;
                    para_total.insert(pid, total);
                }
            }
            // Headings at a column foot: a heading chunk (NEVER after) last in its column, with more to come.
            for c in 0..seg.cols {
                if let Some(last) = placed.iter().filter(|p| p.col == c).last() {
                    if seg.chunks[last.chunk].break_after >= NEVER && last.chunk + 1 < seg.chunks.len() && last.chunk + 1 >= end {
                        headings_at_foot += 1;
                    }
                }
            }
            at = end;
            if at < seg.chunks.len() {
                pages.push(Page { width: pw, height: ph, items: Vec::new() });
                page_no += 1;
                cur_y = mt;
            } else {
                if is_last {
                    last_bottoms = (0..seg.cols)
                        .filter_map(|c| placed.iter().filter(|p| p.col == c).last().map(|p| cur_y + p.y + seg.chunks[p.chunk].h))
                        .collect();
                }
                let _ = col_h;
                cur_y += used + if is_last { 0.0 } else { seg_gap };
            }
        }
        si += 1;
    }
    // Content streams in reading order, whatever floats did to the placement.
    for (pi, page) in pages.iter_mut().enumerate() {
        let Some(k) = keys.get_mut(pi) else { continue };
        k.resize(page.items.len(), 0);
        let mut idx: Vec<usize> = (0..page.items.len()).collect();
        idx.sort_by_key(|&i| k[i]);
        let items = std::mem::take(&mut page.items);
        let mut slots: Vec<Option<Item>> = items.into_iter().map(Some).collect();
        page.items = idx.into_iter().filter_map(|i| slots[i].take()).collect();
    }
    outline.sort_by_key(|(k, _)| *k);
    let outline: Vec<Bookmark> = outline.into_iter().map(|(_, b)| b).collect();
    if let Some(f) = footer {
        let room = bottom - cur_y;
        if room < footer_h + lead * 0.5 {
            pages.push(Page { width: pw, height: ph, items: Vec::new() });
            page_no += 1;
            cur_y = mt;
        }
        let room = bottom - cur_y;
        // At the page foot, unless that leaves more than a quarter page of white above it.
        let gap = room - footer_h;
        let y = if gap <= ph / 4.0 { bottom - footer_h } else { cur_y + footer_gap };
        for it in &f.items {
            pages[page_no].items.push(offset_item(it, ml, y));
        }
        for (node, r) in &f.figures {
            b.tree.nodes[*node].bbox = Some((page_no, Rect::new(r.x + ml, r.y + y, r.w, r.h)));
        }
    }
    // Running footer on every page.
    let n = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        let y = ph - mb * 0.45;
        page.items.push(Item::Rule { x1: ml, y1: y - theme.small_pt * 1.6, x2: pw - mr, y2: y - theme.small_pt * 1.6, colour: theme.muted, width: 0.4 });
        let left = b.plain_line(&doc.edition, &b.st.footer_run.clone());
        let right = b.plain_line(&format!("{} of {}", i + 1, n), &b.st.footer_run.clone());
        push_line(&mut page.items, &left, ml, y, Mark::Artifact, &mut None);
        push_line(&mut page.items, &right, pw - mr - right.width, y, Mark::Artifact, &mut None);
    }
    let mut split_list = Vec::new();
    for ((pid, _, _), cnt) in &splits {
        split_list.push((*pid, *cnt, para_total.get(pid).copied().unwrap_or(*cnt)));
    }
    split_list.sort();
    let meta = Meta {
        title: doc.title.clone(),
        author: theme.name.clone(),
        subject: match &doc.kicker {
            Some(k) => format!("{k}, {}", doc.edition),
            None => doc.edition.clone(),
        },
        language: doc.language.clone(),
        keywords: String::new(),
    };
    let line_height = lead;
    let missing = std::mem::take(&mut b.missing);
    Laid {
        document: Document { pages, tree: b.tree, images: Vec::new(), outline, meta },
        images: b.images,
        lines: b.lines,
        splits: split_list,
        last_bottoms,
        line_height,
        headings_at_foot,
        missing_chars: missing,
    }
}

/// Put placed chunks on a page; returns the height used.
#[allow(clippy::too_many_arguments)]
fn place(page: &mut Page, keys: &mut Vec<u64>, chunks: &[Chunk], groups: &[Group], placed: &[Placed], cols: usize, col_w: f32, x0: f32, top: f32, gutter: f32, outline: &mut Vec<(u64, Bookmark)>, page_no: usize, tree: &mut Tree) -> f32 {
    let mut used: f32 = 0.0;
    // Items already on the page (the masthead) come first in reading order.
    keys.resize(page.items.len(), 0);
    for col in 0..cols {
        let cx = x0 + col as f32 * (col_w + gutter);
        let (behind, cues) = flow::group_frames(chunks, groups, placed, col, cx, col_w, top);
        for (k, it) in behind.into_iter().chain(cues) {
            page.items.push(it);
            keys.push(k);
        }
        for p in placed.iter().filter(|p| p.col == col) {
            let c = &chunks[p.chunk];
            for it in &c.items {
                page.items.push(offset_item(it, cx, top + p.y));
                keys.push(c.seq * 2 + 1);
            }
            for (t, y) in &c.bookmarks {
                outline.push((c.seq, Bookmark { title: t.clone(), page: page_no, y: top + p.y + y }));
            }
            for (node, r) in &c.figures {
                tree.nodes[*node].bbox = Some((page_no, Rect::new(r.x + cx, r.y + top + p.y, r.w, r.h)));
            }
            let mut bottom = p.y + c.h;
            if let Some(g) = c.group {
                if chunks.get(p.chunk + 1).and_then(|n| n.group) == Some(g) {
                    bottom += groups[g].pad;
                }
            }
            used = used.max(bottom);
        }
    }
    used
}

/// Add a set line's runs as items at (x, baseline y); link runs become Link nodes.
/// Consecutive runs of one link on a line share one annotation and one underline.
fn push_line(items: &mut Vec<Item>, line: &Line, x: f32, y: f32, mark: Mark, links: &mut Option<LinkCtx>) {
    let mut open: Option<(usize, String, f32, f32, f32, Rgb)> = None; // node, url, x0, x1, size, colour
    let flush = |items: &mut Vec<Item>, open: &mut Option<(usize, String, f32, f32, f32, Rgb)>| {
        if let Some((node, url, x0, x1, size, colour)) = open.take() {
            items.push(Item::Link { node, rect: Rect::new(x0, y - size * 0.95, x1 - x0, size * 1.25), uri: url });
            items.push(Item::Rule { x1: x0, y1: y + size * 0.13, x2: x1, y2: y + size * 0.13, colour, width: (size * 0.06).max(0.4) });
        }
    };
    for r in &line.runs {
        let run_mark = match (&r.link, links.as_mut()) {
            (Some(url), Some(ctx)) if !url.is_empty() => Mark::Node(ctx.node_for(url, r)),
            _ => mark,
        };
        items.push(Item::Text { mark: run_mark, face: r.face, size: r.size, colour: r.colour, x: x + r.x, y, glyphs: r.glyphs.clone(), hyphen: r.hyphen });
        match (&r.link, run_mark) {
            (Some(url), Mark::Node(node)) if !url.is_empty() && node != match mark { Mark::Node(n) => n, _ => usize::MAX } => {
                let same = matches!(&open, Some((n, u, ..)) if *n == node && u == url);
                if same {
                    if let Some(o) = open.as_mut() {
                        o.3 = x + r.x + r.width;
                    }
                } else {
                    flush(items, &mut open);
                    open = Some((node, url.clone(), x + r.x, x + r.x + r.width, r.size, r.colour));
                }
            }
            _ => flush(items, &mut open),
        }
    }
    flush(items, &mut open);
    if let Some(ctx) = links.as_mut() {
        ctx.end_line(line);
    }
}

/// Tracks Link structure nodes within one paragraph.
struct LinkCtx<'t> {
    tree: &'t mut Tree,
    parent: usize,
    current: Option<(String, usize)>,
}

impl LinkCtx<'_> {
    fn node_for(&mut self, url: &str, run: &para::LineRun) -> usize {
        let text: String = run.glyphs.iter().map(|g| g.text.as_str()).collect();
        if let Some((u, n)) = &self.current {
            if u == url {
                let n = *n;
                let t = self.tree.nodes[n].text.get_or_insert_with(String::new);
                if !t.is_empty() {
                    t.push(' ');
                }
                t.push_str(&text);
                return n;
            }
        }
        let n = self.tree.add(self.parent, Role::Link);
        self.tree.nodes[n].text = Some(text);
        self.current = Some((url.to_string(), n));
        n
    }
    fn end_line(&mut self, line: &Line) {
        // A link continues onto the next line only if this line ends with it.
        if line.runs.last().map(|r| r.link.is_none() && !r.hyphen).unwrap_or(true) {
            self.current = None;
        }
    }
}

fn baseline(style: &ParaStyle, cap: f32) -> f32 {
    (style.leading + cap * style.size) / 2.0
}

impl Builder<'_> {
    fn check_chars(&mut self, doc: &Doc, book: &FontBook, body: usize, heading: usize) {
        let mut texts: Vec<&str> = vec![&doc.title, &doc.edition];
        if let Some(k) = &doc.kicker {
            texts.push(k);
        }
        texts.extend(doc.intro.iter().map(|s| s.as_str()));
        for s in &doc.sections {
            texts.extend(s.heading.as_deref());
            if let SectionBody::Profile { name, role, .. } = &s.kind {
                texts.push(name);
                texts.extend(role.as_deref());
            }
            for it in &s.items {
                match it {
                    BodyItem::Paragraph(p) | BodyItem::Subheading(p) => texts.push(p),
                    BodyItem::List { items, .. } => texts.extend(items.iter().map(|s| s.as_str())),
                    BodyItem::Image(i) => texts.extend(i.caption.as_deref()),
                    BodyItem::Quote { text, by } => {
                        texts.push(text);
                        texts.extend(by.as_deref());
                    }
                }
            }
        }
        let faces = [book.face(body, Style::REGULAR), book.face(heading, Style::BOLD)];
        for t in texts {
            for c in t.chars() {
                if !faces.iter().all(|f| book.faces[*f].has_char(c)) && !self.missing.contains(&c) {
                    self.missing.push(c);
                }
            }
        }
    }

    /// Set a paragraph as line chunks (widow/orphan control through break penalties).
    #[allow(clippy::too_many_arguments)]
    fn para_chunks(&mut self, runs: &[Run], style: &ParaStyle, width: f32, x: f32, node: usize, space_before: f32, report: bool) -> Vec<Chunk> {
        let lines = para::set(&mut self.shaper, &self.hyph, runs, style, &|_| width);
        self.lines_to_chunks(lines, style, x, node, space_before, report)
    }

    fn lines_to_chunks(&mut self, lines: Vec<Line>, style: &ParaStyle, x: f32, node: usize, space_before: f32, report: bool) -> Vec<Chunk> {
        let cap = self.shaper.book.faces[self.shaper.book.face(style.family, Style::REGULAR)].cap_height;
        let n = lines.len();
        let pid = self.para_id;
        self.para_id += 1;
        let mut ctx = Some(LinkCtx { tree: &mut self.tree, parent: node, current: None });
        let mut out = Vec::with_capacity(n);
        for (i, line) in lines.iter().enumerate() {
            let mut items = Vec::new();
            push_line(&mut items, line, x, baseline(style, cap), Mark::Node(node), &mut ctx);
            // Break rules: no orphan (after line 1), no widow (before the last), not after a hyphen.
            let break_after = if i + 1 == n {
                0.0
            } else if i == 0 || i + 2 == n || line.hyphenated {
                NEVER
            } else {
                0.0
            };
            out.push(Chunk { h: style.leading, space_before: if i == 0 { space_before } else { 0.0 }, break_after, items, line_of: report.then_some((pid, i, n)), ..Default::default() });
        }
        if report {
            for l in &lines {
                let chars = l.text().chars().count();
                self.lines.push(LineFact { measure: l.measure, width: l.width, chars, hyphenated: l.hyphenated, space_factor: l.space_factor, justified: style.justify });
            }
        }
        out
    }

    /// Set a title or heading with its lines as even as possible (no word left alone on
    /// the last line): the narrowest measure that keeps the same number of lines.
    fn balanced_lines(&mut self, runs: &[Run], style: &ParaStyle, width: f32) -> Vec<Line> {
        let lines = para::set(&mut self.shaper, &Hyphen::none(), runs, style, &|_| width);
        if lines.len() < 2 {
            return lines;
        }
        let n = lines.len();
        // Never narrower than the widest word (that would break words apart).
        let widest = runs
            .iter()
            .flat_map(|r| {
                let face = self.shaper.book.face(style.family, Style { bold: r.bold || style.bold, italic: r.italic || style.italic });
                r.text.split_whitespace().map(move |w| (face, w.to_string())).collect::<Vec<_>>()
            })
            .map(|(face, w)| self.shaper.width(face, &w) * style.size)
            .fold(0.0f32, f32::max);
        let (mut lo, mut hi) = ((width * 0.5).max(widest + 1.0).min(width), width);
        let mut best = lines;
        for _ in 0..10 {
            let mid = (lo + hi) / 2.0;
            let l = para::set(&mut self.shaper, &Hyphen::none(), runs, style, &|_| mid);
            if l.len() == n && l.iter().all(|x| x.width <= mid + 0.5) {
                hi = mid;
                best = l;
            } else {
                lo = mid;
            }
        }
        best
    }

    /// One line of plain text (running footer and the like).
    fn plain_line(&mut self, text: &str, style: &ParaStyle) -> Line {
        let mut s = style.clone();
        s.hyphenate = false;
        let lines = para::set(&mut self.shaper, &Hyphen::none(), &[Run::plain(text)], &s, &|_| 100_000.0);
        lines.into_iter().next().unwrap_or(Line { runs: vec![], width: 0.0, measure: 0.0, hyphenated: false, ratio: 0.0, space_factor: 1.0 })
    }

    fn heading(&mut self, text: &str, parent: usize, width: f32, bookmark: bool) -> Chunk {
        let node = self.tree.add(parent, Role::H2);
        let style = self.st.h2.clone();
        let lines = self.balanced_lines(&inline::parse(text), &style, width);
        let cap = self.shaper.book.faces[self.shaper.book.face(style.family, Style::BOLD)].cap_height;
        let bar = 5.0;
        let mut items = vec![Item::Box { rect: Rect::new(0.0, 0.0, 22.0, 2.2), fill: Some(self.theme.accent), stroke: None, bleed: false }];
        let mut ctx = Some(LinkCtx { tree: &mut self.tree, parent: node, current: None });
        let mut y = bar;
        for l in &lines {
            push_line(&mut items, l, 0.0, y + baseline(&style, cap), Mark::Node(node), &mut ctx);
            y += style.leading;
        }
        let plain = inline::plain(&inline::parse(text));
        Chunk {
            h: y + self.st.body.leading * 0.3,
            space_before: self.st.body.leading * 1.4,
            break_after: NEVER,
            items,
            heading: true,
            bookmarks: if bookmark { vec![(plain, 0.0)] } else { vec![] },
            ..Default::default()
        }
    }

    /// Body items at `width`; full-width images are set at column width here (full-width sections).
    fn body_items(&mut self, items: &[BodyItem], parent: usize, width: f32, out: &mut Vec<Chunk>) {
        let mut parts = Vec::new();
        self.body_items_split(items, parent, width, width, &mut parts);
        for (before, full) in parts {
            out.extend(before);
            out.extend(full);
        }
    }

    /// Body items; a full-width image closes the current part (returned in `parts`).
    #[allow(clippy::too_many_arguments)]
    fn body_items_split(&mut self, items: &[BodyItem], parent: usize, width: f32, full_w: f32, parts: &mut Vec<(Vec<Chunk>, Option<Chunk>)>) {
        let gap = self.st.body.leading * 0.55;
        let mut cur: Vec<Chunk> = Vec::new();
        let mut first = true;
        for (idx, it) in items.iter().enumerate() {
            let sb = if first { self.st.body.leading * 0.15 } else { gap };
            match it {
                BodyItem::Paragraph(t) => {
                    let node = self.tree.add(parent, Role::P);
                    let style = self.st.body.clone();
                    let mut cs = self.para_chunks(&inline::parse(t), &style, width, 0.0, node, sb, true);
                    // A paragraph introducing a list ("…these meetings:") stays with it.
                    if t.trim_end().ends_with(':') && matches!(items.get(idx + 1), Some(BodyItem::List { .. })) {
                        if let Some(last) = cs.last_mut() {
                            last.break_after = NEVER;
                        }
                    }
                    cur.extend(cs);
                }
                BodyItem::Subheading(t) => {
                    let node = self.tree.add(parent, Role::H3);
                    let style = self.st.h3.clone();
                    let mut cs = self.para_chunks(&inline::parse(t), &style, width, 0.0, node, sb + gap * 0.5, false);
                    for c in cs.iter_mut() {
                        c.break_after = NEVER;
                    }
                    cur.extend(cs);
                }
                BodyItem::List { items, numbered } => {
                    let l = self.tree.add(parent, Role::L);
                    for (i, t) in items.iter().enumerate() {
                        let li = self.tree.add(l, Role::LI);
                        let lbl = self.tree.add(li, Role::Lbl);
                        let lb = self.tree.add(li, Role::LBody);
                        let label = if *numbered { format!("{}.", i + 1) } else { "•".to_string() };
                        let style = self.st.body.clone();
                        let indent = if *numbered { style.size * 1.6 } else { style.size * 1.1 };
                        let mut cs = self.para_chunks(&inline::parse(t), &style, width - indent, indent, lb, if i == 0 { sb } else { gap * 0.45 }, true);
                        let lab = self.plain_line(&label, &style);
                        if let Some(c0) = cs.first_mut() {
                            let cap = self.shaper.book.faces[self.shaper.book.face(style.family, Style::REGULAR)].cap_height;
                            let mut li_items = Vec::new();
                            let lx = if *numbered { indent - lab.width - style.size * 0.4 } else { style.size * 0.15 };
                            push_line(&mut li_items, &lab, lx, baseline(&style, cap), Mark::Node(lbl), &mut None);
                            // The label comes first in reading order.
                            li_items.append(&mut c0.items);
                            c0.items = li_items;
                        }
                        cur.extend(cs);
                    }
                }
                BodyItem::Image(img) => {
                    let w = if img.full { full_w } else { width };
                    let c = self.image_chunk(img, parent, w, sb);
                    if img.full && full_w > width {
                        parts.push((std::mem::take(&mut cur), Some(c)));
                    } else {
                        cur.push(c);
                    }
                }
                BodyItem::Quote { text, by } => {
                    cur.extend(self.quote_chunks(text, by.as_deref(), parent, width, sb));
                }
            }
            first = false;
        }
        parts.push((cur, None));
    }

    fn request_image(&mut self, path: &PathBuf, w: f32, h: f32, focus: [f32; 2], keep_alpha: bool, source: &str) -> usize {
        self.images.push(ImageRequest { path: path.clone(), frame_w: w, frame_h: h, focus, keep_alpha, source: source.to_string() });
        self.images.len() - 1
    }

    fn image_chunk(&mut self, img: &ImageItem, parent: usize, width: f32, sb: f32) -> Chunk {
        let (pw, ph) = self.probes.get(&img.path).map(|p| (p.width as f32, p.height as f32)).unwrap_or((4.0, 3.0));
        // Aspect kept, within 1:1.25 (portrait) and 2.4:1 (panorama); cropped to fit.
        let ratio = (ph / pw).clamp(1.0 / 2.4, 1.25);
        let mut w = width;
        let mut h = w * ratio;
        let max_h = self.col_h * 0.55;
        if h > max_h {
            h = max_h;
            w = h / ratio;
        }
        let x = (width - w) / 2.0;
        let idx = self.request_image(&img.path, w, h, img.focus, false, &img.json_path);
        let mut items = Vec::new();
        let mut figures = Vec::new();
        let mark = match &img.alt {
            Some(alt) => {
                let fig = self.tree.add(parent, Role::Figure);
                self.tree.nodes[fig].alt = Some(alt.clone());
                figures.push((fig, Rect::new(x, 0.0, w, h)));
                Mark::Node(fig)
            }
            None => Mark::Artifact,
        };
        items.push(Item::Image { mark, image: idx, rect: Rect::new(x, 0.0, w, h), clip: Clip::None });
        let mut y = h;
        if let Some(cap) = &img.caption {
            let node = self.tree.add(parent, Role::Caption);
            let style = self.st.caption.clone();
            let lines = para::set(&mut self.shaper, &self.hyph, &inline::parse(cap), &style, &|_| width);
            let capm = self.shaper.book.faces[self.shaper.book.face(style.family, Style::ITALIC)].cap_height;
            y += 4.0;
            let mut ctx = Some(LinkCtx { tree: &mut self.tree, parent: node, current: None });
            for l in &lines {
                push_line(&mut items, l, 0.0, y + baseline(&style, capm), Mark::Node(node), &mut ctx);
                y += style.leading;
            }
        }
        Chunk { h: y, space_before: sb.max(self.st.body.leading * 0.4), break_after: 0.0, items, figures, float: true, ..Default::default() }
    }

    /// A pull quote: kept together when it fits a column, else one chunk per line.
    fn quote_chunks(&mut self, text: &str, by: Option<&str>, parent: usize, width: f32, sb: f32) -> Vec<Chunk> {
        let bq = self.tree.add(parent, Role::BlockQuote);
        let p = self.tree.add(bq, Role::P);
        let style = self.st.quote.clone();
        let indent = 12.0;
        let lines = para::set(&mut self.shaper, &self.hyph, &inline::parse(text), &style, &|_| width - indent);
        let cap = self.shaper.book.faces[self.shaper.book.face(style.family, Style::ITALIC)].cap_height;
        let accent = self.theme.accent;
        let bar = move |h: f32| Item::Box { rect: Rect::new(0.0, 0.0, 3.0, h), fill: Some(accent), stroke: None, bleed: false };
        let mut chunks: Vec<Chunk> = Vec::new();
        let mut ctx = Some(LinkCtx { tree: &mut self.tree, parent: p, current: None });
        let n = lines.len();
        for (i, l) in lines.iter().enumerate() {
            let top = if i == 0 { 2.0 } else { 0.0 };
            let mut items = vec![bar(style.leading + top)];
            push_line(&mut items, l, indent, top + baseline(&style, cap), Mark::Node(p), &mut ctx);
            let break_after = if i == 0 || i + 2 == n { NEVER } else { 0.0 };
            chunks.push(Chunk { h: style.leading + top, break_after, items, ..Default::default() });
        }
        drop(ctx);
        if let Some(by) = by {
            let pb = self.tree.add(bq, Role::P);
            let bs = ParaStyle { italic: false, ..self.st.small.clone() };
            let lines = para::set(&mut self.shaper, &Hyphen::none(), &[Run::plain(&format!("— {by}"))], &bs, &|_| width - indent);
            let capb = self.shaper.book.faces[self.shaper.book.face(bs.family, Style::REGULAR)].cap_height;
            if let Some(last) = chunks.last_mut() {
                last.break_after = NEVER;
            }
            for (i, l) in lines.iter().enumerate() {
                let top = if i == 0 { 3.0 } else { 0.0 };
                let mut items = vec![bar(bs.leading + top)];
                push_line(&mut items, l, indent, top + baseline(&bs, capb), Mark::Node(pb), &mut None);
                chunks.push(Chunk { h: bs.leading + top, break_after: NEVER, items, ..Default::default() });
            }
        }
        if let Some(last) = chunks.last_mut() {
            last.h += 2.0;
            if let Some(Item::Box { rect, .. }) = last.items.first_mut() {
                rect.h += 2.0;
            }
            last.break_after = 0.0;
        }
        if chunks.is_empty() {
            return chunks;
        }
        chunks[0].space_before = sb.max(self.st.body.leading * 0.6);
        let total: f32 = chunks.iter().map(|c| c.h).sum();
        if total <= self.col_h * 0.6 {
            // Kept together: one chunk.
            let mut items = Vec::new();
            let mut y = 0.0;
            for c in &chunks {
                items.extend(c.items.iter().map(|it| offset_item(it, 0.0, y)));
                y += c.h;
            }
            let sb = chunks[0].space_before;
            return vec![Chunk { h: y, space_before: sb, break_after: 0.0, items, movable: true, ..Default::default() }];
        }
        chunks
    }

    /// Turn a list of chunks into a framed group: kept together when it fits a column.
    fn group(&mut self, mut chunks: Vec<Chunk>, group: Group, heading: Option<&str>) -> Vec<Chunk> {
        let pad = group.pad;
        let total: f32 = chunks.iter().enumerate().map(|(i, c)| c.h + if i == 0 { 0.0 } else { c.space_before }).sum::<f32>() + 2.0 * pad;
        let gid = self.groups.len();
        let mut g = group;
        if let Some(h) = heading {
            let style = ParaStyle { italic: true, ..self.st.small.clone() };
            let words: Vec<&str> = h.split_whitespace().collect();
            let cap = self.shaper.book.faces[self.shaper.book.face(style.family, Style::ITALIC)].cap_height;
            let measure = self.col_w - 24.0;
            // The whole heading when it fits in two lines, else shortened with an ellipsis.
            let mut k = words.len();
            let mut lines = para::set(&mut self.shaper, &Hyphen::none(), &[Run::plain(&format!("{h} (continued)"))], &style, &|_| measure);
            while lines.len() > 2 && k > 1 {
                k -= 1;
                lines = para::set(&mut self.shaper, &Hyphen::none(), &[Run::plain(&format!("{}… (continued)", words[..k].join(" ")))], &style, &|_| measure);
            }
            let mut items = Vec::new();
            for (i, line) in lines.iter().enumerate() {
                push_line(&mut items, line, 10.0, i as f32 * style.leading + baseline(&style, cap), Mark::Artifact, &mut None);
            }
            let n_lines = lines.len().max(1) as f32;
            g.cue = Some(items);
            g.cue_h = style.leading * n_lines;
        }
        self.groups.push(g);
        if chunks.is_empty() {
            return chunks;
        }
        // Top and bottom padding.
        for c in chunks.iter_mut() {
            c.group = Some(gid);
        }
        let first_sb = self.st.body.leading * 1.2;
        if total <= self.col_h * 0.98 {
            // Keep together: merge into one chunk.
            let mut items = Vec::new();
            let mut figures = Vec::new();
            let mut bookmarks = Vec::new();
            let mut y = pad;
            for (i, c) in chunks.iter().enumerate() {
                if i > 0 {
                    y += c.space_before;
                }
                items.extend(c.items.iter().map(|it| offset_item(it, 0.0, y)));
                figures.extend(c.figures.iter().map(|(n, r)| (*n, Rect::new(r.x, r.y + y, r.w, r.h))));
                bookmarks.extend(c.bookmarks.iter().map(|(t, by)| (t.clone(), by + y)));
                y += c.h;
            }
            y += pad;
            let mut alt = chunks;
            pad_ends(&mut alt, pad, first_sb);
            return vec![Chunk { h: y, space_before: first_sb, break_after: 0.0, items, group: Some(gid), figures, bookmarks, split: Some(alt), float: true, ..Default::default() }];
        }
        // Too tall: breakable, padding on the first and last chunk.
        pad_ends(&mut chunks, pad, first_sb);
        chunks
    }

    /// A heading inside a box: no accent mark, tight to the top padding.
    fn box_heading(&mut self, text: &str, sect: usize, width: f32) -> Chunk {
        let mut c = self.heading(text, sect, width, true);
        c.items.retain(|it| !matches!(it, Item::Box { .. }));
        for it in c.items.iter_mut() {
            *it = offset_item(it, 0.0, -5.0);
        }
        c.h -= 5.0;
        c.space_before = 0.0;
        c
    }

    fn callout(&mut self, heading: Option<&str>, items: &[BodyItem], sect: usize, width: f32) -> Vec<Chunk> {
        let pad = 9.0;
        let inner = width - 2.0 * pad - 3.0;
        let mut chunks = Vec::new();
        if let Some(h) = heading {
            chunks.push(self.box_heading(h, sect, inner));
        }
        let mut body = Vec::new();
        self.body_items(items, sect, inner, &mut body);
        if let Some(f) = body.first_mut() {
            if heading.is_none() {
                f.space_before = 0.0;
            }
        }
        chunks.extend(body);
        indent(&mut chunks, pad + 3.0);
        let g = Group { fill: Some(self.theme.tint), stroke: None, bar: Some(self.theme.accent), pad, cue: None, cue_h: 0.0 };
        self.group(chunks, g, heading)
    }

    #[allow(clippy::too_many_arguments)]
    fn profile(&mut self, heading: Option<&str>, name: &str, role: Option<&str>, photo: Option<&ImageItem>, items: &[BodyItem], sect: usize, width: f32) -> Vec<Chunk> {
        let pad = 9.0;
        let inner = width - 2.0 * pad;
        let mut chunks = Vec::new();
        if let Some(h) = heading {
            chunks.push(self.box_heading(h, sect, inner));
        }
        // Photo frame: beside the text when the box is wide enough, else above it.
        let beside = inner >= 150.0;
        let circle = self.theme.circle_photo;
        let (fw, fh) = match photo {
            Some(_) if beside => {
                let w = (inner * 0.36).clamp(60.0, 120.0);
                (w, if circle { w } else { w * 1.25 })
            }
            Some(_) => {
                let w = inner.min(110.0);
                (w, if circle { w } else { w * 1.25 })
            }
            None => (0.0, 0.0),
        };
        let gap = 8.0;
        let mut first_items: Vec<Item> = Vec::new();
        let mut figures = Vec::new();
        let mut y = 0.0f32;
        let text_x0;
        let photo_bottom;
        if let Some(ph) = photo {
            let idx = self.request_image(&ph.path, fw, fh, ph.focus, false, &ph.json_path);
            let rect = Rect::new(0.0, 0.0, fw, fh);
            let mark = match &ph.alt {
                Some(alt) => {
                    let fig = self.tree.add(sect, Role::Figure);
                    self.tree.nodes[fig].alt = Some(alt.clone());
                    figures.push((fig, rect));
                    Mark::Node(fig)
                }
                None => Mark::Artifact,
            };
            first_items.push(Item::Image { mark, image: idx, rect, clip: if circle { Clip::Circle } else { Clip::None } });
            if beside {
                text_x0 = fw + gap;
                photo_bottom = fh + 2.0;
            } else {
                text_x0 = 0.0;
                photo_bottom = 0.0;
                y = fh + gap;
            }
        } else {
            text_x0 = 0.0;
            photo_bottom = 0.0;
        }
        // Lines beside the photo are shorter; below it they take the full width.
        let width_at = |top: f32| if top < photo_bottom { (inner - text_x0, text_x0) } else { (inner, 0.0) };
        let mut lines_out: Vec<Chunk> = Vec::new();
        let set_block = |b: &mut Builder, runs: &[Run], style: &ParaStyle, node: usize, y: &mut f32, sb: f32, report: bool| {
            *y += sb;
            let y0 = *y;
            let lead = style.leading;
            let measure = |n: usize| width_at(y0 + n as f32 * lead).0;
            let lines = para::set(&mut b.shaper, &b.hyph, runs, style, &measure);
            let n = lines.len();
            let cap = b.shaper.book.faces[b.shaper.book.face(style.family, Style::REGULAR)].cap_height;
            let pid = b.para_id;
            b.para_id += 1;
            let mut ctx = Some(LinkCtx { tree: &mut b.tree, parent: node, current: None });
            let mut out = Vec::new();
            for (i, l) in lines.iter().enumerate() {
                let (_, x) = width_at(*y);
                let mut items = Vec::new();
                push_line(&mut items, l, x, baseline(style, cap), Mark::Node(node), &mut ctx);
                let break_after = if i + 1 == n { 0.0 } else if i == 0 || i + 2 == n || l.hyphenated { NEVER } else { 0.0 };
                out.push((*y, Chunk { h: lead, space_before: 0.0, break_after, items, line_of: report.then_some((pid, i, n)), ..Default::default() }));
                *y += lead;
            }
            drop(ctx);
            if report {
                for l in &lines {
                    b.lines.push(LineFact { measure: l.measure, width: l.width, chars: l.text().chars().count(), hyphenated: l.hyphenated, space_factor: l.space_factor, justified: style.justify });
                }
            }
            out
        };
        let mut positioned: Vec<(f32, Chunk)> = Vec::new();
        let name_node = self.tree.add(sect, Role::P);
        let ns = self.st.name.clone();
        positioned.extend(set_block(self, &[Run::plain(name)], &ns, name_node, &mut y, 0.0, false));
        if let Some(r) = role {
            let rn = self.tree.add(sect, Role::P);
            let rs = self.st.role.clone();
            positioned.extend(set_block(self, &inline::parse(r), &rs, rn, &mut y, 1.0, false));
        }
        let gap_p = self.st.body.leading * 0.55;
        let mut first = true;
        for it in items {
            match it {
                BodyItem::Paragraph(t) => {
                    let node = self.tree.add(sect, Role::P);
                    let bs = self.st.body.clone();
                    positioned.extend(set_block(self, &inline::parse(t), &bs, node, &mut y, if first { gap_p * 1.2 } else { gap_p }, true));
                }
                other => {
                    // Other items go below the photo at full width.
                    y = y.max(photo_bottom);
                    let mut cs = Vec::new();
                    self.body_items(std::slice::from_ref(other), sect, inner, &mut cs);
                    for c in cs {
                        y += c.space_before;
                        let h = c.h;
                        positioned.push((y, Chunk { space_before: 0.0, ..c }));
                        y += h;
                    }
                }
            }
            first = false;
        }
        // The photo and every line beside it form one chunk; the rest flow.
        let split_at = positioned.iter().position(|(py, _)| *py >= photo_bottom).unwrap_or(positioned.len());
        let mut head_h = photo_bottom.max(if split_at > 0 { positioned[split_at - 1].0 + positioned[split_at - 1].1.h } else { 0.0 });
        if photo.is_some() && !beside {
            head_h = head_h.max(fh);
        }
        for (py, c) in positioned.iter().take(split_at) {
            first_items.extend(c.items.iter().map(|it| offset_item(it, 0.0, *py)));
        }
        let _ = &mut lines_out;
        chunks.push(Chunk { h: head_h, space_before: 0.0, break_after: 0.0, items: first_items, figures, ..Default::default() });
        let mut prev_bottom = head_h;
        for (py, c) in positioned.into_iter().skip(split_at) {
            let sb = (py - prev_bottom).max(0.0);
            prev_bottom = py + c.h;
            chunks.push(Chunk { space_before: sb, ..c });
        }
        indent(&mut chunks, pad);
        let g = Group { fill: Some(self.theme.tint), stroke: None, bar: None, pad, cue: None, cue_h: 0.0 };
        self.group(chunks, g, heading.or(Some(name)))
    }

    fn masthead(&mut self, doc: &Doc, page: &mut Page, pw: f32, ml: f32, mr: f32, mt: f32) -> f32 {
        let text_w = pw - ml - mr;
        // Logo at the right.
        let (logo_w, logo_h) = match &self.theme.logo {
            Some((path, _)) => match self.probes.get(path) {
                Some(p) => {
                    let h = 16.0 * MM;
                    let w = (h * p.width as f32 / p.height as f32).min(62.0 * MM).min(text_w * 0.3);
                    (w, w * p.height as f32 / p.width as f32)
                }
                None => (0.0, 0.0),
            },
            None => (0.0, 0.0),
        };
        let title_w = text_w - if logo_w > 0.0 { logo_w + 8.0 * MM } else { 0.0 };
        let mut items = Vec::new();
        let mut y = mt * 0.9;
        if let Some(k) = &doc.kicker {
            let node = self.tree.add(0, Role::P);
            let style = self.st.kicker.clone();
            let lines = para::set(&mut self.shaper, &Hyphen::none(), &inline::parse(k), &style, &|_| title_w);
            let cap = self.shaper.book.faces[self.shaper.book.face(style.family, Style::BOLD)].cap_height;
            for l in &lines {
                push_line(&mut items, l, ml, y + baseline(&style, cap), Mark::Node(node), &mut None);
                y += style.leading;
            }
            y += 2.0;
        }
        let h1 = self.tree.add(0, Role::H1);
        let style = self.st.title.clone();
        let lines = self.balanced_lines(&inline::parse(&doc.title), &style, title_w);
        let cap = self.shaper.book.faces[self.shaper.book.face(style.family, Style::BOLD)].cap_height;
        for l in &lines {
            push_line(&mut items, l, ml, y + baseline(&style, cap), Mark::Node(h1), &mut None);
            y += style.leading;
        }
        y += 3.0;
        let node = self.tree.add(0, Role::P);
        let es = self.st.edition.clone();
        let lines = para::set(&mut self.shaper, &Hyphen::none(), &[Run::plain(&doc.edition)], &es, &|_| title_w);
        let cap = self.shaper.book.faces[self.shaper.book.face(es.family, Style::REGULAR)].cap_height;
        for l in &lines {
            push_line(&mut items, l, ml, y + baseline(&es, cap), Mark::Node(node), &mut None);
            y += es.leading;
        }
        let band_h = (y + mt * 0.7).max(38.0 * MM).max(logo_h + 2.0 * mt * 0.8);
        page.items.push(Item::Box { rect: Rect::new(0.0, 0.0, pw, band_h), fill: Some(self.theme.primary), stroke: None, bleed: true });
        page.items.push(Item::Box { rect: Rect::new(0.0, band_h, pw, 1.6 * MM), fill: Some(self.theme.accent), stroke: None, bleed: true });
        page.items.extend(items);
        if let Some((path, alt)) = self.theme.logo.clone() {
            if logo_w > 0.0 {
                let idx = self.request_image(&path, logo_w, logo_h, [0.5, 0.5], true, "brand logo");
                let fig = self.tree.add(0, Role::Figure);
                self.tree.nodes[fig].alt = Some(alt);
                let rect = Rect::new(pw - mr - logo_w, (band_h - logo_h) / 2.0, logo_w, logo_h);
                self.tree.nodes[fig].bbox = Some((0, rect));
                page.items.push(Item::Image { mark: Mark::Node(fig), image: idx, rect, clip: Clip::None });
            }
        }
        band_h + 1.6 * MM + 7.0 * MM
    }

    fn contact_footer(&mut self, f: &crate::model::Footer, width: f32) -> Chunk {
        let sect = self.tree.add(0, Role::Sect);
        let pad = 10.0;
        let inner = width - 2.0 * pad;
        let mut items = Vec::new();
        let mut figures = Vec::new();
        let mut y = pad;
        let hn = self.tree.add(sect, Role::H2);
        let hs = self.st.h2.clone();
        let heading = f.heading.clone().unwrap_or_else(|| "Stay in touch".into());
        let lines = para::set(&mut self.shaper, &Hyphen::none(), &inline::parse(&heading), &hs, &|_| inner);
        let cap = self.shaper.book.faces[self.shaper.book.face(hs.family, Style::BOLD)].cap_height;
        for l in &lines {
            push_line(&mut items, l, pad, y + baseline(&hs, cap), Mark::Node(hn), &mut None);
            y += hs.leading;
        }
        y += 2.0;
        let body = ParaStyle { justify: false, ..self.st.body.clone() };
        let capb = self.shaper.book.faces[self.shaper.book.face(body.family, Style::REGULAR)].cap_height;
        if let Some(t) = &f.text {
            for p in t.paragraphs() {
                let node = self.tree.add(sect, Role::P);
                let lines = para::set(&mut self.shaper, &self.hyph, &inline::parse(p), &body, &|_| inner);
                let mut ctx = Some(LinkCtx { tree: &mut self.tree, parent: node, current: None });
                for l in &lines {
                    push_line(&mut items, l, pad, y + baseline(&body, capb), Mark::Node(node), &mut ctx);
                    y += body.leading;
                }
                y += body.leading * 0.4;
            }
        }
        // Contacts side by side.
        if !f.contacts.is_empty() {
            y += 2.0;
            let per_row = ((inner / 150.0).floor() as usize).clamp(1, 3).min(f.contacts.len());
            let cw = (inner - (per_row as f32 - 1.0) * 12.0) / per_row as f32;
            let list = self.tree.add(sect, Role::L);
            let mut row_bottom: f32 = y;
            for (i, c) in f.contacts.iter().enumerate() {
                if i > 0 && i % per_row == 0 {
                    y = row_bottom + body.leading * 0.4;
                }
                let col = i % per_row;
                let x = pad + col as f32 * (cw + 12.0);
                let li = self.tree.add(list, Role::LI);
                let lb = self.tree.add(li, Role::LBody);
                let mut cy = y;
                let mut lines_of = |b: &mut Builder, text: String, style: &ParaStyle, items: &mut Vec<Item>| {
                    let runs = inline::parse(&text);
                    let lines = para::set(&mut b.shaper, &Hyphen::none(), &runs, style, &|_| cw);
                    let capx = b.shaper.book.faces[b.shaper.book.face(style.family, Style::REGULAR)].cap_height;
                    let node = b.tree.add(lb, Role::P);
                    let mut ctx = Some(LinkCtx { tree: &mut b.tree, parent: node, current: None });
                    for l in &lines {
                        push_line(items, l, x, cy + baseline(style, capx), Mark::Node(node), &mut ctx);
                        cy += style.leading;
                    }
                };
                let bold = ParaStyle { bold: true, ..body.clone() };
                lines_of(self, escape_md(&c.name), &bold, &mut items);
                if let Some(r) = &c.role {
                    let rs = self.st.role.clone();
                    lines_of(self, escape_md(r), &rs, &mut items);
                }
                if let Some(e) = &c.email {
                    lines_of(self, format!("[{}](mailto:{})", escape_md(e.trim()), e.trim()), &body, &mut items);
                }
                if let Some(p) = &c.phone {
                    let tel: String = p.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
                    lines_of(self, format!("[{}](tel:{})", escape_md(p), tel), &body, &mut items);
                }
                row_bottom = row_bottom.max(cy);
            }
            y = row_bottom + body.leading * 0.4;
        }
        if !f.links.is_empty() {
            let node = self.tree.add(sect, Role::P);
            let md: Vec<String> = f.links.iter().map(|l| format!("[{}]({})", escape_md(&l.label), l.url.trim())).collect();
            let runs = inline::parse(&md.join("   "));
            let lines = para::set(&mut self.shaper, &Hyphen::none(), &runs, &body, &|_| inner);
            let mut ctx = Some(LinkCtx { tree: &mut self.tree, parent: node, current: None });
            for l in &lines {
                push_line(&mut items, l, pad, y + baseline(&body, capb), Mark::Node(node), &mut ctx);
                y += body.leading;
            }
            y += body.leading * 0.4;
        }
        let small = self.st.small.clone();
        let caps = self.shaper.book.faces[self.shaper.book.face(small.family, Style::REGULAR)].cap_height;
        for (label, text) in [("Acknowledgements", &f.acknowledgements), ("Disclaimer", &f.disclaimer)] {
            if let Some(t) = text {
                let node = self.tree.add(sect, Role::P);
                let mut runs = inline::parse(t);
                let _ = label;
                for r in runs.iter_mut() {
                    r.italic = r.italic || label == "Disclaimer";
                }
                let lines = para::set(&mut self.shaper, &self.hyph, &runs, &small, &|_| inner);
                let mut ctx = Some(LinkCtx { tree: &mut self.tree, parent: node, current: None });
                for l in &lines {
                    push_line(&mut items, l, pad, y + baseline(&small, caps), Mark::Node(node), &mut ctx);
                    y += small.leading;
                }
                y += small.leading * 0.4;
            }
        }
        // Funders' logos in a row.
        let logos = self.theme.funder_logos.clone();
        if !logos.is_empty() {
            let h = 10.0 * MM;
            let mut x = pad;
            y += 3.0;
            for (path, alt) in logos {
                if let Some(p) = self.probes.get(&path) {
                    let w = (h * p.width as f32 / p.height as f32).min(50.0 * MM);
                    let hh = w * p.height as f32 / p.width as f32;
                    let idx = self.request_image(&path, w, hh, [0.5, 0.5], true, "brand funder logo");
                    let fig = self.tree.add(sect, Role::Figure);
                    self.tree.nodes[fig].alt = Some(alt);
                    let rect = Rect::new(x, y, w, hh);
                    figures.push((fig, rect));
                    items.push(Item::Image { mark: Mark::Node(fig), image: idx, rect, clip: Clip::None });
                    x += w + 8.0 * MM;
                }
            }
            y += h;
        }
        y += pad - 2.0;
        items.insert(0, Item::Box { rect: Rect::new(0.0, 0.0, width, y), fill: Some(self.theme.tint), stroke: None, bleed: false });
        items.insert(1, Item::Box { rect: Rect::new(0.0, 0.0, width, 2.0), fill: Some(self.theme.primary), stroke: None, bleed: false });
        Chunk { h: y, items, figures, ..Default::default() }
    }
}

/// Move chunks' content right by `dx` (inside a box's padding).
fn indent(chunks: &mut [Chunk], dx: f32) {
    for c in chunks.iter_mut() {
        for it in c.items.iter_mut() {
            *it = offset_item(it, dx, 0.0);
        }
        for f in c.figures.iter_mut() {
            f.1.x += dx;
        }
    }
}

/// Frame padding for a breakable group: above its first chunk and below its last.
fn pad_ends(chunks: &mut [Chunk], pad: f32, first_sb: f32) {
    let n = chunks.len();
    if n == 0 {
        return;
    }
    let c0 = &mut chunks[0];
    c0.space_before = first_sb;
    for it in c0.items.iter_mut() {
        *it = offset_item(it, 0.0, pad);
    }
    for f in c0.figures.iter_mut() {
        f.1.y += pad;
    }
    for b in c0.bookmarks.iter_mut() {
        b.1 += pad;
    }
    c0.h += pad;
    chunks[n - 1].h += pad;
    chunks[n - 1].break_after = 0.0;
}

/// Escape Markdown punctuation in plain text that will be parsed as inline Markdown.
fn escape_md(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_[]<>!#".contains(c) {
            o.push('\\');
        }
        o.push(c);
    }
    o
}
