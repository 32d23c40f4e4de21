//! The masthead on page 1: brand band, kicker, title, edition and logo.

use super::Builder;
use crate::brand::MM;
use crate::inline::{self, Run};
use crate::layout::display::{Clip, Item, Mark, Page, Rect, Role};
use crate::layout::lines::{set_lines, LinkCtx};
use crate::layout::styles::MASTHEAD_MAX_PAGE_SHARE;
use crate::layout::LayoutError;
use crate::model::Doc;
use crate::text::fonts::Style;
use crate::text::hyph::Hyphen;
use crate::text::para::{self, ParaStyle};

/// The logo is this tall in the band (points), at most 62 mm and 30% of the text width wide.
const LOGO_H: f32 = 16.0 * MM;
const LOGO_MAX_W: f32 = 62.0 * MM;
/// The band is at least this tall.
const BAND_MIN_H: f32 = 38.0 * MM;
/// The accent strip under the band, and the space below it before the text.
const STRIP_H: f32 = 1.6 * MM;
const BELOW_STRIP: f32 = 7.0 * MM;
/// A title that would make the masthead take more than [`MASTHEAD_COMFORT_SHARE`] of the
/// first page is set smaller, down to half the brand's size (a long title on A5 is still
/// a title); it is refused only when even that passes [`MASTHEAD_MAX_PAGE_SHARE`].
const TITLE_SCALES: [f32; 5] = [1.0, 0.85, 0.72, 0.6, 0.5];
/// The share of the first page a masthead may take at the brand's title size.
const MASTHEAD_COMFORT_SHARE: f32 = 0.4;

impl Builder<'_> {
    /// Draw the masthead on `page`; returns the y where the text area starts below it.
    pub fn masthead(&mut self, doc: &Doc, page: &mut Page) -> f32 {
        let (pw, ml, mr, mt) = (self.geo.page_w, self.geo.margins[3], self.geo.margins[1], self.geo.margins[0]);
        let text_w = self.geo.text_w;
        let (logo_w, logo_h) = match self.theme.logo.as_ref().and_then(|(p, _)| self.probes.get(p)) {
            Some(p) => {
                let w = (LOGO_H * p.width as f32 / p.height.max(1) as f32).min(LOGO_MAX_W).min(text_w * 0.3);
                (w, w * p.height as f32 / p.width.max(1) as f32)
            }
            None => (0.0, 0.0),
        };
        let title_w = text_w - if logo_w > 0.0 { logo_w + 8.0 * MM } else { 0.0 };
        let mut items = Vec::new();
        let mut y = mt * 0.9;
        if let Some(k) = &doc.kicker {
            let node = self.tree.add(0, Role::P);
            let style = self.st.kicker.clone();
            let lines = para::set(&mut self.shaper, &Hyphen::none(), &inline::parse(k), &style, &|_| title_w);
            let cap = self.cap(&style, Style::BOLD);
            y = set_lines(&mut items, &lines, &style, cap, ml, y, Mark::Node(node), &mut None) + 2.0;
        }
        // The edition's height, to choose the title's size before anything is drawn.
        let es = self.st.edition.clone();
        let edition_lines = para::set(&mut self.shaper, &Hyphen::none(), &[Run::plain(&doc.edition)], &es, &|_| title_w);
        let edition_h = edition_lines.len() as f32 * es.leading;
        let runs = inline::parse(&doc.title);
        let comfort = self.geo.page_h * MASTHEAD_COMFORT_SHARE;
        let mut style = self.st.title.clone();
        let mut lines = Vec::new();
        for scale in TITLE_SCALES {
            style = ParaStyle { size: self.st.title.size * scale, leading: self.st.title.leading * scale, ..self.st.title.clone() };
            lines = self.balanced_lines(&runs, &style, title_w);
            let band = (y + lines.len() as f32 * style.leading + 3.0 + edition_h + mt * 0.7).max(BAND_MIN_H).max(logo_h + 2.0 * mt * 0.8);
            if band + STRIP_H + BELOW_STRIP <= comfort {
                break;
            }
        }
        let h1 = self.tree.add(0, Role::H1);
        let cap = self.cap(&style, Style::BOLD);
        let mut ctx = Some(LinkCtx::new(&mut self.tree, h1));
        y = set_lines(&mut items, &lines, &style, cap, ml, y, Mark::Node(h1), &mut ctx) + 3.0;
        drop(ctx);
        let node = self.tree.add(0, Role::P);
        let cap = self.cap(&es, Style::REGULAR);
        y = set_lines(&mut items, &edition_lines, &es, cap, ml, y, Mark::Node(node), &mut None);
        let band_h = (y + mt * 0.7).max(BAND_MIN_H).max(logo_h + 2.0 * mt * 0.8);
        let below = band_h + STRIP_H + BELOW_STRIP;
        if below > self.geo.page_h * MASTHEAD_MAX_PAGE_SHARE {
            let field = if doc.title.len() >= doc.edition.len() + doc.kicker.as_ref().map_or(0, |k| k.len()) { "title" } else if doc.edition.len() > doc.kicker.as_ref().map_or(0, |k| k.len()) { "edition" } else { "kicker" };
            self.errors.push(LayoutError {
                path: field.into(),
                message: format!("the masthead would take {:.0}% of the first page (at most {:.0}%): shorten the {field}", 100.0 * below / self.geo.page_h, 100.0 * MASTHEAD_MAX_PAGE_SHARE),
            });
        }
        page.items.push(Item::Box { rect: Rect::new(0.0, 0.0, pw, band_h), fill: Some(self.theme.primary), stroke: None, bleed: true });
        page.items.push(Item::Box { rect: Rect::new(0.0, band_h, pw, STRIP_H), fill: Some(self.theme.accent), stroke: None, bleed: true });
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
        below.min(self.geo.page_h * MASTHEAD_MAX_PAGE_SHARE)
    }
}
