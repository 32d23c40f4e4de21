//! The tagged PDF, parsed back with lopdf: element counts match the issue, reading order,
//! artifacts kept out of the tree, links reachable from Link elements.

use folio::build::{build, Options};
use folio::model::{Item, SectionBody};
use lopdf::{Document, Object};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
mod common;
const ALL: &[&str] = common::ALL_ISSUES;

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    doc.dereference(o).map(|(_, o)| o).unwrap_or(o)
}

/// Walk the structure tree in order: (role, depth, alt present) per element.
fn walk(doc: &Document, o: &Object, out: &mut Vec<(String, Option<String>)>, links: &mut HashSet<lopdf::ObjectId>) {
    match deref(doc, o) {
        Object::Dictionary(d) => {
            if let Ok(Object::Name(s)) = d.get(b"S") {
                let alt = d.get(b"Alt").ok().and_then(|a| match a {
                    Object::String(b, _) => Some(decode(b)),
                    _ => None,
                });
                out.push((String::from_utf8_lossy(s).to_string(), alt));
            }
            if d.get(b"Type").ok().and_then(|t| t.as_name().ok()) == Some(b"OBJR".as_slice()) {
                if let Ok(Object::Reference(r)) = d.get(b"Obj") {
                    links.insert(*r);
                }
            }
            if let Ok(k) = d.get(b"K") {
                walk(doc, k, out, links);
            }
        }
        Object::Array(a) => {
            for x in a {
                walk(doc, x, out, links);
            }
        }
        _ => {}
    }
}

fn decode(b: &[u8]) -> String {
    if b.starts_with(&[0xFE, 0xFF]) {
        let u: Vec<u16> = b[2..].chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
        String::from_utf16_lossy(&u)
    } else {
        String::from_utf8_lossy(b).to_string()
    }
}

#[test]
fn element_counts_match_the_issue() {
    for f in ALL {
        let built = build(&Path::new(ROOT).join(f), &Options::default()).unwrap();
        let doc = Document::load_mem(&built.pdf).unwrap();
        let root = doc.catalog().unwrap().get(b"StructTreeRoot").unwrap();
        let root = deref(&doc, root).as_dict().unwrap();
        let mut elems = Vec::new();
        let mut objrs = HashSet::new();
        walk(&doc, root.get(b"K").unwrap(), &mut elems, &mut objrs);
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for (s, _) in &elems {
            *count.entry(s.as_str()).or_default() += 1;
        }
        let d = &built.doc;
        // (The "In this issue" box's title is an H2 too.)
        let headings = d.sections.iter().filter(|s| s.heading.is_some()).count() + d.footer.is_some() as usize + d.contents.is_some() as usize;
        let mut figures = built.theme.logo.is_some() as usize + built.theme.funder_logos.len();
        let mut lists = d.footer.as_ref().is_some_and(|f| !f.contacts.is_empty()) as usize;
        let mut items = d.footer.as_ref().map_or(0, |f| f.contacts.len());
        let mut quotes = 0;
        let mut subheads = 0;
        for s in &d.sections {
            if let SectionBody::Profile { photo: Some(p), .. } = &s.kind {
                figures += p.alt.is_some() as usize;
            }
            for it in &s.items {
                match it {
                    Item::Image(i) => figures += i.alt.is_some() as usize,
                    Item::List { items: li, .. } => {
                        lists += 1;
                        items += li.len();
                    }
                    Item::Quote { .. } => quotes += 1,
                    Item::Subheading(_) => subheads += 1,
                    Item::Paragraph(_) => {}
                }
            }
        }
        let get = |k: &str| count.get(k).copied().unwrap_or(0);
        assert_eq!(get("Document"), 1, "{f}");
        assert_eq!(get("H1"), 1, "{f}: one H1 (the title)");
        assert_eq!(get("H2"), headings, "{f}: H2 per section heading and the footer");
        assert_eq!(get("H3"), subheads, "{f}: H3 per subheading");
        assert_eq!(get("Sect"), d.sections.len() + d.footer.is_some() as usize, "{f}: Sect per section and the footer");
        assert_eq!(get("Figure"), figures, "{f}: Figure per image with alt text");
        let listed = d.sections.iter().filter(|s| s.heading.is_some() || matches!(s.kind, SectionBody::Profile { .. })).count();
        assert_eq!(get("TOC"), d.contents.is_some() as usize, "{f}: a TOC for the In this issue box");
        assert_eq!(get("TOCI"), if d.contents.is_some() { listed } else { 0 }, "{f}: a TOCI per section listed");
        assert_eq!(get("L"), lists, "{f}: L per list (and the footer contacts)");
        assert_eq!(get("LI"), items, "{f}: LI per list item and contact");
        assert_eq!(get("BlockQuote"), quotes, "{f}: BlockQuote per pull quote");
        for (s, alt) in &elems {
            if s == "Figure" {
                assert!(alt.as_deref().is_some_and(|a| !a.trim().is_empty()), "{f}: a Figure without Alt");
            }
        }
        // Every link annotation is reachable from a Link element, and only those.
        let annots: HashSet<lopdf::ObjectId> = doc
            .get_pages()
            .values()
            .flat_map(|p| doc.get_dictionary(*p).ok().and_then(|d| d.get(b"Annots").ok().cloned()))
            .flat_map(|a| match a {
                Object::Array(v) => v.into_iter().filter_map(|x| x.as_reference().ok()).collect::<Vec<_>>(),
                _ => vec![],
            })
            .collect();
        assert!(!annots.is_empty() || count.get("Link").is_none(), "{f}");
        assert_eq!(annots, objrs, "{f}: link annotations and Link elements' OBJRs differ");
    }
}

