//! Finish the pages: content in reading order, the outline, the running footer on every
//! page, document metadata, and the facts for the report.

use super::collect::Builder;
use super::display::{Bookmark, Document, Item, Mark, Meta};
use super::lines::push_line;
use super::paginate::Paged;
use super::{stats, Laid};
use crate::brand::Theme;
use crate::model::Doc;

/// The running footer's baseline sits this share of the bottom margin above the page edge.
const RUNNING_FOOTER_AT: f32 = 0.45;

/// The word of the page label "2 of 4", by language (primary subtag); English otherwise.
const PAGE_OF: &[(&str, &str)] = &[
    ("ar", "من"), ("ca", "de"), ("cs", "z"), ("cy", "o"), ("da", "af"), ("de", "von"), ("es", "de"), ("fa", "از"),
    ("fi", "/"), ("fr", "sur"), ("ga", "as"), ("he", "מתוך"), ("it", "di"), ("nb", "av"), ("nl", "van"), ("nn", "av"),
    ("no", "av"), ("pl", "z"), ("pt", "de"), ("ro", "din"), ("sk", "z"), ("sv", "av"), ("tr", "/"),
];

/// The page label for page `n` of `total` in the issue's language.
fn page_label(language: &str, n: usize, total: usize) -> String {
    let primary = language.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    match PAGE_OF.iter().find(|(l, _)| *l == primary).map_or("of", |(_, w)| w) {
        "/" => format!("{n}/{total}"),
        w => format!("{n} {w} {total}"),
    }
}

/// Turn paginated bands into the document; fills `laid`'s facts.
pub fn finish(paged: Paged, b: &mut Builder, doc: &Doc, theme: &Theme, laid: &mut Laid) -> Document {
    let Paged { mut pages, keys, mut outline, regions, .. } = paged;
    // Content streams in reading order, whatever floats did to the placement.
    for (page, k) in pages.iter_mut().zip(keys) {
        let mut order: Vec<(u64, Item)> = k.into_iter().zip(std::mem::take(&mut page.items)).collect();
        order.sort_by_key(|(k, _)| *k);
        page.items = order.into_iter().map(|(_, it)| it).collect();
    }
    outline.sort_by_key(|(k, _)| *k);
    let outline: Vec<Bookmark> = outline.into_iter().map(|(_, b)| b).collect();
    // Running footer on every page: page furniture, after the content.
    let geo = laid.geometry;
    let n = pages.len();
    let style = b.st.footer_run.clone();
    laid.furniture = Vec::with_capacity(n);
    for (i, page) in pages.iter_mut().enumerate() {
        laid.furniture.push(page.items.len());
        let y = geo.page_h - geo.margins[2] * RUNNING_FOOTER_AT;
        let rule_y = y - theme.small_pt * 1.6;
        page.items.push(Item::Rule { x1: geo.left(), y1: rule_y, x2: geo.right(), y2: rule_y, colour: theme.muted, width: 0.4 });
        let left = b.plain_line(&doc.edition, &style);
        let right = b.plain_line(&page_label(&doc.language, i + 1, n), &style);
        push_line(&mut page.items, &left, geo.left(), y, Mark::Artifact, &mut None);
        push_line(&mut page.items, &right, geo.right() - right.width, y, Mark::Artifact, &mut None);
    }
    laid.splits = stats::splits(&regions);
    laid.headings_at_foot = stats::headings_at_foot(&regions);
    laid.last_bottoms = stats::last_bottoms(&regions);
    laid.regions = regions;
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
    Document { pages, tree: std::mem::take(&mut b.tree), images: Vec::new(), outline, meta }
}

#[cfg(test)]
mod tests {
    use super::page_label;

    #[test]
    fn the_page_label_speaks_the_issue_s_language() {
        assert_eq!(page_label("en-GB", 2, 4), "2 of 4");
        assert_eq!(page_label("de-CH", 2, 4), "2 von 4");
        assert_eq!(page_label("fi", 2, 4), "2/4");
        assert_eq!(page_label("he", 1, 3), "1 מתוך 3");
        assert_eq!(page_label("xx", 1, 3), "1 of 3");
    }
}
