//! The "In this issue" box: each section's heading with the page it starts on, linked to
//! it and tagged as a table of contents. Collect sets the box with room for the numbers;
//! [`fill`] writes them in once the pages are known, so the box's size never depends on
//! them.

use super::{indent, Builder};
use crate::inline::{self, Run};
use crate::layout::display::{Document, Item, Mark, Rect, Role};
use crate::layout::flow::{Chunk, Group, Kind, FREE};
use crate::layout::lines::{baseline, push_line};
use crate::layout::styles::BOX_PAD;
use crate::model::{Doc, SectionBody};
use crate::text::fonts::Style;
use crate::text::para::{self, ParaStyle};

/// "In this issue" by language (BCP 47 primary subtag); English for one not listed.
const TITLE: &[(&str, &str)] = &[
    ("en", "In this issue"), ("de", "In dieser Ausgabe"), ("fr", "Dans ce numéro"), ("es", "En este número"),
    ("it", "In questo numero"), ("nl", "In dit nummer"), ("pt", "Nesta edição"), ("sv", "I detta nummer"),
    ("da", "I dette nummer"), ("nb", "I denne utgaven"), ("no", "I denne utgaven"), ("nn", "I denne utgåva"),
    ("fi", "Tässä numerossa"), ("pl", "W tym numerze"), ("cy", "Yn y rhifyn hwn"), ("ga", "San eagrán seo"),
    ("cs", "V tomto čísle"), ("ca", "En aquest número"), ("he", "בגיליון זה"), ("ar", "في هذا العدد"),
];

/// Room kept at the right of each entry for its page number: this many digits' width.
const NUMBER_DIGITS: &str = "00";
/// Gap between an entry's text and its page number, in points.
const NUMBER_GAP: f32 = 6.0;
/// Space between two entries, as a share of a body line.
const ENTRY_GAP_LINES: f32 = 0.25;

/// An entry waiting for its page number.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Index of the section it lists.
    pub section: usize,
    /// Its Link structure element (the entry's text, number and link rectangle).
    pub link: usize,
    /// The entry's title, for the link's text.
    pub title: String,
    /// The number's baseline above the link rectangle's bottom edge.
    pub base_from_bottom: f32,
    pub style: ParaStyle,
}

/// The box's title in the language `tag`.
fn title_for(tag: &str) -> &'static str {
    let primary = tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    TITLE.iter().find(|(l, _)| *l == primary).map_or("In this issue", |(_, w)| w)
}

/// What a section is listed as: its heading, else a profile's name; `None`: not listed.
fn entry_title(s: &crate::model::ValidSection) -> Option<String> {
    let text = match (&s.heading, &s.kind) {
        (Some(h), _) => h.as_str(),
        (None, SectionBody::Profile { name, .. }) => name.as_str(),
        _ => return None,
    };
    let plain = inline::plain(&inline::parse(text));
    (!plain.trim().is_empty()).then(|| plain.split_whitespace().collect::<Vec<_>>().join(" "))
}

