//! Collect: the issue as bands of flow chunks (lines with their break costs, blocks, floats,
//! framed groups), with the structure tree built in reading order as it goes.

mod boxes;
pub mod contents;
mod footer;
mod masthead;

use super::display::{Clip, Item, Mark, Rect, Role, Tree};
use super::flow::{Chunk, Group, Kind, FREE, HEADING_SPLIT, HYPHEN_BREAK, KEEP_WITH_NEXT, WIDOW};
use super::geometry::Geometry;
use super::lines::{baseline, push_line, set_lines, LinkCtx};
use super::styles::*;
use super::{offset_item, ImageRequest, LayoutError, LineFact};
use crate::brand::Theme;
use crate::images::Probe;
use crate::inline::{self, Run};
use crate::model::{Doc, ImageItem, Item as BodyItem, SectionBody};
use crate::text::fonts::{FontBook, Shaper, Style};
use crate::text::hyph::Hyphen;
use crate::text::para::{self, Line, ParaStyle};
use std::collections::HashMap;
use std::path::PathBuf;

/// What a band is, for composing pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandKind {
    /// Text flowing through the band's columns (which may include images and boxes).
    Flow,
    /// A full-width image alone: it may let the next band fill the page it does not fit.
    Image,
    /// The contact footer, which ends the last page.
    Footer,
}

/// A run of the flow with one column count and width.
#[derive(Debug, Clone)]
pub struct Band {
    pub kind: BandKind,
    pub cols: usize,
    pub width: f32,
    pub chunks: Vec<Chunk>,
}

/// Number every chunk in reading order (content streams and tags follow it).
pub fn number(bands: &mut [Band]) {
    let mut seq = 1u64;
    for c in bands.iter_mut().flat_map(|b| b.chunks.iter_mut()) {
        c.seq = seq;
        seq += 1;
    }
}

/// The collect stage's state: shaping, the structure tree, images and facts gathered.
pub struct Builder<'a> {
    pub shaper: Shaper<'a>,
    pub hyph: Hyphen,
    /// The language's patterns even where text is not hyphenated (headings, titles, a brand
    /// without hyphenation): a word too long for its line breaks at one of its points.
    pub patterns: Hyphen,
    pub theme: &'a Theme,
    pub tree: Tree,
    pub images: Vec<ImageRequest>,
    probes: &'a HashMap<PathBuf, Probe>,
    pub st: Styles,
    pub groups: Vec<Group>,
    para_id: usize,
    pub lines: Vec<LineFact>,
    /// Width of the column being filled (text width inside full-width sections).
    col_w: f32,
    /// Height of a column on a fresh page.
    col_h: f32,
    geo: Geometry,
    /// Role of subheadings in the current section: H3 under a section heading, else H2.
    sub_role: Role,
    pub missing: Vec<char>,
    pub errors: Vec<LayoutError>,
    /// Profiles with a photo: (image index, structure node of the name).
    pub profiles: Vec<(usize, usize)>,
    /// Images in the text are set at this share of their natural size.
    pub image_scale: f32,
    /// JSON path of the section being collected (for messages).
    path: String,
    /// The word for "continued" in the language (a continued box's cue).
    continued: &'static str,
    /// "In this issue" entries waiting for their page numbers ([`contents::fill`]).
    pub contents: Vec<contents::Entry>,
    /// Each section's structure element (Sect), in the order.
    pub sect_nodes: Vec<usize>,
}

/// What sets text, kept from one layout try to the next: the shaper (with its shaped words
/// and plans) and the hyphenators (with their hyphenated words).
pub struct Kit<'a> {
    pub shaper: Shaper<'a>,
    pub hyph: Hyphen,
    pub patterns: Hyphen,
}