#[test]
fn running_footer_and_decoration_are_artifacts() {
    // The running footer ("2 of 3") must not be in the tree: no structure element's
    // content can come from it, so its text must be inside /Artifact marked content.
    for f in ALL {
        let built = build(&Path::new(ROOT).join(f), &Options::default()).unwrap();
        let doc = Document::load_mem(&built.pdf).unwrap();
        let n = doc.get_pages().len();
        for (pi, (_, page)) in doc.get_pages().iter().enumerate() {
            let content = doc.get_and_decode_page_content(*page).unwrap();
            // Marked-content stack; count text-showing operators outside any BDC/BMC.
            let mut stack: Vec<String> = Vec::new();
            let mut artifact_texts = 0;
            for op in &content.operations {
                match op.operator.as_str() {
                    "BDC" | "BMC" => stack.push(op.operands.first().and_then(|o| o.as_name().ok()).map(|n| String::from_utf8_lossy(n).to_string()).unwrap_or_default()),
                    "EMC" => {
                        stack.pop();
                    }
                    "Tj" | "TJ" => {
                        assert!(!stack.is_empty(), "{f} page {}: text outside marked content", pi + 1);
                        if stack.iter().any(|s| s == "Artifact") {
                            artifact_texts += 1;
                        }
                    }
                    _ => {}
                }
            }
            // At least the edition and "N of M" are artifacts on every page.
            assert!(artifact_texts >= 2, "{f} page {} of {n}: running footer not marked as artifact", pi + 1);
        }
    }
}

#[test]
fn reading_order_follows_the_issue() {
    // Section headings appear in the tree in the issue's order, even when boxes float.
    for f in ALL {
        let built = build(&Path::new(ROOT).join(f), &Options::default()).unwrap();
        let tree = &built.laid.document.tree;
        let sect_titles: Vec<String> = built.laid.document.outline.iter().map(|b| b.title.clone()).collect();
        let expected: Vec<String> = built.doc.sections.iter().filter_map(|s| s.heading.clone()).map(|h| folio::inline::plain(&folio::inline::parse(&h))).collect();
        assert_eq!(sect_titles, expected, "{f}: bookmarks out of reading order");
        assert!(tree.nodes.len() > 10);
    }
}

#[test]
fn every_issue_and_example_is_tested() {
    common::check_list_is_complete();
}
