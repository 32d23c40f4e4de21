//! "In this issue": a box on page 1 listing the sections with the pages they start on, each
//! entry a link there, tagged as a table of contents; its numbers come from the final layout.

mod common;

use common::words::{contents_problems, in_contents, paragraph, texts};
use folio::build::{build, Built, Options, Profile};
use folio::layout::display::{Item, Mark, Role};
use lopdf::Document;


/// An issue of several pages whose sections start on different pages.
fn issue(contents: serde_json::Value, size: &str, columns: u32) -> serde_json::Value {
    let long = |k: usize| serde_json::json!([paragraph(14, k), paragraph(12, k + 3), paragraph(16, k + 5)]);
    serde_json::json!({
        "title": "Contents test", "edition": "Winter", "contents": contents,
        "page": { "size": size, "columns": columns },
        "intro": paragraph(4, 0),
        "sections": [
            { "heading": "News from the clinics", "body": long(1) },
            { "heading": "A *long* heading for a section about the **study's** findings this year", "body": long(2) },
            { "type": "profile", "name": "Marie-Hélène Lefèvre", "role": "Nurse", "body": [paragraph(6, 4)] },
            { "body": [paragraph(5, 6)] },
            { "heading": "Events", "span": "full", "body": long(3) },
            { "type": "callout", "heading": "Get involved", "body": [paragraph(4, 7)] },
            { "heading": "Thank you", "body": long(4) }
        ]
    })
}