impl<'a> Kit<'a> {
    pub fn new(doc: &Doc, theme: &Theme, book: &'a FontBook) -> Kit<'a> {
        let patterns = Hyphen::for_language(&doc.language);
        Kit { shaper: Shaper::new(book, &doc.language), hyph: if theme.hyphenate { patterns.clone() } else { Hyphen::none() }, patterns }
    }
}

impl<'a> Builder<'a> {
    pub fn new(doc: &Doc, theme: &'a Theme, kit: Kit<'a>, probes: &'a HashMap<PathBuf, Probe>, st: Styles, geo: &Geometry) -> Builder<'a> {
        let Kit { shaper, hyph, patterns } = kit;
        Builder {
            continued: boxes::continued_word(&doc.language),
            contents: Vec::new(),
            sect_nodes: Vec::new(),
            shaper,
            hyph,
            patterns,
            theme,
            tree: Tree::default(),
            images: Vec::new(),
            probes,
            st,
            groups: Vec::new(),
            para_id: 0,
            lines: Vec::new(),
            col_w: geo.col_w,
            col_h: geo.body_h,
            geo: *geo,
            sub_role: Role::H3,
            missing: Vec::new(),
            errors: Vec::new(),
            profiles: Vec::new(),
            image_scale: 1.0,
            path: String::new(),
        }
    }

    /// The tallest unbreakable block allowed: it must fit a fresh page's column.
    fn atom_max(&self) -> f32 {
        self.col_h * ATOM_MAX_COL_SHARE
    }

    fn cap(&self, style: &ParaStyle, s: Style) -> f32 {
        let st = Style { bold: s.bold || style.bold, italic: s.italic || style.italic };
        self.shaper.book.faces[self.shaper.book.face(style.family, st)].cap_height
    }

    pub fn check_chars(&mut self, doc: &Doc, book: &FontBook, body: usize, heading: usize) {
        let mut texts: Vec<&str> = vec![&doc.title, &doc.edition];
        texts.extend(doc.kicker.as_deref());
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
                if !faces.iter().all(|f| book.covers(*f, c)) && !self.missing.contains(&c) {
                    self.missing.push(c);
                }
            }
        }
    }

    /// The bands in reading order: intro, sections (column bands, full-width
    /// sections and images), contact footer.
    pub fn bands(&mut self, doc: &Doc) -> Vec<Band> {
        let (cols, col_w, text_w) = (self.geo.cols, self.geo.col_w, self.geo.text_w);
        let flow = |cols, width, chunks| Band { kind: BandKind::Flow, cols, width, chunks };
        let mut bands: Vec<Band> = Vec::new();
        if !doc.intro.is_empty() {
            bands.push(flow(1, text_w, self.intro(doc, text_w)));
        }
        let mut current: Vec<Chunk> = Vec::new();
        // "In this issue" opens the sections: in the first column band, or full width when
        // the first section is.
        let first_full = doc.sections.first().is_some_and(|s| matches!(s.kind, SectionBody::Section { full: true }));
        let toc = self.contents_box(doc, if first_full { text_w } else { col_w });
        if first_full && !toc.is_empty() {
            bands.push(flow(1, text_w, toc));
        } else {
            current.extend(toc);
        }
        for s in &doc.sections {
            let sect = self.tree.add(0, Role::Sect);
            self.sect_nodes.push(sect);
            self.path = s.json_path.clone();
            self.sub_role = if s.heading.is_some() { Role::H3 } else { Role::H2 };
            match &s.kind {
                SectionBody::Section { full: true } => {
                    if !current.is_empty() {
                        bands.push(flow(cols, col_w, std::mem::take(&mut current)));
                    }
                    self.col_w = text_w;
                    let mut chunks = Vec::new();
                    if let Some(h) = &s.heading {
                        chunks.extend(self.heading(h, sect, text_w, true));
                    }
                    self.body_items(&s.items, sect, text_w, &mut chunks);
                    self.col_w = col_w;
                    // Each image a band of its own, so the text after it can fill a page it does not fit.
                    let mut text: Vec<Chunk> = Vec::new();
                    let mut it = chunks.into_iter().peekable();
                    while let Some(c) = it.next() {
                        if c.kind != Kind::Float {
                            text.push(c);
                            continue;
                        }
                        let mut image = vec![c];
                        while it.peek().is_some_and(|n| n.kind == Kind::Line && n.line_of.is_none() && n.space_before == 0.0 && image.last().is_some_and(|l: &Chunk| l.break_after >= KEEP_WITH_NEXT)) {
                            image.extend(it.next());
                        }
                        let head = take_heading(&mut text);
                        if !text.is_empty() {
                            bands.push(flow(1, text_w, std::mem::take(&mut text)));
                        }
                        bands.push(image_band(head, image, text_w));
                    }
                    if !text.is_empty() {
                        bands.push(flow(1, text_w, text));
                    }
                }
                SectionBody::Section { full: false } => {
                    if let Some(h) = &s.heading {
                        let hc = self.heading(h, sect, col_w, true);
                        current.extend(hc);
                    }
                    let mut parts = Vec::new();
                    self.body_items_split(&s.items, sect, col_w, text_w, &mut parts);
                    for (before, full) in parts {
                        current.extend(before);
                        let Some(image) = full else { continue };
                        let head = take_heading(&mut current);
                        if !current.is_empty() {
                            bands.push(flow(cols, col_w, std::mem::take(&mut current)));
                        }
                        bands.push(image_band(head, image, text_w));
                    }
                }
                SectionBody::Callout => {
                    let chunks = self.callout(s.heading.as_deref(), &s.items, sect, col_w);
                    current.extend(chunks);
                }
                SectionBody::Profile { name, role, photo } => {
                    let chunks = self.profile(s.heading.as_deref(), name, role.as_deref(), photo.as_ref(), &s.items, sect, col_w);
                    current.extend(chunks);
                }
            }
        }
        if !current.is_empty() {
            bands.push(flow(cols, col_w, current));
        }
        if let Some(f) = &doc.footer {
            let chunks = self.contact_footer(f, text_w);
            bands.push(Band { kind: BandKind::Footer, cols: 1, width: text_w, chunks });
        }
        bands
    }