impl Builder<'_> {
    /// The box for `doc` at `width`, or nothing when the issue does not ask for one or has
    /// no section to list.
    pub(super) fn contents_box(&mut self, doc: &Doc, width: f32) -> Vec<Chunk> {
        let Some(title) = &doc.contents else { return Vec::new() };
        let entries: Vec<(usize, String)> = doc.sections.iter().enumerate().filter_map(|(i, s)| entry_title(s).map(|t| (i, t))).collect();
        if entries.is_empty() {
            return Vec::new();
        }
        let title = title.clone().unwrap_or_else(|| title_for(&doc.language).to_string());
        let pad = BOX_PAD;
        let bar = crate::layout::flow::frames::BAR_W;
        let inner = width - 2.0 * pad - bar;
        let mut chunks = Vec::new();
        // The title: set like a box's heading, a heading of the document's outline of
        // headings (H2) but not a bookmark.
        let div = self.tree.add(0, Role::Div);
        let head = self.tree.add(div, Role::H2);
        let hs = ParaStyle { hyphenate: false, ..self.st.h3.clone() };
        let hcap = self.cap(&hs, Style::BOLD);
        for l in para::set(&mut self.shaper, &self.patterns, &[Run::plain(&title)], &hs, &|_| inner) {
            let mut items = Vec::new();
            push_line(&mut items, &l, 0.0, baseline(&hs, hcap), Mark::Node(head), &mut None);
            chunks.push(Chunk { kind: Kind::Heading, h: hs.leading, break_after: crate::layout::flow::HEADING_SPLIT, items, ..Default::default() });
        }
        // (Every line of the title breaks at HEADING_SPLIT, the last too: the title never
        // ends a piece of the box alone, it always fits with an entry.)
        if let Some(last) = chunks.last_mut() {
            last.h += self.st.body.leading * ENTRY_GAP_LINES;
        }
        let toc = self.tree.add(div, Role::TOC);
        let style = ParaStyle { justify: false, hyphenate: false, ..self.st.body.clone() };
        let cap = self.cap(&style, Style::REGULAR);
        let digits = self.plain_line(NUMBER_DIGITS, &style).width;
        let measure = (inner - digits - NUMBER_GAP).max(inner * 0.5);
        let count = entries.len();
        for (k, (section, text)) in entries.into_iter().enumerate() {
            let item = self.tree.add(toc, Role::TOCI);
            let reference = self.tree.add(item, Role::Reference);
            let link = self.tree.add(reference, Role::Link);
            self.tree.nodes[link].text = Some(text.clone());
            let lines = para::set(&mut self.shaper, &self.patterns, &[Run::plain(&text)], &style, &|_| measure);
            let mut items = Vec::new();
            for (i, l) in lines.iter().enumerate() {
                push_line(&mut items, l, 0.0, i as f32 * style.leading + baseline(&style, cap), Mark::Node(link), &mut None);
            }
            let h = style.leading * lines.len().max(1) as f32;
            items.push(Item::Link { node: link, rect: Rect::new(0.0, 0.0, inner, h), uri: String::new(), dest: None });
            self.contents.push(Entry { section, link, title: text, base_from_bottom: style.leading - baseline(&style, cap), style: style.clone() });
            // (The gap below an entry is part of it, not space that feathering may stretch:
            // the list stays as set when its column is justified.)
            let gap = if k + 1 < count { self.st.body.leading * ENTRY_GAP_LINES } else { 0.0 };
            chunks.push(Chunk { kind: Kind::Line, h: h + gap, break_after: FREE, items, ..Default::default() });
        }
        indent(&mut chunks, pad + bar);
        let g = Group { fill: Some(self.theme.tint), stroke: None, bar: Some(self.theme.accent), top: None, pad, cue: None, cue_h: 0.0, floats: false };
        self.group(chunks, g, Some(&title))
    }
}

/// Write each entry's page number (right-aligned on its last line) and point its link at
/// the first text of its section, now that the pages are laid out. `furniture[p]` is where
/// page `p`'s running footer starts: the numbers go before it, with the content.
pub fn fill(b: &mut Builder, doc: &mut Document, furniture: &mut [usize]) {
    if b.contents.is_empty() {
        return;
    }
    // The top-level node each node belongs to, and the first place each section shows.
    let tree = &doc.tree;
    let mut top = vec![0usize; tree.nodes.len()];
    for (i, node) in tree.nodes.iter().enumerate() {
        top[i] = match node.parent {
            Some(0) | None => i,
            Some(p) => top[p],
        };
    }
    let mut first: std::collections::HashMap<usize, (usize, f32)> = std::collections::HashMap::new();
    for (pi, page) in doc.pages.iter().enumerate() {
        for it in &page.items {
            if let Item::Text { mark: Mark::Node(n), y, size, .. } = it {
                let t = top.get(*n).copied().unwrap_or(0);
                let at = (pi, y - size);
                first.entry(t).and_modify(|f| if at < *f { *f = at }).or_insert(at);
            }
        }
    }
    let entries = std::mem::take(&mut b.contents);
    for e in &entries {
        let Some(&sect) = b.sect_nodes.get(e.section) else { continue };
        let Some(&(page, y)) = first.get(&sect) else { continue };
        let label = (page + 1).to_string();
        let line = b.plain_line(&label, &e.style);
        for (pi, p) in doc.pages.iter_mut().enumerate() {
            let Some(k) = p.items.iter().position(|it| matches!(it, Item::Link { node, .. } if *node == e.link)) else { continue };
            let rect = match &mut p.items[k] {
                Item::Link { rect, dest, .. } => {
                    *dest = Some((page, y));
                    *rect
                }
                _ => continue,
            };
            let mut items = Vec::new();
            push_line(&mut items, &line, rect.right() - line.width, rect.bottom() - e.base_from_bottom, Mark::Node(e.link), &mut None);
            let at = furniture.get(pi).copied().unwrap_or(p.items.len()).min(p.items.len());
            let added = items.len();
            p.items.splice(at..at, items);
            if let Some(f) = furniture.get_mut(pi) {
                *f += added;
            }
            break;
        }
        doc.tree.nodes[e.link].text = Some(format!("{} {label}", e.title));
    }
}