fn build_issue(name: &str, v: &serde_json::Value, profile: Profile) -> Built {
    let d = common::scratch("contents", name);
    let p = d.join("issue.json");
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    build(&p, &Options { profile, root: Some("/".into()), ..Options::default() }).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn the_box_lists_every_section_with_the_page_it_starts_on() {
    for (size, cols) in [("A4", 3), ("A5", 1), ("Letter", 2), ("A4", 4)] {
        let b = build_issue(&format!("toc-{size}-{cols}"), &issue(serde_json::json!(true), size, cols), Profile::Screen);
        let name = format!("{size} in {cols}");
        assert!(b.laid.document.pages.len() >= 3, "{name}: a few pages");
        // On page 1, with its title in the issue's language.
        let boxed: Vec<_> = texts(&b).into_iter().filter(|t| t.node.is_some_and(|n| in_contents(&b, n))).collect();
        assert!(!boxed.is_empty(), "{name}: the box is set");
        assert!(boxed.iter().all(|t| t.page == 0), "{name}: the whole box on page 1");
        assert!(boxed.iter().any(|t| t.text.contains("In")) && boxed.iter().any(|t| t.text.contains("issue")), "{name}: titled In this issue");
        // Six entries: every section with a heading, the profile by its name; the section
        // without a heading is not listed. Markup in a heading is shown as plain text.
        let tree = &b.laid.document.tree;
        let items: Vec<usize> = (0..tree.nodes.len()).filter(|&n| tree.nodes[n].role == Role::TOCI).collect();
        assert_eq!(items.len(), 6, "{name}: entries");
        let link_texts: Vec<String> = (0..tree.nodes.len()).filter(|&n| tree.nodes[n].role == Role::Link && in_contents(&b, n)).filter_map(|n| tree.nodes[n].text.clone()).collect();
        assert!(link_texts[1].starts_with("A long heading for a section about the study's findings"), "{name}: {link_texts:?}");
        assert!(link_texts[2].starts_with("Marie-Hélène Lefèvre"), "{name}: {link_texts:?}");
        // Each number is the page its section starts on, and the entry's link goes there.
        let problems = contents_problems(&b);
        assert!(problems.is_empty(), "{name}: {problems:?}");
        let hard: Vec<_> = folio::layout::invariants::check(&b.laid).into_iter().filter(|v| v.rule.hard()).collect();
        assert!(hard.is_empty(), "{name}: {hard:?}");
    }
}

#[test]
fn the_checks_of_the_box_can_fail() {
    let mut b = build_issue("toc-broken", &issue(serde_json::json!(true), "A4", 3), Profile::Screen);
    assert!(contents_problems(&b).is_empty());
    // A link that goes to the wrong page is caught.
    for page in &mut b.laid.document.pages {
        for it in &mut page.items {
            if let Item::Link { dest: Some((p, _)), .. } = it {
                *p += 1;
            }
        }
    }
    assert!(!contents_problems(&b).is_empty());
}

#[test]
fn a_title_can_be_given_and_false_means_no_box() {
    let b = build_issue("toc-title", &issue(serde_json::json!("Inside"), "A4", 2), Profile::Screen);
    assert!(texts(&b).iter().any(|t| t.page == 0 && t.text.contains("Inside") && t.node.is_some_and(|n| in_contents(&b, n))));
    let b = build_issue("toc-off", &issue(serde_json::json!(false), "A4", 2), Profile::Screen);
    let tree = &b.laid.document.tree;
    assert!(!tree.nodes.iter().any(|n| n.role == Role::TOC), "no box");
    // A blank title is an error naming the field.
    let d = common::scratch("contents", "blank");
    let p = d.join("issue.json");
    std::fs::write(&p, serde_json::to_string(&issue(serde_json::json!("  "), "A4", 2)).unwrap()).unwrap();
    let e = build(&p, &Options { root: Some("/".into()), ..Options::default() }).err().expect("refused").to_string();
    assert!(e.contains("contents"), "{e}");
}

#[test]
fn numbers_are_filled_in_without_moving_anything() {
    // The box is set with room for the numbers: the entries' lines sit where they would
    // with any page numbers, and no number runs into its entry's text.
    let b = build_issue("toc-room", &issue(serde_json::json!(true), "A5", 2), Profile::Screen);
    let tree = &b.laid.document.tree;
    for l in (0..tree.nodes.len()).filter(|&n| tree.nodes[n].role == Role::Link && in_contents(&b, n)) {
        let runs: Vec<(f32, f32, f32)> = b.laid.document.pages[0]
            .items
            .iter()
            .filter_map(|it| match it {
                Item::Text { mark: Mark::Node(n), x, y, width, .. } if *n == l => Some((*x, *x + *width, *y)),
                _ => None,
            })
            .collect();
        let (num, text) = runs.split_last().expect("text and number");
        let same_line: Vec<_> = text.iter().filter(|r| (r.2 - num.2).abs() < 0.5).collect();
        assert!(same_line.iter().all(|r| r.1 < num.0), "entry {l}: the number stands clear of the text: {runs:?}");
    }
}

#[test]
fn the_pdf_links_each_entry_to_its_page_and_tags_a_toc() {
    for profile in [Profile::Screen, Profile::Print] {
        let b = build_issue(&format!("toc-pdf-{profile:?}"), &issue(serde_json::json!(true), "A4", 3), profile);
        let doc = Document::load_mem(&b.pdf).expect("lopdf reads it");
        let pages: Vec<lopdf::ObjectId> = doc.get_pages().values().copied().collect();
        // Destinations of the GoTo links on page 1, as page indexes.
        let first = doc.get_dictionary(pages[0]).unwrap();
        let annots = first.get(b"Annots").and_then(|a| a.as_array()).expect("page 1 has links");
        let mut gotos = Vec::new();
        for a in annots {
            let d = doc.dereference(a).unwrap().1.as_dict().unwrap();
            let Ok(action) = d.get(b"A").and_then(|o| o.as_dict()) else { continue };
            if action.get(b"S").and_then(|s| s.as_name()).ok() == Some(b"GoTo".as_slice()) {
                let dest = action.get(b"D").and_then(|o| o.as_array()).unwrap();
                let target = dest[0].as_reference().unwrap();
                gotos.push(pages.iter().position(|p| *p == target).expect("a page of the document"));
                assert!(d.get(b"Contents").is_ok(), "a link says where it goes");
            }
        }
        let want: Vec<usize> = b.laid.document.pages[0].items.iter().filter_map(|it| match it { Item::Link { dest: Some((p, _)), .. } => Some(*p), _ => None }).collect();
        assert_eq!(gotos, want, "{profile:?}: one GoTo per entry, to its section's page");
        assert!(gotos.windows(2).all(|w| w[0] <= w[1]) && gotos.last() > gotos.first(), "{profile:?}: {gotos:?}");
        // The structure tree has TOC > TOCI > Reference > Link.
        let count = |name: &str| doc.objects.values().filter(|o| o.as_dict().ok().and_then(|d| d.get(b"S").ok()).and_then(|s| s.as_name().ok()) == Some(name.as_bytes())).count();
        assert_eq!(count("TOC"), 1, "{profile:?}");
        assert_eq!(count("TOCI"), 6, "{profile:?}");
        assert_eq!(count("Reference"), 6, "{profile:?}");
    }
}