    /// The intro: full width, larger, with a rule below.
    fn intro(&mut self, doc: &Doc, text_w: f32) -> Vec<Chunk> {
        let mut chunks = Vec::new();
        for (i, p) in doc.intro.iter().enumerate() {
            let node = self.tree.add(0, Role::P);
            let style = self.st.intro.clone();
            let sb = if i == 0 { 0.0 } else { self.theme.intro_pt * 0.6 };
            chunks.extend(self.para_chunks(&inline::parse(p), &style, text_w, 0.0, node, sb, false));
        }
        let rule = Item::Rule { x1: 0.0, y1: 3.0, x2: text_w, y2: 3.0, colour: self.theme.accent, width: 1.2 };
        chunks.push(Chunk { kind: Kind::Block, h: 6.0, space_before: self.st.body.leading * 0.6, items: vec![rule], ..Default::default() });
        chunks
    }

    /// Set a paragraph as line chunks.
    #[allow(clippy::too_many_arguments)]
    fn para_chunks(&mut self, runs: &[Run], style: &ParaStyle, width: f32, x: f32, node: usize, space_before: f32, report: bool) -> Vec<Chunk> {
        let lines = para::set(&mut self.shaper, &self.hyph, runs, style, &|_| width);
        self.lines_to_chunks(&lines, style, |_| x, node, space_before, report)
    }

    /// One chunk per line, with the break rules: no orphan (after the first line), no widow
    /// (before the last), rather not after a hyphen.
    fn lines_to_chunks(&mut self, lines: &[Line], style: &ParaStyle, x_of: impl Fn(usize) -> f32, node: usize, space_before: f32, report: bool) -> Vec<Chunk> {
        let cap = self.cap(style, Style::REGULAR);
        let n = lines.len();
        let pid = self.para_id;
        self.para_id += 1;
        let mut out = Vec::with_capacity(n);
        let mut ctx = Some(LinkCtx::new(&mut self.tree, node));
        for (i, line) in lines.iter().enumerate() {
            let mut items = Vec::new();
            push_line(&mut items, line, x_of(i), baseline(style, cap), Mark::Node(node), &mut ctx);
            out.push(Chunk {
                kind: Kind::Line,
                h: style.leading,
                space_before: if i == 0 { space_before } else { 0.0 },
                break_after: line_break_cost(i, n, line.hyphenated).max(if i + 1 < n && mid_word(line) { KEEP_WITH_NEXT } else { FREE }),
                items,
                line_of: Some((pid, i, n)),
                ..Default::default()
            });
        }
        drop(ctx);
        if report {
            for l in lines {
                self.lines.push(LineFact { measure: l.measure, width: l.width, chars: l.text().chars().count(), hyphenated: l.hyphenated, forced: l.forced, space_factor: l.space_factor, justified: style.justify });
            }
        } else {
            for c in out.iter_mut() {
                c.line_of = None;
            }
        }
        out
    }

