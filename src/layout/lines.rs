//! Set lines as display items: glyph runs, link annotations and underlines, and the Link
//! structure elements that hold them.

use super::display::{Item, Mark, Rect, Role, Tree};
use crate::brand::Rgb;
use crate::text::para::{Line, LineRun, ParaStyle};

/// The baseline of a line within its leading, for a face with `cap` cap height (em units).
pub fn baseline(style: &ParaStyle, cap: f32) -> f32 {
    (style.leading + cap * style.size) / 2.0
}

/// An open link annotation on the current line: node, url, x0, x1, size, colour.
type OpenLink = (usize, String, f32, f32, f32, Rgb);

/// Add a set line's runs as items at (x, baseline y); link runs become Link nodes.
/// Consecutive runs of one link on a line share one annotation and one underline.
pub fn push_line(items: &mut Vec<Item>, line: &Line, x: f32, y: f32, mark: Mark, links: &mut Option<LinkCtx>) {
    let mut open: Option<OpenLink> = None;
    let flush = |items: &mut Vec<Item>, open: &mut Option<OpenLink>| {
        if let Some((node, url, x0, x1, size, colour)) = open.take() {
            items.push(Item::Link { node, rect: Rect::new(x0, y - size * 0.95, x1 - x0, size * 1.25), uri: url, dest: None });
            items.push(Item::Rule { x1: x0, y1: y + size * 0.13, x2: x1, y2: y + size * 0.13, colour, width: (size * 0.06).max(0.4) });
        }
    };
    let own = match mark {
        Mark::Node(n) => n,
        Mark::Artifact => usize::MAX,
    };
    for r in &line.runs {
        let run_mark = match (&r.link, links.as_mut()) {
            (Some(url), Some(ctx)) if !url.is_empty() => Mark::Node(ctx.node_for(url, r)),
            (_, Some(ctx)) => {
                // Text between two links to one address: they stay two links, each with
                // its own text (so the PDF stays linear in the input).
                ctx.finish();
                mark
            }
            _ => mark,
        };
        items.push(Item::Text { mark: run_mark, face: r.face, size: r.size, colour: r.colour, x: x + r.x, y, width: r.width, glyphs: r.glyphs.clone(), hyphen: r.hyphen, invisible: r.invisible });
        match (&r.link, run_mark) {
            (Some(url), Mark::Node(node)) if !url.is_empty() && node != own => {
                let same = matches!(&open, Some((n, u, ..)) if *n == node && u == url);
                if same {
                    if let Some(o) = open.as_mut() {
                        o.2 = o.2.min(x + r.x);
                        o.3 = o.3.max(x + r.x + r.width);
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

/// Set `lines` one below the other from `y` (the top of the first line's leading) at `x`;
/// returns the y below the last line.
pub fn set_lines(items: &mut Vec<Item>, lines: &[Line], style: &ParaStyle, cap: f32, x: f32, y: f32, mark: Mark, links: &mut Option<LinkCtx>) -> f32 {
    let mut y = y;
    for l in lines {
        push_line(items, l, x, y + baseline(style, cap), mark, links);
        y += style.leading;
    }
    y
}

/// Tracks Link structure nodes within one paragraph.
pub struct LinkCtx<'t> {
    pub tree: &'t mut Tree,
    pub parent: usize,
    /// The open link: address, which link of the paragraph, its node.
    current: Option<(String, u32, usize)>,
}

impl<'t> LinkCtx<'t> {
    pub fn new(tree: &'t mut Tree, parent: usize) -> LinkCtx<'t> {
        LinkCtx { tree, parent, current: None }
    }

    fn node_for(&mut self, url: &str, run: &LineRun) -> usize {
        // The link text as written: line breaks add nothing (a line that ends between words
        // already carries its space glyph), and a line-end hyphen is not part of it.
        let text: String = run.glyphs.iter().map(|g| g.text.as_str()).collect::<String>().replace('\u{AD}', "");
        if let Some((u, seq, n)) = &self.current {
            if u == url && *seq == run.link_seq {
                let n = *n;
                let t = self.tree.nodes[n].text.get_or_insert_with(String::new);
                t.push_str(&text);
                return n;
            }
        }
        let n = self.tree.add(self.parent, Role::Link);
        self.tree.nodes[n].text = Some(text);
        self.current = Some((url.to_string(), run.link_seq, n));
        n
    }

    fn end_line(&mut self, line: &Line) {
        // A link continues onto the next line only if this line ends with it.
        if line.runs.last().map(|r| r.link.is_none() && !r.hyphen).unwrap_or(true) {
            self.finish();
        }
    }

    /// Close the open link: its text loses the trailing space of a line end.
    fn finish(&mut self) {
        if let Some((_, _, n)) = self.current.take() {
            if let Some(t) = self.tree.nodes[n].text.as_mut() {
                let trimmed = t.trim_end().len();
                t.truncate(trimmed);
            }
        }
    }
}

impl Drop for LinkCtx<'_> {
    fn drop(&mut self) {
        self.finish();
    }
}
