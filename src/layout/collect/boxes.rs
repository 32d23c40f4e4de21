//! Framed boxes: callouts and profiles, breakable with a "(continued)" cue, kept whole when
//! they fit (their inner breaks cost [`BOX_SPLIT`], a piece of one line [`BOX_THIN`]).

use super::{indent, Builder};
use crate::inline::{self, Run};
use crate::layout::display::{Clip, Item, Mark, Rect, Role};
use crate::layout::flow::{Chunk, Group, Kind, BOX_SPLIT, BOX_THIN, FREE};
use crate::layout::lines::{baseline, push_line};
use crate::layout::styles::{BOX_PAD, BOX_SPACE_LINES, HEADING_MARK};
use crate::model::{ImageItem, Item as BodyItem};
use crate::text::fonts::Style;
use crate::text::hyph::Hyphen;
use crate::text::para::{self, ParaStyle};

/// The cue of a continued box: the heading in up to this many lines, else shortened.
const CUE_MAX_LINES: usize = 2;
/// Profile photos beside the text need a box at least this wide (points); narrower, above it.
const PHOTO_BESIDE_MIN_W: f32 = 150.0;
/// Gap between a profile photo and the text beside or below it (points).
const PHOTO_GAP: f32 = 8.0;

/// "Continued" by language (BCP 47 primary subtag), for the cue of a box that goes on in
/// the next column; English for a language not listed.
const CONTINUED: &[(&str, &str)] = &[
    ("en", "continued"), ("de", "Fortsetzung"), ("fr", "suite"), ("es", "continuación"), ("it", "continua"),
    ("nl", "vervolg"), ("pt", "continuação"), ("sv", "forts."), ("da", "fortsat"), ("nb", "fortsatt"),
    ("nn", "framhald"), ("no", "fortsatt"), ("fi", "jatkuu"), ("pl", "ciąg dalszy"), ("cy", "parhad"),
    ("ga", "ar lean"), ("gd", "an còrr"), ("cs", "pokračování"), ("sk", "pokračovanie"), ("sl", "nadaljevanje"),
    ("hr", "nastavak"), ("hu", "folytatás"), ("ro", "continuare"), ("ca", "continuació"), ("eu", "jarraipena"),
    ("gl", "continuación"), ("et", "järg"), ("lv", "turpinājums"), ("lt", "tęsinys"), ("is", "framhald"),
    ("el", "συνέχεια"), ("ru", "продолжение"), ("uk", "продовження"), ("bg", "продължение"), ("tr", "devamı"),
];

/// The word for "continued" in the language `tag`.
pub(super) fn continued_word(tag: &str) -> &'static str {
    let primary = tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    CONTINUED.iter().find(|(l, _)| *l == primary).map_or("continued", |(_, w)| w)
}

