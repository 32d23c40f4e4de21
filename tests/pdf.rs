//! The PDF: embedded, subset fonts with ToUnicode; link annotations for every address;
//! bookmarks; language and tagging (figures with alt text, no orphan marked content);
//! reproducible bytes; small screen editions; print boxes and crop marks.

use folio::build::{build, Built, Options, Profile};
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_folio");
const SEEDS: &[&str] = &["issues/2022-06.json", "issues/2023-12.json"];
mod common;
const ALL: &[&str] = common::ALL_ISSUES;

fn root(p: &str) -> PathBuf {
    Path::new(ROOT).join(p)
}

/// Screen builds of every seed and example, once per test binary.
fn built() -> &'static Vec<(&'static str, Built)> {
    static B: OnceLock<Vec<(&'static str, Built)>> = OnceLock::new();
    B.get_or_init(|| ALL.iter().map(|f| (*f, build(&root(f), &Options::default()).unwrap_or_else(|e| panic!("{f}: {e}")))).collect())
}

fn parsed() -> &'static Vec<(&'static str, Document)> {
    static P: OnceLock<Vec<(&'static str, Document)>> = OnceLock::new();
    P.get_or_init(|| built().iter().map(|(f, b)| (*f, Document::load_mem(&b.pdf).unwrap_or_else(|e| panic!("{f}: lopdf cannot read the PDF: {e}")))).collect())
}

fn scratch(name: &str) -> PathBuf {
    common::scratch("pdf", name)
}

// ---------------------------------------------------------------- lopdf helpers

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    doc.dereference(o).map(|(_, o)| o).unwrap_or(o)
}

fn dict<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
    match deref(doc, o) {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

fn get<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    d.get(key).ok().map(|o| deref(doc, o))
}

fn name(o: Option<&Object>) -> Option<String> {
    match o {
        Some(Object::Name(n)) => Some(String::from_utf8_lossy(n).to_string()),
        _ => None,
    }
}

/// A PDF text string: UTF-16BE with a BOM, else PDFDocEncoding (Latin-1 for our purposes).
fn text(o: Option<&Object>) -> Option<String> {
    match o {
        Some(Object::String(b, _)) => Some(if b.starts_with(&[0xFE, 0xFF]) {
            let u: Vec<u16> = b[2..].chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
            String::from_utf16_lossy(&u)
        } else {
            b.iter().map(|&c| c as char).collect()
        }),
        _ => None,
    }
}

fn num(o: &Object) -> f32 {
    match o {
        Object::Integer(i) => *i as f32,
        Object::Real(r) => *r,
        _ => f32::NAN,
    }
}

fn rect(doc: &Document, d: &Dictionary, key: &[u8]) -> Option<[f32; 4]> {
    match get(doc, d, key) {
        Some(Object::Array(a)) if a.len() == 4 => {
            let v: Vec<f32> = a.iter().map(|o| num(deref(doc, o))).collect();
            Some([v[0].min(v[2]), v[1].min(v[3]), v[0].max(v[2]), v[1].max(v[3])])
        }
        _ => None,
    }
}

fn catalog(doc: &Document) -> &Dictionary {
    doc.catalog().expect("catalog")
}