    /// Set a title or heading with its lines as even as possible (no word left alone on
    /// the last line): the narrowest measure that keeps the same number of lines.
    fn balanced_lines(&mut self, runs: &[Run], style: &ParaStyle, width: f32) -> Vec<Line> {
        let lines = para::set(&mut self.shaper, &self.patterns, runs, style, &|_| width);
        // Long headings are set as they come (the search would cost more than it gives).
        if lines.len() < 2 || lines.len() > 6 {
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
            let l = para::set(&mut self.shaper, &self.patterns, runs, style, &|_| mid);
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
    pub fn plain_line(&mut self, text: &str, style: &ParaStyle) -> Line {
        let mut s = style.clone();
        s.hyphenate = false;
        let lines = para::set(&mut self.shaper, &Hyphen::none(), &[Run::plain(text)], &s, &|_| 100_000.0);
        lines.into_iter().next().unwrap_or(Line { runs: vec![], width: 0.0, measure: 0.0, hyphenated: false, forced: false, ratio: 0.0, space_factor: 1.0 })
    }

    /// A section heading: an accent mark, then one chunk per line, all kept with what follows.
    fn heading(&mut self, text: &str, parent: usize, width: f32, bookmark: bool) -> Vec<Chunk> {
        let node = self.tree.add(parent, Role::H2);
        let runs = inline::parse(text);
        // A heading taller than half a column is set smaller (never below the body size),
        // so a long one still reads as a heading and fits beside its text.
        let mut style = self.st.h2.clone();
        let mut lines = self.balanced_lines(&runs, &style, width);
        for scale in HEADING_SCALES {
            if lines.len() as f32 * style.leading <= self.col_h * HEADING_COMFORT_COL_SHARE || self.st.h2.size * scale < self.st.body.size {
                break;
            }
            style = ParaStyle { size: self.st.h2.size * scale, leading: self.st.h2.leading * scale, ..self.st.h2.clone() };
            lines = self.balanced_lines(&runs, &style, width);
        }
        self.check_heading(lines.len() as f32 * style.leading, "heading");
        let cap = self.cap(&style, Style::BOLD);
        let mut ctx = Some(LinkCtx::new(&mut self.tree, node));
        let n = lines.len();
        let mut chunks: Vec<Chunk> = Vec::with_capacity(n);
        for (i, l) in lines.iter().enumerate() {
            let top = if i == 0 { HEADING_MARK } else { 0.0 };
            let mut items = Vec::new();
            if i == 0 {
                items.push(Item::Box { rect: Rect::new(0.0, 0.0, 22.0, 2.2), fill: Some(self.theme.accent), stroke: None, bleed: false });
            }
            push_line(&mut items, l, 0.0, top + baseline(&style, cap), Mark::Node(node), &mut ctx);
            let break_after = if i + 1 < n { HEADING_SPLIT } else { KEEP_WITH_NEXT };
            chunks.push(Chunk { kind: Kind::Heading, h: top + style.leading, break_after, items, ..Default::default() });
        }
        drop(ctx);
        if let Some(first) = chunks.first_mut() {
            first.space_before = self.st.body.leading * HEADING_SPACE_LINES;
            if bookmark {
                first.bookmarks = vec![(inline::plain(&inline::parse(text)), 0.0)];
            }
        }
        if let Some(last) = chunks.last_mut() {
            last.h += self.st.body.leading * 0.3;
        }
        chunks
    }

    /// A heading (or subheading) taller than [`HEADING_MAX_COL_SHARE`] of a column (at its
    /// smallest size) is an error:
    /// it reads as a paragraph and cannot be kept with its text.
    fn check_heading(&mut self, h: f32, field: &str) {
        if h > self.col_h * HEADING_MAX_COL_SHARE {
            let path = if self.path.is_empty() { field.to_string() } else { format!("{}.{field}", self.path) };
            self.errors.push(LayoutError { path, message: format!("this {} would take {:.0}% of a column, more than a heading can: shorten it, or make the text a paragraph", field.rsplit('.').next().unwrap_or(field), 100.0 * h / self.col_h) });
        }
    }

    /// Body items at `width`; full-width images are set at that width too (full-width sections).
    fn body_items(&mut self, items: &[BodyItem], parent: usize, width: f32, out: &mut Vec<Chunk>) {
        let mut parts = Vec::new();
        self.body_items_split(items, parent, width, width, &mut parts);
        for (before, full) in parts {
            out.extend(before);
            out.extend(full.into_iter().flatten());
        }
    }

    /// Body items; a full-width image closes the current part (returned in `parts`).
    fn body_items_split(&mut self, items: &[BodyItem], parent: usize, width: f32, full_w: f32, parts: &mut Vec<(Vec<Chunk>, Option<Vec<Chunk>>)>) {
        let gap = self.st.body.leading * PARA_GAP_LINES;
        let mut cur: Vec<Chunk> = Vec::new();
        for (idx, it) in items.iter().enumerate() {
            let sb = if idx == 0 { self.st.body.leading * 0.15 } else { gap };
            match it {
                BodyItem::Paragraph(t) => {
                    let node = self.tree.add(parent, Role::P);
                    let style = self.st.body.clone();
                    let mut cs = self.para_chunks(&inline::parse(t), &style, width, 0.0, node, sb, true);
                    // A paragraph introducing a list ("…these meetings:") stays with it.
                    if t.trim_end().ends_with(':') && matches!(items.get(idx + 1), Some(BodyItem::List { .. })) {
                        if let Some(last) = cs.last_mut() {
                            last.break_after = KEEP_WITH_NEXT;
                        }
                    }
                    cur.extend(cs);
                }
                BodyItem::Subheading(t) => {
                    let node = self.tree.add(parent, self.sub_role);
                    let style = self.st.h3.clone();
                    let mut cs = self.para_chunks(&inline::parse(t), &style, width, 0.0, node, sb + gap * 0.5, false);
                    self.check_heading(cs.len() as f32 * style.leading, &format!("body[{idx}].subheading"));
                    let last = idx + 1 == items.len();
                    let m = cs.len();
                    for (i, c) in cs.iter_mut().enumerate() {
                        c.kind = Kind::Heading;
                        c.break_after = if i + 1 < m { HEADING_SPLIT } else { KEEP_WITH_NEXT };
                    }
                    if let (true, Some(c)) = (last, cs.last_mut()) {
                        c.break_after = FREE; // nothing of its own follows it
                    }
                    cur.extend(cs);
                }
                BodyItem::List { items, numbered } => self.list(items, *numbered, parent, width, sb, gap, &mut cur),
                BodyItem::Image(img) => {
                    let w = if img.full { full_w } else { width };
                    let c = self.image_chunks(img, parent, w, sb);
                    if img.full && full_w > width {
                        parts.push((std::mem::take(&mut cur), Some(c)));
                    } else {
                        cur.extend(c);
                    }
                }
                BodyItem::Quote { text, by } => {
                    let q = self.quote_chunks(text, by.as_deref(), parent, width, sb);
                    cur.extend(q);
                }
            }
        }
        parts.push((cur, None));
    }

    #[allow(clippy::too_many_arguments)]
    fn list(&mut self, items: &[String], numbered: bool, parent: usize, width: f32, sb: f32, gap: f32, cur: &mut Vec<Chunk>) {
        let l = self.tree.add(parent, Role::L);
        let style = self.st.body.clone();
        let indent = if numbered { style.size * 1.6 } else { style.size * 1.1 };
        let cap = self.cap(&style, Style::REGULAR);
        for (i, t) in items.iter().enumerate() {
            let li = self.tree.add(l, Role::LI);
            let lbl = self.tree.add(li, Role::Lbl);
            let lb = self.tree.add(li, Role::LBody);
            let label = if numbered { format!("{}.", i + 1) } else { "•".to_string() };
            let mut cs = self.para_chunks(&inline::parse(t), &style, width - indent, indent, lb, if i == 0 { sb } else { gap * 0.45 }, true);
            let lab = self.plain_line(&label, &style);
            if let Some(c0) = cs.first_mut() {
                let mut li_items = Vec::new();
                let lx = if numbered { indent - lab.width - style.size * 0.4 } else { style.size * 0.15 };
                push_line(&mut li_items, &lab, lx, baseline(&style, cap), Mark::Node(lbl), &mut None);
                // The label comes first in reading order.
                li_items.append(&mut c0.items);
                c0.items = li_items;
            }
            cur.extend(cs);
        }
    }

    fn request_image(&mut self, path: &PathBuf, w: f32, h: f32, focus: [f32; 2], keep_alpha: bool, source: &str) -> usize {
        self.images.push(ImageRequest { path: path.clone(), frame_w: w, frame_h: h, focus, keep_alpha, source: source.to_string() });
        self.images.len() - 1
    }

    /// An image with its caption: one float chunk, or (a caption too long to keep with it)
    /// the image and the caption's first line, then the caption's other lines.
    fn image_chunks(&mut self, img: &ImageItem, parent: usize, width: f32, sb: f32) -> Vec<Chunk> {
        let (pw, ph) = self.probes.get(&img.path).map(|p| (p.width as f32, p.height as f32)).unwrap_or((4.0, 3.0));
        let ratio = (ph / pw.max(1.0)).clamp(IMAGE_MIN_RATIO, IMAGE_MAX_RATIO);
        // Smaller images are narrower; larger ones keep the column's width and are
        // cropped taller (to the tallest frame allowed).
        let mut w = width * self.image_scale.min(1.0);
        let mut h = w * (ratio * self.image_scale.max(1.0)).min(IMAGE_MAX_RATIO.max(ratio));
        let max_h = self.col_h * IMAGE_MAX_COL_SHARE * self.image_scale;
        if h > max_h {
            // Too tall: keep the width and crop the photo to a wider frame (no white beside
            // it), down to 2.4:1; past that, a narrower frame of that shape.
            h = max_h;
            if h / w < IMAGE_MIN_RATIO {
                w = h / IMAGE_MIN_RATIO;
            }
        }
        let x = (width - w) / 2.0;
        let idx = self.request_image(&img.path, w, h, img.focus, false, &img.json_path);
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
        let give = h * (1.0 - super::flow::SHRINK_MIN_SHARE);
        let grow = (h * super::flow::GROW_MAX_SHARE).min(w * IMAGE_MAX_RATIO - h).max(0.0);
        let mut image = Chunk { kind: Kind::Float, h, give, grow, space_before: sb.max(self.st.body.leading * 0.4), items: vec![Item::Image { mark, image: idx, rect: Rect::new(x, 0.0, w, h), clip: Clip::None }], figures, ..Default::default() };
        let Some(cap) = &img.caption else { return vec![image] };
        let node = self.tree.add(parent, Role::Caption);
        let style = self.st.caption.clone();
        let lines = para::set(&mut self.shaper, &self.hyph, &inline::parse(cap), &style, &|_| width);
        let capm = self.cap(&style, Style::ITALIC);
        let gap = 4.0;
        if h + gap + lines.len() as f32 * style.leading <= self.atom_max() {
            let mut ctx = Some(LinkCtx::new(&mut self.tree, node));
            image.h = set_lines(&mut image.items, &lines, &style, capm, 0.0, h + gap, Mark::Node(node), &mut ctx);
            return vec![image];
        }
        // A long caption: its lines flow after the image, the first kept with it.
        image.h += gap;
        image.break_after = KEEP_WITH_NEXT;
        let mut out = vec![image];
        out.extend(self.lines_to_chunks(&lines, &style, |_| 0.0, node, 0.0, false));
        out
    }

    /// A pull quote: kept together when it fits a column, else one chunk per line.
    fn quote_chunks(&mut self, text: &str, by: Option<&str>, parent: usize, width: f32, sb: f32) -> Vec<Chunk> {
        let bq = self.tree.add(parent, Role::BlockQuote);
        let p = self.tree.add(bq, Role::P);
        let style = self.st.quote.clone();
        let indent = 12.0;
        let lines = para::set(&mut self.shaper, &self.hyph, &inline::parse(text), &style, &|_| width - indent);
        let cap = self.cap(&style, Style::ITALIC);
        let accent = self.theme.accent;
        let bar = move |h: f32| Item::Box { rect: Rect::new(0.0, 0.0, 3.0, h), fill: Some(accent), stroke: None, bleed: false };
        let mut chunks: Vec<Chunk> = Vec::new();
        let mut ctx = Some(LinkCtx::new(&mut self.tree, p));
        let n = lines.len();
        for (i, l) in lines.iter().enumerate() {
            let top = if i == 0 { 2.0 } else { 0.0 };
            let mut items = vec![bar(style.leading + top)];
            push_line(&mut items, l, indent, top + baseline(&style, cap), Mark::Node(p), &mut ctx);
            chunks.push(Chunk { h: style.leading + top, break_after: line_break_cost(i, n, false), items, ..Default::default() });
        }
        drop(ctx);
        if let Some(by) = by {
            let pb = self.tree.add(bq, Role::P);
            let bs = ParaStyle { italic: false, ..self.st.small.clone() };
            let lines = para::set(&mut self.shaper, &Hyphen::none(), &[Run::plain(&format!("— {by}"))], &bs, &|_| width - indent);
            let capb = self.cap(&bs, Style::REGULAR);
            if let Some(last) = chunks.last_mut() {
                last.break_after = KEEP_WITH_NEXT;
            }
            let m = lines.len();
            for (i, l) in lines.iter().enumerate() {
                let top = if i == 0 { 3.0 } else { 0.0 };
                let mut items = vec![bar(bs.leading + top)];
                push_line(&mut items, l, indent, top + baseline(&bs, capb), Mark::Node(pb), &mut None);
                chunks.push(Chunk { h: bs.leading + top, break_after: line_break_cost(i, m, false).max(if m <= 3 { KEEP_WITH_NEXT } else { FREE }), items, ..Default::default() });
            }
        }
        let Some(last) = chunks.last_mut() else { return chunks };
        last.h += 2.0;
        if let Some(Item::Box { rect, .. }) = last.items.first_mut() {
            rect.h += 2.0;
        }
        last.break_after = FREE;
        chunks[0].space_before = sb.max(self.st.body.leading * 0.6);
        let total: f32 = chunks.iter().map(|c| c.h).sum();
        if total > self.col_h * QUOTE_KEEP_COL_SHARE {
            // Broken only where it must be: balancing would otherwise spread a quote a few
            // lines to a column, as cheap as breaking between paragraphs.
            let n = chunks.len();
            for c in &mut chunks[..n - 1] {
                c.break_after = c.break_after.max(super::flow::BOX_SPLIT);
            }
            return chunks;
        }
        // Kept together: one block.
        let mut items = Vec::new();
        let mut y = 0.0;
        for c in &chunks {
            items.extend(c.items.iter().map(|it| offset_item(it, 0.0, y)));
            y += c.h;
        }
        vec![Chunk { kind: Kind::Block, h: y, space_before: chunks[0].space_before, items, ..Default::default() }]
    }
}

/// A heading taller than this share of a column is set at the next of [`HEADING_SCALES`].
const HEADING_COMFORT_COL_SHARE: f32 = 0.5;
/// Sizes (shares of the brand's) tried for a long heading, down to the body size.
const HEADING_SCALES: [f32; 3] = [0.85, 0.72, 0.6];

/// The heading lines at the end of `chunks` (they go with a full-width image after them).
fn take_heading(chunks: &mut Vec<Chunk>) -> Vec<Chunk> {
    // Only a heading that keeps with what follows (a subheading ending its section does not).
    let mut head = Vec::new();
    while chunks.last().is_some_and(|c| c.is_heading() && c.keeps_with_next()) {
        head.extend(chunks.pop());
    }
    head.reverse();
    head
}

/// A full-width image band, led by the heading before it (then it flows like text).
fn image_band(head: Vec<Chunk>, image: Vec<Chunk>, width: f32) -> Band {
    let kind = if head.is_empty() { BandKind::Image } else { BandKind::Flow };
    Band { kind, cols: 1, width, chunks: head.into_iter().chain(image).collect() }
}

/// A line broken inside a word without a hyphen (a word longer than the measure): the
/// column must not break after it, or the word would be split across columns unmarked.
fn mid_word(line: &Line) -> bool {
    let last = line.runs.last().and_then(|r| r.glyphs.last());
    !line.hyphenated && last.is_some_and(|g| !g.text.is_empty() && !g.text.ends_with(char::is_whitespace) && !g.text.ends_with('-'))
}

/// The cost of a column break after line `i` of `n`.
fn line_break_cost(i: usize, n: usize, hyphenated: bool) -> f32 {
    if i + 1 >= n {
        FREE
    } else if i == 0 || i + 2 == n {
        WIDOW
    } else if hyphenated {
        HYPHEN_BREAK
    } else {
        FREE
    }
}

/// Move chunks' content right by `dx` (inside a box's padding).
fn indent(chunks: &mut [Chunk], dx: f32) {
    for c in chunks.iter_mut() {
        for it in c.items.iter_mut() {
            super::shift_item(it, dx, 0.0);
        }
        for f in c.figures.iter_mut() {
            f.1.x += dx;
        }
    }
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