impl Builder<'_> {
    /// The "(continued)" cue for a box with this heading: items and height.
    fn cue(&mut self, heading: &str) -> (Vec<Item>, f32) {
        let style = ParaStyle { italic: true, ..self.st.small.clone() };
        let words: Vec<&str> = heading.split_whitespace().collect();
        let cap = self.cap(&style, Style::ITALIC);
        let measure = self.col_w - 24.0;
        let mut k = words.len();
        let set = |b: &mut Builder, text: String| para::set(&mut b.shaper, &Hyphen::none(), &[Run::plain(&text)], &style, &|_| measure);
        let cont = self.continued;
        let mut lines = set(self, format!("{heading} ({cont})"));
        while lines.len() > CUE_MAX_LINES && k > 1 {
            // Cut many words at a time from a very long heading.
            k = if k > 40 { 40 } else { k - 1 };
            lines = set(self, format!("{}… ({cont})", words[..k].join(" ")));
        }
        let mut items = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            push_line(&mut items, line, 10.0, i as f32 * style.leading + baseline(&style, cap), Mark::Artifact, &mut None);
        }
        (items, style.leading * lines.len().max(1) as f32)
    }

    /// Make `chunks` a framed group: padding at both ends, the cue, and the break costs that
    /// keep it whole when it fits and never leave a piece of one line.
    pub(super) fn group(&mut self, mut chunks: Vec<Chunk>, mut g: Group, heading: Option<&str>) -> Vec<Chunk> {
        if let Some(h) = heading {
            let (items, h) = self.cue(h);
            g.cue = Some(items);
            g.cue_h = h;
        }
        let gid = self.groups.len();
        let pad = g.pad;
        self.groups.push(g);
        let n = chunks.len();
        if n == 0 {
            return chunks;
        }
        for (i, c) in chunks.iter_mut().enumerate() {
            c.group = Some(gid);
            if i + 1 < n {
                c.break_after = c.break_after.max(BOX_SPLIT);
                if i == 0 || i + 2 == n {
                    c.break_after = c.break_after.max(BOX_THIN);
                }
            }
        }
        let c0 = &mut chunks[0];
        c0.space_before = self.st.body.leading * BOX_SPACE_LINES;
        for it in c0.items.iter_mut() {
            crate::layout::shift_item(it, 0.0, pad);
        }
        for f in c0.figures.iter_mut() {
            f.1.y += pad;
        }
        for b in c0.bookmarks.iter_mut() {
            b.1 += pad;
        }
        c0.h += pad;
        chunks[n - 1].h += pad;
        chunks[n - 1].break_after = FREE;
        chunks
    }

    /// A heading inside a box: no accent mark, tight to the top padding.
    fn box_heading(&mut self, text: &str, sect: usize, width: f32) -> Vec<Chunk> {
        let mut cs = self.heading(text, sect, width, true);
        if let Some(c) = cs.first_mut() {
            c.items.retain(|it| !matches!(it, Item::Box { .. }));
            for it in c.items.iter_mut() {
                crate::layout::shift_item(it, 0.0, -HEADING_MARK);
            }
            c.h -= HEADING_MARK;
            c.space_before = 0.0;
        }
        cs
    }

    pub(super) fn callout(&mut self, heading: Option<&str>, items: &[BodyItem], sect: usize, width: f32) -> Vec<Chunk> {
        let pad = BOX_PAD;
        let bar = crate::layout::flow::frames::BAR_W;
        let inner = width - 2.0 * pad - bar;
        let mut chunks = Vec::new();
        if let Some(h) = heading {
            chunks.extend(self.box_heading(h, sect, inner));
        }
        let mut body = Vec::new();
        self.body_items(items, sect, inner, &mut body);
        if let Some(f) = body.first_mut() {
            if heading.is_none() {
                f.space_before = 0.0;
            }
        }
        chunks.extend(body);
        indent(&mut chunks, pad + bar);
        let g = Group { fill: Some(self.theme.tint), stroke: None, bar: Some(self.theme.accent), top: None, pad, cue: None, cue_h: 0.0, floats: true };
        self.group(chunks, g, heading)
    }

    /// The profile photo's frame size: beside the text when the box is wide enough.
    fn photo_frame(&self, inner: f32, beside: bool) -> (f32, f32) {
        let circle = self.theme.circle_photo;
        let w = if beside { (inner * 0.36).clamp(60.0, 120.0) } else { inner.min(110.0) };
        (w, if circle { w } else { w * 1.25 })
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn profile(&mut self, heading: Option<&str>, name: &str, role: Option<&str>, photo: Option<&ImageItem>, items: &[BodyItem], sect: usize, width: f32) -> Vec<Chunk> {
        let pad = BOX_PAD;
        let inner = width - 2.0 * pad;
        let mut chunks = Vec::new();
        if let Some(h) = heading {
            chunks.extend(self.box_heading(h, sect, inner));
        }
        let beside = inner >= PHOTO_BESIDE_MIN_W;
        let (fw, fh) = if photo.is_some() { self.photo_frame(inner, beside) } else { (0.0, 0.0) };
        let mut head_items: Vec<Item> = Vec::new();
        let mut figures = Vec::new();
        let mut y = 0.0f32;
        let mut photo_index = None;
        let (mut text_x0, mut photo_bottom) = (0.0, 0.0);
        if let Some(ph) = photo {
            let idx = self.request_image(&ph.path, fw, fh, ph.focus, false, &ph.json_path);
            photo_index = Some(idx);
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
            head_items.push(Item::Image { mark, image: idx, rect, clip: if self.theme.circle_photo { Clip::Circle } else { Clip::None } });
            if beside {
                text_x0 = fw + PHOTO_GAP;
                photo_bottom = fh + 2.0;
            } else {
                y = fh + PHOTO_GAP;
            }
        }
        // Lines beside the photo are shorter; below it they take the full width.
        let geom = Around { inner, text_x0, photo_bottom };
        let mut positioned: Vec<(f32, Chunk)> = Vec::new();
        let name_node = self.tree.add(sect, Role::P);
        self.profiles.extend(photo_index.map(|i| (i, name_node)));
        let ns = self.st.name.clone();
        positioned.extend(self.set_around(&[Run::plain(name)], &ns, name_node, &mut y, 0.0, false, geom));
        if let Some(r) = role {
            let rn = self.tree.add(sect, Role::P);
            let rs = self.st.role.clone();
            positioned.extend(self.set_around(&inline::parse(r), &rs, rn, &mut y, 1.0, false, geom));
        }
        // A photo above the text keeps its name and role with it.
        let named = if photo.is_some() { positioned.len() } else { 0 };
        let gap_p = self.st.body.leading * crate::layout::styles::PARA_GAP_LINES;
        for (i, it) in items.iter().enumerate() {
            match it {
                BodyItem::Paragraph(t) => {
                    let node = self.tree.add(sect, Role::P);
                    let bs = self.st.body.clone();
                    positioned.extend(self.set_around(&inline::parse(t), &bs, node, &mut y, if i == 0 { gap_p * 1.2 } else { gap_p }, true, geom));
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
        }
        // The photo and every line beside it form one block (the photo stays with the name).
        let split_at = positioned.iter().position(|(py, _)| *py >= photo_bottom).unwrap_or(positioned.len()).max(named);
        let mut head_h = photo_bottom.max(if split_at > 0 { positioned[split_at - 1].0 + positioned[split_at - 1].1.h } else { 0.0 });
        if photo.is_some() && !beside {
            head_h = head_h.max(fh);
        }
        for (py, c) in positioned.iter().take(split_at) {
            head_items.extend(c.items.iter().map(|it| crate::layout::offset_item(it, 0.0, *py)));
        }
        // A photo above the name may shrink (keeping its shape, the name moving up) so the
        // box's head fits the room left in a column, as an image does.
        let give = if photo.is_some() && !beside { fh * (1.0 - crate::layout::flow::SHRINK_MIN_SHARE) } else { 0.0 };
        chunks.push(Chunk { kind: Kind::Block, h: head_h, give, items: head_items, figures, ..Default::default() });
        let mut prev_bottom = head_h;
        for (py, c) in positioned.into_iter().skip(split_at) {
            let sb = (py - prev_bottom).max(0.0);
            prev_bottom = py + c.h;
            chunks.push(Chunk { space_before: sb, ..c });
        }
        indent(&mut chunks, pad);
        let g = Group { fill: Some(self.theme.tint), stroke: None, bar: None, top: None, pad, cue: None, cue_h: 0.0, floats: true };
        self.group(chunks, g, heading.or(Some(name)))
    }

    /// Set a paragraph around the profile photo from `y`: (y of each line, its chunk).
    #[allow(clippy::too_many_arguments)]
    fn set_around(&mut self, runs: &[Run], style: &ParaStyle, node: usize, y: &mut f32, sb: f32, report: bool, g: Around) -> Vec<(f32, Chunk)> {
        *y += sb;
        let y0 = *y;
        let lead = style.leading;
        let measure = |n: usize| g.width_at(y0 + n as f32 * lead).0;
        let lines = para::set(&mut self.shaper, &self.hyph, runs, style, &measure);
        let chunks = self.lines_to_chunks(&lines, style, |i| g.width_at(y0 + i as f32 * lead).1, node, 0.0, report);
        let mut out = Vec::with_capacity(chunks.len());
        for c in chunks {
            out.push((*y, c));
            *y += lead;
        }
        out
    }
}

/// Where text goes around a profile photo.
#[derive(Debug, Clone, Copy)]
struct Around {
    inner: f32,
    text_x0: f32,
    photo_bottom: f32,
}

impl Around {
    /// (measure, x) of a line whose top is at `top`.
    fn width_at(&self, top: f32) -> (f32, f32) {
        if top < self.photo_bottom {
            (self.inner - self.text_x0, self.text_x0)
        } else {
            (self.inner, 0.0)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_continued_cue_speaks_the_issue_language() {
        assert_eq!(super::continued_word("de-DE"), "Fortsetzung");
        assert_eq!(super::continued_word("cy"), "parhad");
        assert_eq!(super::continued_word("en-GB"), "continued");
        assert_eq!(super::continued_word("tlh"), "continued");
    }
}