/// Every dictionary in the file (including stream dictionaries), with its id.
fn dicts(doc: &Document) -> Vec<(ObjectId, &Dictionary)> {
    doc.objects
        .iter()
        .filter_map(|(id, o)| match o {
            Object::Dictionary(d) => Some((*id, d)),
            Object::Stream(s) => Some((*id, &s.dict)),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------- fonts

#[test]
fn fonts_embedded_subset_with_tounicode() {
    for (f, doc) in parsed() {
        let mut fonts = 0;
        for (id, d) in dicts(doc) {
            if name(get(doc, d, b"Type")).as_deref() != Some("Font") {
                continue;
            }
            let sub = name(get(doc, d, b"Subtype")).unwrap_or_default();
            if sub == "CIDFontType2" || sub == "CIDFontType0" {
                continue; // checked through its Type0 parent
            }
            fonts += 1;
            let base = name(get(doc, d, b"BaseFont")).unwrap_or_default();
            let tagged = base.len() > 7 && base.as_bytes()[6] == b'+' && base[..6].chars().all(|c| c.is_ascii_uppercase());
            assert!(tagged, "{f}: font {id:?} BaseFont {base:?} has no subset tag (ABCDEF+)");
            assert!(get(doc, d, b"ToUnicode").is_some_and(|o| matches!(o, Object::Stream(_))), "{f}: font {base} has no ToUnicode");
            // The descriptor: on the font itself (TrueType) or its descendant (Type0).
            let desc_holder: &Dictionary = if sub == "Type0" {
                let kids = match get(doc, d, b"DescendantFonts") {
                    Some(Object::Array(a)) => a,
                    _ => panic!("{f}: Type0 font {base} without DescendantFonts"),
                };
                dict(doc, &kids[0]).expect("descendant font")
            } else {
                d
            };
            let desc = get(doc, desc_holder, b"FontDescriptor").and_then(|o| dict(doc, o)).unwrap_or_else(|| panic!("{f}: font {base} has no FontDescriptor"));
            let embedded = [b"FontFile2".as_slice(), b"FontFile3".as_slice(), b"FontFile".as_slice()]
                .iter()
                .any(|k| get(doc, desc, k).is_some_and(|o| matches!(o, Object::Stream(s) if !s.content.is_empty())));
            assert!(embedded, "{f}: font {base} is not embedded");
            let fname = name(get(doc, desc, b"FontName")).unwrap_or_default();
            assert!(fname.len() > 7 && fname.as_bytes()[6] == b'+', "{f}: FontName {fname:?} not subset-tagged");
        }
        assert!(fonts >= 2, "{f}: only {fonts} fonts");
    }
}

#[test]
fn descendant_fonts_are_named_and_subset_tagged() {
    for (f, doc) in parsed() {
        for (_, d) in dicts(doc) {
            if name(get(doc, d, b"Subtype")).as_deref() != Some("Type0") {
                continue;
            }
            let base = name(get(doc, d, b"BaseFont")).unwrap_or_default();
            let Some(Object::Array(kids)) = get(doc, d, b"DescendantFonts") else { panic!("{f}: {base} has no DescendantFonts") };
            let kid = dict(doc, &kids[0]).expect("descendant font");
            let kb = name(get(doc, kid, b"BaseFont")).unwrap_or_default();
            let desc = get(doc, kid, b"FontDescriptor").and_then(|o| dict(doc, o)).expect("FontDescriptor");
            let fname = name(get(doc, desc, b"FontName")).unwrap_or_default();
            // PDF 32000-1 9.7.4 and 9.6.4: a subset CIDFont's BaseFont is the tagged PostScript
            // name, the same as its descriptor's FontName (and the Type0 font's BaseFont).
            assert!(kb.len() > 7 && kb.as_bytes()[6] == b'+', "{f}: descendant font /BaseFont {kb:?} is not subset-tagged (Type0 says {base:?})");
            assert_eq!(kb, fname, "{f}: descendant /BaseFont and /FontName differ");
        }
    }
}

#[test]
fn subsets_are_small() {
    // Subset, not whole: the four Noto Sans files are ~2 MB; a seed's embedded fonts far less.
    for (f, doc) in parsed() {
        let mut total = 0;
        for (_, o) in doc.objects.iter() {
            if let Object::Dictionary(d) | Object::Stream(lopdf::Stream { dict: d, .. }) = o {
                for k in [b"FontFile2".as_slice(), b"FontFile3".as_slice()] {
                    if let Some(Object::Stream(s)) = get(doc, d, k) {
                        total += s.content.len();
                    }
                }
            }
        }
        assert!(total > 0 && total < 400_000, "{f}: {total} bytes of embedded fonts");
    }
}

/// All ToUnicode CMaps, decompressed, concatenated.
fn tounicode_text(doc: &Document) -> String {
    let mut s = String::new();
    for (_, d) in dicts(doc) {
        if let Some(Object::Stream(st)) = get(doc, d, b"ToUnicode") {
            let bytes = st.decompressed_content().unwrap_or_else(|_| st.content.clone());
            s.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    s.to_uppercase()
}

#[test]
fn ligatures_map_back_to_their_letters() {
    // 2023-12 has "difficulties": the ffi ligature must extract as f, f, i.
    let doc = &parsed().iter().find(|(f, _)| *f == "issues/2023-12.json").unwrap().1;
    let cmap = tounicode_text(doc);
    assert!(cmap.contains("BEGINBFCHAR") || cmap.contains("BEGINBFRANGE"), "no mappings in ToUnicode");
    assert!(cmap.contains("<006600660069>") || cmap.contains("<00660066 0069>"), "no ToUnicode entry maps a glyph to \"ffi\"");
    assert!(cmap.contains("<00660069>"), "no ToUnicode entry maps a glyph to \"fi\"");
    // No glyph maps to U+0000.
    assert!(!cmap.contains("<0000>\n") && !cmap.contains("<0000>\r"), "a glyph maps to U+0000");
}

// ---------------------------------------------------------------- links

/// Every URL and e-mail address an issue's text holds, as link targets.
fn expected_links(issue: &serde_json::Value) -> BTreeSet<String> {
    fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(o) => {
                for (k, x) in o {
                    // File paths and alt text are not text with links.
                    if !["image", "photo", "brand", "alt", "email", "url", "phone", "language", "type", "span", "width"].contains(&k.as_str()) {
                        strings(x, out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut texts = Vec::new();
    strings(issue, &mut texts);
    let mut out = BTreeSet::new();
    for t in texts {
        // [label](target)
        let mut rest = t.as_str();
        let mut stripped = String::new();
        while let Some(i) = rest.find("](") {
            let start = rest[..i].rfind('[').unwrap_or(i);
            stripped.push_str(&rest[..start]);
            let tail = &rest[i + 2..];
            let end = tail.find(')').unwrap_or(tail.len());
            let target = tail[..end].trim();
            out.insert(if target.contains("://") || target.starts_with("mailto:") {
                target.to_string()
            } else if target.contains('@') {
                format!("mailto:{target}")
            } else {
                format!("https://{target}")
            });
            rest = &tail[(end + 1).min(tail.len())..];
        }
        stripped.push_str(rest);
        // <autolinks> and bare addresses.
        for tok in stripped.split_whitespace() {
            let tok = tok.trim_matches(|c: char| "()[]<>,;!?\"'’“”".contains(c)).trim_end_matches(['.', ':']);
            if tok.starts_with("http://") || tok.starts_with("https://") {
                out.insert(tok.to_string());
            } else if tok.starts_with("www.") {
                out.insert(format!("https://{tok}"));
            } else if folio::model::looks_like_email(tok) {
                out.insert(format!("mailto:{tok}"));
            }
        }
    }
    if let Some(f) = issue.get("footer") {
        for c in f.get("contacts").and_then(|c| c.as_array()).into_iter().flatten() {
            if let Some(e) = c.get("email").and_then(|e| e.as_str()) {
                out.insert(format!("mailto:{}", e.trim()));
            }
        }
        for l in f.get("links").and_then(|c| c.as_array()).into_iter().flatten() {
            if let Some(u) = l.get("url").and_then(|e| e.as_str()) {
                out.insert(u.trim().to_string());
            }
        }
    }
    out
}

#[test]
fn expected_links_of_a_seed() {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root("issues/2023-12.json")).unwrap()).unwrap();
    let l = expected_links(&v);
    for want in ["https://www.nihr.ac.uk", "mailto:stephanie.tierney@phc.ox.ac.uk", "mailto:kamal.mahtani@phc.ox.ac.uk", "https://example.org/blog/exeter-meeting", "https://www.phc.ox.ac.uk"] {
        assert!(l.contains(want), "{want} not in {l:?}");
    }
}

/// The parent tree: key → value.
fn parent_tree(doc: &Document) -> BTreeMap<i64, Object> {
    let root = get(doc, catalog(doc), b"StructTreeRoot").and_then(|o| dict(doc, o)).expect("StructTreeRoot");
    let pt = get(doc, root, b"ParentTree").and_then(|o| dict(doc, o)).expect("ParentTree");
    let mut out = BTreeMap::new();
    fn walk(doc: &Document, d: &Dictionary, out: &mut BTreeMap<i64, Object>) {
        if let Some(Object::Array(nums)) = get(doc, d, b"Nums") {
            for pair in nums.chunks(2) {
                if let [Object::Integer(k), v] = pair {
                    out.insert(*k, v.clone());
                }
            }
        }
        if let Some(Object::Array(kids)) = get(doc, d, b"Kids") {
            for k in kids {
                if let Some(kd) = dict(doc, k) {
                    walk(doc, kd, out);
                }
            }
        }
    }
    walk(doc, pt, &mut out);
    out
}

#[test]
fn every_url_and_email_is_a_tagged_link() {
    for (f, doc) in parsed() {
        let issue: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root(f)).unwrap()).unwrap();
        let want = expected_links(&issue);
        let pt = parent_tree(doc);
        let mut got = BTreeSet::new();
        let mut annots = 0;
        for (_, page) in doc.get_pages() {
            for a in doc.get_page_annotations(page).unwrap_or_default() {
                if name(get(doc, a, b"Subtype")).as_deref() != Some("Link") {
                    continue;
                }
                let action = get(doc, a, b"A").and_then(|o| dict(doc, o)).unwrap_or_else(|| panic!("{f}: link annotation without an action"));
                if name(get(doc, action, b"S")).as_deref() == Some("GoTo") {
                    // An "In this issue" entry (tests/contents.rs): it says where it goes.
                    assert!(text(get(doc, a, b"Contents")).is_some_and(|c| !c.trim().is_empty()), "{f}: a GoTo link without /Contents");
                    continue;
                }
                annots += 1;
                assert_eq!(name(get(doc, action, b"S")).as_deref(), Some("URI"), "{f}");
                let uri = match get(doc, action, b"URI") {
                    Some(Object::String(b, _)) => String::from_utf8_lossy(b).to_string(),
                    o => panic!("{f}: URI {o:?}"),
                };
                let contents = text(get(doc, a, b"Contents")).unwrap_or_default();
                assert!(!contents.trim().is_empty(), "{f}: link to {uri} has no /Contents");
                let key = match get(doc, a, b"StructParent") {
                    Some(Object::Integer(k)) => *k,
                    o => panic!("{f}: link to {uri} has no /StructParent ({o:?})"),
                };
                // The key leads to a Link structure element.
                let elem = pt.get(&key).and_then(|o| dict(doc, o)).unwrap_or_else(|| panic!("{f}: StructParent {key} of {uri} is not in the ParentTree"));
                assert_eq!(name(get(doc, elem, b"S")).as_deref(), Some("Link"), "{f}: {uri}");
                assert!(rect(doc, a, b"Rect").is_some_and(|r| r[2] > r[0] && r[3] > r[1]), "{f}: {uri} has an empty /Rect");
                got.insert(uri);
            }
        }
        let missing: Vec<&String> = want.difference(&got).collect();
        assert!(missing.is_empty(), "{f}: no link annotation for {missing:?} (found {got:?})");
        assert!(annots >= want.len(), "{f}");
        // Nothing but http(s), mailto and tel targets.
        for u in &got {
            assert!(u.starts_with("https://") || u.starts_with("http://") || u.starts_with("mailto:") || u.starts_with("tel:"), "{f}: odd link target {u}");
        }
    }
}

// ---------------------------------------------------------------- outline, language, tagging

fn outline_titles(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    let Some(ol) = get(doc, catalog(doc), b"Outlines").and_then(|o| dict(doc, o)) else { return out };
    fn walk(doc: &Document, first: Option<&Object>, out: &mut Vec<String>, depth: usize) {
        let mut cur = first.and_then(|o| dict(doc, o));
        let mut guard = 0;
        while let Some(d) = cur {
            out.push(text(get(doc, d, b"Title")).unwrap_or_default());
            if depth < 4 {
                walk(doc, get(doc, d, b"First"), out, depth + 1);
            }
            cur = get(doc, d, b"Next").and_then(|o| dict(doc, o));
            guard += 1;
            assert!(guard < 1000, "outline loop");
        }
    }
    walk(doc, get(doc, ol, b"First"), &mut out, 0);
    out
}

#[test]
fn one_bookmark_per_section() {
    for ((f, doc), (_, b)) in parsed().iter().zip(built()) {
        let want: Vec<String> = b.doc.sections.iter().filter_map(|s| s.heading.clone()).map(|h| folio::inline::plain(&folio::inline::parse(&h))).collect();
        assert_eq!(want.len(), b.doc.sections.len(), "{f}: every section of the examples has a heading");
        let mut got = outline_titles(doc);
        let mut want = want;
        got.sort();
        want.sort();
        assert_eq!(got, want, "{f}: outline titles (in any order)");
        assert_eq!(name(get(doc, catalog(doc), b"PageMode")).as_deref(), Some("UseOutlines"), "{f}");
    }
}

#[test]
fn bookmarks_in_reading_order() {
    for ((f, doc), (_, b)) in parsed().iter().zip(built()) {
        let want: Vec<String> = b.doc.sections.iter().filter_map(|s| s.heading.clone()).map(|h| folio::inline::plain(&folio::inline::parse(&h))).collect();
        assert_eq!(outline_titles(doc), want, "{f}: outline order");
    }
}

#[test]
fn language_marked_and_tagged() {
    for ((f, doc), (_, b)) in parsed().iter().zip(built()) {
        let cat = catalog(doc);
        assert_eq!(text(get(doc, cat, b"Lang")).as_deref(), Some(b.doc.language.as_str()), "{f}: /Lang");
        let mi = get(doc, cat, b"MarkInfo").and_then(|o| dict(doc, o)).unwrap_or_else(|| panic!("{f}: no MarkInfo"));
        assert!(matches!(get(doc, mi, b"Marked"), Some(Object::Boolean(true))), "{f}: MarkInfo /Marked is not true");
        let root = get(doc, cat, b"StructTreeRoot").and_then(|o| dict(doc, o)).unwrap_or_else(|| panic!("{f}: no StructTreeRoot"));
        assert_eq!(name(get(doc, root, b"Type")).as_deref(), Some("StructTreeRoot"), "{f}");
        let vp = get(doc, cat, b"ViewerPreferences").and_then(|o| dict(doc, o));
        assert!(vp.is_some_and(|v| matches!(get(doc, v, b"DisplayDocTitle"), Some(Object::Boolean(true)))), "{f}: the viewer should show the title");
        // Metadata: title in the Info dictionary.
        let info = doc.trailer.get(b"Info").ok().and_then(|o| dict(doc, o));
        assert_eq!(info.and_then(|i| text(get(doc, i, b"Title"))).as_deref(), Some(b.doc.title.as_str()), "{f}: /Title");
    }
}

#[test]
fn french_issue_says_french() {
    let d = scratch("lang");
    let p = d.join("fr.json");
    std::fs::write(&p, r#"{ "title": "Lettre d’information", "edition": "Printemps", "language": "fr-FR", "sections": [{ "heading": "Nouvelles", "body": ["Une phrase en français, avec des accents : é, è, ç."] }] }"#).unwrap();
    let b = build(&p, &Options::default()).unwrap();
    let doc = Document::load_mem(&b.pdf).unwrap();
    assert_eq!(text(get(&doc, catalog(&doc), b"Lang")).as_deref(), Some("fr-FR"));
    let info = doc.trailer.get(b"Info").ok().and_then(|o| dict(&doc, o)).unwrap();
    assert_eq!(text(get(&doc, info, b"Title")).as_deref(), Some("Lettre d’information"));
}

/// Structure elements of a document.
fn struct_elems(doc: &Document) -> Vec<&Dictionary> {
    dicts(doc).into_iter().map(|(_, d)| d).filter(|d| name(get(doc, d, b"Type")).as_deref() == Some("StructElem")).collect()
}

#[test]
fn every_figure_has_alt_text() {
    for (f, doc) in parsed() {
        let elems = struct_elems(doc);
        assert!(elems.len() > 20, "{f}: {} structure elements", elems.len());
        let figures: Vec<&&Dictionary> = elems.iter().filter(|d| name(get(doc, d, b"S")).as_deref() == Some("Figure")).collect();
        assert!(!figures.is_empty(), "{f}: no Figure elements (logo, photos)");
        for fig in figures {
            let alt = text(get(doc, fig, b"Alt")).unwrap_or_default();
            assert!(!alt.trim().is_empty(), "{f}: a Figure without /Alt");
        }
        // Headings and paragraphs are tagged too.
        for role in ["H1", "H2", "P"] {
            assert!(elems.iter().any(|d| name(get(doc, d, b"S")).as_deref() == Some(role)), "{f}: no {role} element");
        }
    }
}

/// MCIDs of a page's content stream, in order.
fn page_mcids(doc: &Document, page: ObjectId) -> Vec<i64> {
    let content = doc.get_and_decode_page_content(page).expect("page content");
    let page_dict = doc.get_dictionary(page).unwrap();
    let props = doc.get_page_resources(page).ok().and_then(|(r, _)| r).and_then(|r| get(doc, r, b"Properties")).and_then(|o| dict(doc, o)).cloned();
    let _ = page_dict;
    let mut out = Vec::new();
    for op in content.operations {
        if op.operator != "BDC" {
            continue;
        }
        let d = match op.operands.get(1) {
            Some(Object::Dictionary(d)) => Some(d.clone()),
            Some(Object::Name(n)) => props.as_ref().and_then(|p| p.get(n).ok()).and_then(|o| dict(doc, o)).cloned(),
            _ => None,
        };
        if let Some(Object::Integer(m)) = d.as_ref().and_then(|d| d.get(b"MCID").ok()) {
            out.push(*m);
        }
    }
    out
}

#[test]
fn no_orphan_marked_content() {
    for (f, doc) in parsed() {
        let pt = parent_tree(doc);
        let mut total_mcids = 0;
        let mut referenced = 0;
        for (pno, page) in doc.get_pages() {
            let mcids = page_mcids(doc, page);
            total_mcids += mcids.len();
            let distinct: BTreeSet<i64> = mcids.iter().copied().collect();
            assert_eq!(distinct.len(), mcids.len(), "{f} page {pno}: an MCID is used twice");
            assert!(mcids.iter().all(|&m| m >= 0 && (m as usize) < mcids.len()), "{f} page {pno}: MCIDs not 0..n: {mcids:?}");
            let pd = doc.get_dictionary(page).unwrap();
            let key = match get(doc, pd, b"StructParents") {
                Some(Object::Integer(k)) => *k,
                o => panic!("{f} page {pno}: no /StructParents ({o:?})"),
            };
            let arr = match pt.get(&key).map(|o| deref(doc, o)) {
                Some(Object::Array(a)) => a.clone(),
                o => panic!("{f} page {pno}: ParentTree entry {key} is {o:?}"),
            };
            assert_eq!(arr.len(), mcids.len(), "{f} page {pno}: {} MCIDs in the content, {} in the ParentTree", mcids.len(), arr.len());
            for (i, e) in arr.iter().enumerate() {
                let el = dict(doc, e).unwrap_or_else(|| panic!("{f} page {pno}: ParentTree entry for MCID {i} is not an element"));
                assert_eq!(name(get(doc, el, b"Type")).as_deref(), Some("StructElem"), "{f} page {pno}: MCID {i}");
                referenced += 1;
            }
        }
        assert!(total_mcids > 10, "{f}: only {total_mcids} MCIDs");
        assert_eq!(referenced, total_mcids, "{f}");
        // Every element's marked-content kids exist on their page.
        for el in struct_elems(doc) {
            let kids: Vec<Object> = match get(doc, el, b"K") {
                Some(Object::Array(a)) => a.clone(),
                Some(o) => vec![o.clone()],
                None => vec![],
            };
            for k in kids {
                let (page, mcid) = match deref(doc, &k) {
                    Object::Integer(m) => (el.get(b"Pg").ok().and_then(|p| p.as_reference().ok()), *m),
                    Object::Dictionary(d) if name(get(doc, d, b"Type")).as_deref() == Some("MCR") => (d.get(b"Pg").ok().and_then(|p| p.as_reference().ok()), d.get(b"MCID").ok().and_then(|m| m.as_i64().ok()).unwrap_or(-1)),
                    _ => continue,
                };
                let page = page.unwrap_or_else(|| panic!("{f}: marked content without a page"));
                assert!(page_mcids(doc, page).contains(&mcid), "{f}: MCID {mcid} on {page:?} is referenced but not in the content");
            }
        }
    }
}

// ---------------------------------------------------------------- bytes

fn run_build(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(BIN).args(args).current_dir(cwd).env_remove("SOURCE_DATE_EPOCH").output().unwrap()
}

#[test]
fn two_builds_are_byte_identical() {
    let d = scratch("repro");
    for seed in SEEDS {
        let issue = root(seed);
        let a = d.join("a.pdf");
        let b = d.join("b.pdf");
        for out in [&a, &b] {
            let o = run_build(&["build", issue.to_str().unwrap(), "-o", out.to_str().unwrap()], &d);
            assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let (a, b) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        assert!(a == b, "{seed}: two builds differ ({} and {} bytes)", a.len(), b.len());
    }
}

#[test]
fn same_bytes_whatever_was_built_before() {
    let d = scratch("repro2");
    // The library, twice in one process (as `folio watch` does).
    let issue = root("issues/2023-12.json");
    let x = build(&issue, &Options::default()).unwrap().pdf;
    let y = build(&issue, &Options::default()).unwrap().pdf;
    // The command line: one issue alone, or after another in the same run.
    let o = run_build(&["build", issue.to_str().unwrap(), "-o", d.join("alone.pdf").to_str().unwrap()], &d);
    assert_eq!(o.status.code(), Some(0));
    let o = run_build(&["build", root("issues/2022-06.json").to_str().unwrap(), issue.to_str().unwrap(), "-o", d.join("both").to_str().unwrap()], &d);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let alone = std::fs::read(d.join("alone.pdf")).unwrap();
    let after = std::fs::read(d.join("both").join("2023-12.pdf")).unwrap();
    assert!(alone == after, "2023-12.pdf differs when built after 2022-06.json in the same run");
    assert!(x == y, "two library builds in one process differ");
}

#[test]
fn screen_edition_of_each_seed_is_under_1_mb() {
    for (f, b) in built().iter().filter(|(f, _)| SEEDS.contains(f)) {
        assert!(b.pdf.len() < 1_000_000, "{f}: {} bytes", b.pdf.len());
        assert!(b.pdf.len() > 20_000, "{f}: {} bytes is suspiciously small", b.pdf.len());
    }
}

// ---------------------------------------------------------------- print

fn print_build(seed: &str, marks: bool) -> (Built, Document) {
    let b = build(&root(seed), &Options { profile: Profile::Print, marks, ..Options::default() }).unwrap();
    let d = Document::load_mem(&b.pdf).unwrap();
    (b, d)
}

#[test]
fn print_edition_has_trim_and_bleed_boxes() {
    let bleed = 3.0 * 72.0 / 25.4;
    for marks in [false, true] {
        let (b, doc) = print_build("issues/2023-12.json", marks);
        let pages = doc.get_pages();
        assert_eq!(pages.len(), b.laid.document.pages.len());
        for (pno, id) in pages {
            let p = doc.get_dictionary(id).unwrap();
            let trim = rect(&doc, p, b"TrimBox").unwrap_or_else(|| panic!("page {pno}: no TrimBox"));
            let bl = rect(&doc, p, b"BleedBox").unwrap_or_else(|| panic!("page {pno}: no BleedBox"));
            let media = rect(&doc, p, b"MediaBox").unwrap_or_else(|| panic!("page {pno}: no MediaBox"));
            // The trim is the A4 page.
            assert!((trim[2] - trim[0] - 595.276).abs() < 0.5 && (trim[3] - trim[1] - 841.89).abs() < 0.5, "page {pno}: TrimBox {trim:?}");
            // 3 mm (8.5 pt) of bleed on every side.
            for (i, side) in ["left", "bottom"].iter().enumerate() {
                assert!((trim[i] - bl[i] - bleed).abs() < 0.2, "page {pno} (marks {marks}): {side} bleed {:.2} pt", trim[i] - bl[i]);
            }
            for (i, side) in [(2, "right"), (3, "top")] {
                assert!((bl[i] - trim[i] - bleed).abs() < 0.2, "page {pno} (marks {marks}): {side} bleed {:.2} pt", bl[i] - trim[i]);
            }
            assert!(media[0] <= bl[0] + 0.01 && media[1] <= bl[1] + 0.01 && media[2] >= bl[2] - 0.01 && media[3] >= bl[3] - 0.01, "page {pno}: MediaBox {media:?} smaller than BleedBox {bl:?}");
        }
    }
    // The screen edition has no print boxes.
    let (_, doc) = parsed().iter().find(|(f, _)| *f == "issues/2023-12.json").unwrap();
    for (_, id) in doc.get_pages() {
        assert!(doc.get_dictionary(id).unwrap().get(b"BleedBox").is_err());
    }
}

#[test]
fn crop_marks_add_content() {
    let (_, plain) = print_build("issues/2022-06.json", false);
    let (_, marked) = print_build("issues/2022-06.json", true);
    let ops = |doc: &Document| -> Vec<usize> { doc.get_pages().values().map(|id| doc.get_and_decode_page_content(*id).unwrap().operations.len()).collect() };
    let (a, b) = (ops(&plain), ops(&marked));
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert!(y > x, "page {}: {y} operations with crop marks, {x} without", i + 1);
    }
    // The marks are stroked lines outside the trim: more path-painting operators.
    let strokes = |doc: &Document| -> usize { doc.get_pages().values().map(|id| doc.get_and_decode_page_content(*id).unwrap().operations.iter().filter(|o| o.operator == "S").count()).sum() };
    assert!(strokes(&marked) >= strokes(&plain) + 8 * a.len(), "expected eight crop-mark strokes per page");
}

#[test]
fn print_profile_from_the_command_line() {
    let d = scratch("printcli");
    let out = d.join("p.pdf");
    let o = run_build(&["build", root("issues/2023-12.json").to_str().unwrap(), "--profile", "print", "--marks", "-o", out.to_str().unwrap()], &d);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let doc = Document::load_mem(&std::fs::read(&out).unwrap()).unwrap();
    for (_, id) in doc.get_pages() {
        let p = doc.get_dictionary(id).unwrap();
        assert!(p.get(b"TrimBox").is_ok() && p.get(b"BleedBox").is_ok());
    }
}

/// A page image scaled down to `w` pixels wide, as grey levels.
fn grey_thumb(path: &Path, w: u32, h: u32) -> image::GrayImage {
    let img = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    image::imageops::resize(&img.to_luma8(), w, h, image::imageops::FilterType::Triangle)
}

#[test]
fn png_previews_are_the_pages_of_the_pdf_and_match_pdftoppm() {
    // `folio build --png` renders the PDF it wrote: one PNG a page at the resolution asked
    // for, and a contact sheet.
    let d = scratch("png-preview");
    let pdf = d.join("news.pdf");
    let o = Command::new(BIN).args(["build", "issues/2023-12.json", "--png", "--png-dpi", "50", "-o"]).arg(&pdf).current_dir(ROOT).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc = Document::load(&pdf).unwrap();
    let pages = doc.get_pages();
    for (n, id) in &pages {
        let png = d.join(format!("news-{n}.png"));
        let img = image::open(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
        let mb = doc.get_object(*id).unwrap().as_dict().unwrap().get(b"MediaBox").unwrap().as_array().unwrap().iter().map(num).collect::<Vec<_>>();
        let (w, h) = ((mb[2] - mb[0]) * 50.0 / 72.0, (mb[3] - mb[1]) * 50.0 / 72.0);
        assert!((img.width() as f32 - w).abs() <= 1.0 && (img.height() as f32 - h).abs() <= 1.0, "page {n}: {}x{} for {w}x{h}", img.width(), img.height());
    }
    assert!(!d.join(format!("news-{}.png", pages.len() + 1)).exists(), "a PNG for a page the PDF does not have");
    let sheet = image::open(d.join("news-pages.png")).unwrap();
    assert!(sheet.width() > 3 * 200 && sheet.height() > 200, "contact sheet {}x{}", sheet.width(), sheet.height());
    // What pdftoppm draws of the same PDF, scaled down to 1/8 (so anti-aliasing and
    // hinting differences average out): on average within 4 grey levels of 255, and no
    // block 40 levels apart (a missing photo, heading or column would be 100 or more).
    let have = Command::new("pdftoppm").arg("-v").output().is_ok();
    if !have {
        assert!(std::env::var_os("CI").is_none(), "pdftoppm (poppler-utils) is needed in CI: .ci/run installs it");
        eprintln!("pdftoppm not found: the comparison with poppler is skipped");
        return;
    }
    for n in 1..=pages.len() {
        let o = Command::new("pdftoppm").args(["-r", "50", "-png", "-f", &n.to_string(), "-l", &n.to_string(), "-singlefile"]).arg(&pdf).arg(d.join(format!("poppler-{n}"))).output().unwrap();
        assert!(o.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&o.stderr));
        let ours = image::open(d.join(format!("news-{n}.png"))).unwrap();
        let (w, h) = (ours.width() / 8, ours.height() / 8);
        let a = grey_thumb(&d.join(format!("news-{n}.png")), w, h);
        let b = grey_thumb(&d.join(format!("poppler-{n}.png")), w, h);
        let diffs: Vec<f32> = a.pixels().zip(b.pixels()).map(|(p, q)| (p.0[0] as f32 - q.0[0] as f32).abs()).collect();
        let mean = diffs.iter().sum::<f32>() / diffs.len() as f32;
        let worst = diffs.iter().cloned().fold(0.0, f32::max);
        assert!(mean < 4.0 && worst < 40.0, "page {n}: ours and pdftoppm's differ by {mean:.1} on average, {worst} at most");
    }
}

#[test]
fn print_edition_is_pdf_x4() {
    for seed in SEEDS {
        let (_, doc) = print_build(seed, false);
        // The output intent: PDF/X, FOGRA39, with an embedded CMYK output profile.
        let cat = doc.catalog().unwrap();
        let intents = match cat.get(b"OutputIntents").map(|o| deref(&doc, o)) {
            Ok(Object::Array(a)) => a.clone(),
            o => panic!("{seed}: no OutputIntents: {o:?}"),
        };
        assert_eq!(intents.len(), 1, "{seed}");
        let intent = deref(&doc, &intents[0]).as_dict().unwrap();
        assert_eq!(intent.get(b"S").and_then(|o| o.as_name()).ok(), Some(b"GTS_PDFX".as_slice()), "{seed}");
        assert!(matches!(intent.get(b"OutputConditionIdentifier"), Ok(Object::String(s, _)) if s == b"FOGRA39"), "{seed}");
        let profile = match intent.get(b"DestOutputProfile").map(|o| deref(&doc, o)) {
            Ok(Object::Stream(s)) => s.clone(),
            o => panic!("{seed}: no DestOutputProfile: {o:?}"),
        };
        assert_eq!(profile.dict.get(b"N").and_then(|o| o.as_i64()).ok(), Some(4), "{seed}: a CMYK profile");
        let bytes = profile.decompressed_content().unwrap_or_else(|_| profile.content.clone());
        assert_eq!(&bytes[12..20], b"prtrCMYK", "{seed}: an output (printer) profile of CMYK");
        // The XMP and Info say PDF/X-4.
        let meta = match cat.get(b"Metadata").map(|o| deref(&doc, o)) {
            Ok(Object::Stream(s)) => String::from_utf8_lossy(&s.content).to_string(),
            o => panic!("{seed}: no XMP: {o:?}"),
        };
        assert!(meta.contains("<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>"), "{seed}");
        assert!(meta.contains("<pdfuaid:part>1</pdfuaid:part>"), "{seed}: still PDF/UA");
        assert!(meta.contains("<xmp:CreateDate>") && meta.contains("<xmpMM:DocumentID>uuid:"), "{seed}");
        // No device RGB anywhere: images are tagged sRGB, paint is CMYK or gray.
        for (_, o) in doc.objects.iter() {
            if let Object::Stream(s) = o {
                if s.dict.get(b"Subtype").and_then(|v| v.as_name()).ok() == Some(b"Image".as_slice()) {
                    let cs = s.dict.get(b"ColorSpace").unwrap();
                    let ok = match deref(&doc, cs) {
                        Object::Name(n) => n == b"DeviceGray",
                        Object::Array(a) => a.first().and_then(|x| x.as_name().ok()) == Some(b"ICCBased".as_slice()),
                        _ => false,
                    };
                    assert!(ok, "{seed}: an image in {cs:?}");
                }
            }
        }
        for (_, page) in doc.get_pages() {
            let content = doc.get_and_decode_page_content(page).unwrap();
            for op in &content.operations {
                assert!(!matches!(op.operator.as_str(), "rg" | "RG"), "{seed}: device RGB paint {op:?}");
            }
        }
    }
    // The screen edition stays RGB, without an output intent.
    let (f, doc) = &parsed()[1];
    assert!(doc.catalog().unwrap().get(b"OutputIntents").is_err(), "{f}");
}
