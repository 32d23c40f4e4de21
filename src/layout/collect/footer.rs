//! The contact footer: a full-width framed panel of chunks (heading, text, contacts, links,
//! acknowledgements, disclaimer, funder logos) that ends the last page.

use super::{escape_md, indent, Builder};
use crate::brand::MM;
use crate::inline;
use crate::layout::display::{Clip, Item, Mark, Rect, Role};
use crate::layout::flow::{Chunk, Group, Kind};
use crate::layout::lines::{set_lines, LinkCtx};
use crate::layout::styles::FOOTER_PAD;
use crate::model::{Contact, Footer};
use crate::text::fonts::Style;
use crate::text::hyph::Hyphen;
use crate::text::para::{self, ParaStyle};

/// Contacts sit side by side, one per this many points of width, at most three.
const CONTACT_MIN_W: f32 = 150.0;
const CONTACT_GAP: f32 = 12.0;
/// Funder logos are this tall, at most 50 mm wide, 8 mm apart.
const FUNDER_H: f32 = 10.0 * MM;
const FUNDER_MAX_W: f32 = 50.0 * MM;
const FUNDER_GAP: f32 = 8.0 * MM;

impl Builder<'_> {
    pub(super) fn contact_footer(&mut self, f: &Footer, width: f32) -> Vec<Chunk> {
        let sect = self.tree.add(0, Role::Sect);
        self.path = "footer".into();
        let pad = FOOTER_PAD;
        let inner = width - 2.0 * pad;
        let mut chunks: Vec<Chunk> = Vec::new();
        let heading = f.heading.clone().unwrap_or_else(|| "Stay in touch".into());
        let mut hc = self.heading(&heading, sect, inner, false);
        if let Some(c) = hc.first_mut() {
            c.items.retain(|it| !matches!(it, Item::Box { .. }));
            for it in c.items.iter_mut() {
                crate::layout::shift_item(it, 0.0, -crate::layout::styles::HEADING_MARK);
            }
            c.h -= crate::layout::styles::HEADING_MARK;
        }
        chunks.extend(hc);
        let body = ParaStyle { justify: false, ..self.st.body.clone() };
        let gap = body.leading * 0.4;
        if let Some(t) = &f.text {
            for p in t.paragraphs() {
                let node = self.tree.add(sect, Role::P);
                chunks.extend(self.para_chunks(&inline::parse(p), &body, inner, 0.0, node, gap, false));
            }
        }
        if !f.contacts.is_empty() {
            let per_row = ((inner / CONTACT_MIN_W).floor() as usize).clamp(1, 3).min(f.contacts.len());
            let cw = (inner - (per_row as f32 - 1.0) * CONTACT_GAP) / per_row as f32;
            let list = self.tree.add(sect, Role::L);
            for row in f.contacts.chunks(per_row) {
                let mut items = Vec::new();
                let mut h: f32 = 0.0;
                for (col, c) in row.iter().enumerate() {
                    let x = col as f32 * (cw + CONTACT_GAP);
                    h = h.max(self.contact(c, list, x, cw, &body, &mut items));
                }
                chunks.push(Chunk { kind: Kind::Block, h, space_before: gap + 2.0, items, ..Default::default() });
            }
        }
        if !f.links.is_empty() {
            let node = self.tree.add(sect, Role::P);
            let md: Vec<String> = f.links.iter().map(|l| format!("[{}]({})", escape_md(&l.label), l.url.trim())).collect();
            let runs = inline::parse(&md.join("   "));
            let lines = para::set(&mut self.shaper, &Hyphen::none(), &runs, &body, &|_| inner);
            chunks.extend(self.lines_to_chunks(&lines, &body, |_| 0.0, node, gap, false));
        }
        let small = self.st.small.clone();
        for (italic, text) in [(false, &f.acknowledgements), (true, &f.disclaimer)] {
            let Some(t) = text else { continue };
            let node = self.tree.add(sect, Role::P);
            let mut runs = inline::parse(t);
            for r in runs.iter_mut() {
                r.italic |= italic;
            }
            chunks.extend(self.para_chunks(&runs, &small, inner, 0.0, node, small.leading * 0.4, false));
        }
        if let Some(logos) = self.funder_logos(sect) {
            chunks.push(logos);
        }
        indent(&mut chunks, pad);
        let g = Group { fill: Some(self.theme.tint), stroke: None, bar: None, top: Some(self.theme.primary), pad, cue: None, cue_h: 0.0, floats: false };
        let mut out = self.group(chunks, g, Some(&heading));
        if let Some(c) = out.first_mut() {
            c.space_before = self.st.body.leading * crate::layout::styles::FOOTER_GAP_LINES;
        }
        out
    }

    /// One contact's lines at `x` in a column `cw` wide; returns the height they take.
    fn contact(&mut self, c: &Contact, list: usize, x: f32, cw: f32, body: &ParaStyle, items: &mut Vec<Item>) -> f32 {
        let li = self.tree.add(list, Role::LI);
        let lb = self.tree.add(li, Role::LBody);
        let mut y = 0.0;
        // Name and role are plain text (never links); e-mail and phone are links.
        let mut field = |b: &mut Builder, runs: Vec<inline::Run>, style: &ParaStyle, items: &mut Vec<Item>| {
            let lines = para::set(&mut b.shaper, &Hyphen::none(), &runs, style, &|_| cw);
            let cap = b.cap(style, Style::REGULAR);
            let node = b.tree.add(lb, Role::P);
            let mut ctx = Some(LinkCtx::new(&mut b.tree, node));
            y = set_lines(items, &lines, style, cap, x, y, Mark::Node(node), &mut ctx);
        };
        let bold = ParaStyle { bold: true, ..body.clone() };
        field(self, vec![inline::Run::plain(&c.name)], &bold, items);
        if let Some(r) = &c.role {
            let rs = self.st.role.clone();
            field(self, vec![inline::Run::plain(r)], &rs, items);
        }
        if let Some(e) = &c.email {
            field(self, inline::parse(&format!("[{}](mailto:{})", escape_md(e.trim()), e.trim())), body, items);
        }
        if let Some(p) = &c.phone {
            let tel: String = p.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
            field(self, inline::parse(&format!("[{}](tel:{})", escape_md(p), tel)), body, items);
        }
        y
    }

    /// The brand's funder logos in a row, or None without any.
    fn funder_logos(&mut self, sect: usize) -> Option<Chunk> {
        let logos = self.theme.funder_logos.clone();
        let mut items = Vec::new();
        let mut figures = Vec::new();
        let mut x = 0.0;
        let mut h: f32 = 0.0;
        for (path, alt) in logos {
            let Some(p) = self.probes.get(&path) else { continue };
            let w = (FUNDER_H * p.width as f32 / p.height.max(1) as f32).min(FUNDER_MAX_W);
            let hh = w * p.height as f32 / p.width.max(1) as f32;
            let idx = self.request_image(&path, w, hh, [0.5, 0.5], true, "brand funder logo");
            let fig = self.tree.add(sect, Role::Figure);
            self.tree.nodes[fig].alt = Some(alt);
            let rect = Rect::new(x, 0.0, w, hh);
            figures.push((fig, rect));
            items.push(Item::Image { mark: Mark::Node(fig), image: idx, rect, clip: Clip::None });
            x += w + FUNDER_GAP;
            h = h.max(hh);
        }
        (!items.is_empty()).then(|| Chunk { kind: Kind::Block, h: h + 3.0, space_before: 3.0, items, figures, ..Default::default() })
    }
}
