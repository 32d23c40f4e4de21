//! Right-to-left scripts: Hebrew and Arabic are set in the bundled fallback faces, shaped
//! right to left (Arabic letters joined), words of a line in visual order (Unicode's
//! bidirectional algorithm) while the display list keeps them in reading order, and an
//! issue in a right-to-left language has its pages mirrored (the first column on the right).

use folio::build::{build, Built, Options};
use folio::layout::display::Item;
use folio::text::fonts::{FamilySource, FontBook};
use std::path::PathBuf;

mod common;

fn build_json(name: &str, issue: &serde_json::Value) -> Built {
    let d: PathBuf = common::scratch("rtl", name);
    let p = d.join("issue.json");
    std::fs::write(&p, serde_json::to_string_pretty(issue).unwrap()).unwrap();
    build(&p, &Options::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The text runs of page 1 that hold `needle`: (x, text), in display-list order.
fn runs_with<'a>(b: &'a Built, needle: &str) -> Vec<(f32, String)> {
    let mut out = Vec::new();
    for it in &b.laid.document.pages[0].items {
        if let Item::Text { x, glyphs, .. } = it {
            let t: String = glyphs.iter().map(|g| g.text.as_str()).collect();
            if t.contains(needle) {
                out.push((*x, t));
            }
        }
    }
    out
}

fn hebrew_issue() -> serde_json::Value {
    serde_json::json!({
        "title": "עלון המחקר",
        "edition": "גיליון 3",
        "language": "he",
        "sections": [
            { "heading": "מה חדש", "body": ["המחקר שלנו על בריאות הלב התחיל בשנת 2024 ועכשיו יש לנו תוצאות ראשונות. אנחנו מודים לכל המשתתפים שהקדישו מזמנם."] },
            { "heading": "שלום", "body": ["תודה רבה לכולם."] }
        ]
    })
}

#[test]
fn hebrew_needs_no_font_of_the_brand_and_reads_in_order() {
    let b = build_json("he", &hebrew_issue());
    assert!(!b.warnings.0.iter().any(|w| w.message.contains("not in the fonts")), "{:?}", b.warnings.0);
    assert!(!b.warnings.0.iter().any(|w| w.message.contains("hyphenation")), "Hebrew is not hyphenated, and no warning says so: {:?}", b.warnings.0);
    // Each word extracts in its own (logical) order, and the words of a line in reading order.
    let all: String = b.laid.document.pages[0].items.iter().filter_map(|it| if let Item::Text { glyphs, .. } = it { Some(glyphs.iter().map(|g| g.text.as_str()).collect::<String>()) } else { None }).collect();
    assert!(all.contains("המחקר שלנו על בריאות"), "{all}");
    // Right to left: "המחקר" (first) stands to the right of "שלנו" (second).
    let first = runs_with(&b, "המחקר ");
    let second = runs_with(&b, "שלנו");
    assert!(!first.is_empty() && !second.is_empty());
    let (fx, sx) = (first.last().unwrap().0, second[0].0);
    assert!(fx > sx, "the first word is right of the second: {fx} vs {sx}");
    // The PDF embeds the Hebrew face.
    let pdf = String::from_utf8_lossy(&b.pdf);
    assert!(pdf.contains("NotoSansHebrew"), "the Hebrew fallback face is embedded");
}

#[test]
fn a_right_to_left_issue_has_its_first_column_on_the_right() {
    let mut v = hebrew_issue();
    // Enough text for both columns of a two-column page.
    let long: Vec<String> = (0..12).map(|_| "המחקר שלנו על בריאות הלב התחיל בשנת 2024 ועכשיו יש לנו תוצאות ראשונות ואנחנו מודים לכל המשתתפים.".to_string()).collect();
    v["sections"][0]["body"] = serde_json::json!(long);
    let b = build_json("he-cols", &v);
    let regions: Vec<_> = b.laid.regions.iter().filter(|r| r.page == 0 && r.cols > 1).collect();
    assert!(regions.len() >= 2, "two columns on page 1");
    let c0 = regions.iter().find(|r| r.col == 0).unwrap();
    let c1 = regions.iter().find(|r| r.col == 1).unwrap();
    assert!(c0.x > c1.x, "column 1 is right of column 2: {} vs {}", c0.x, c1.x);
    // Every run still lies on the page, and inside its column's edges.
    let w = b.laid.document.pages[0].width;
    for it in &b.laid.document.pages[0].items {
        if let Item::Text { x, width, .. } = it {
            assert!(*x >= -0.01 && x + width <= w + 0.01, "a run off the page: {x} + {width}");
        }
    }
}

#[test]
fn a_hebrew_phrase_in_an_english_line_runs_right_to_left() {
    let v = serde_json::json!({
        "title": "News", "edition": "Issue 1",
        "sections": [{ "heading": "Greetings", "body": ["We say שלום עולם to everyone."] }]
    });
    let b = build_json("mixed", &v);
    let shalom = runs_with(&b, "שלום");
    let olam = runs_with(&b, "עולם");
    let we = runs_with(&b, "We");
    assert!(!shalom.is_empty() && !olam.is_empty() && !we.is_empty());
    // English left to right; inside the Hebrew phrase, the first word on the right.
    assert!(we[0].0 < olam[0].0 && olam[0].0 < shalom[0].0, "We {} < עולם {} < שלום {}", we[0].0, olam[0].0, shalom[0].0);
}

#[test]
fn arabic_letters_are_joined() {
    let mut book = FontBook::default();
    book.add_family(FamilySource::Bundled("Noto Sans")).unwrap();
    book.add_fallbacks().unwrap();
    let face = book.face_for(0, 'ب').expect("a bundled face has Arabic letters");
    let mut shaper = folio::text::fonts::Shaper::new(&book, "ar");
    let isolated = shaper.shape_dir(face, "ب", true)[0].gid;
    let joined = shaper.shape_dir(face, "ببب", true);
    assert_eq!(joined.len(), 3);
    // In logical order: initial, medial, final forms, none of them the isolated one.
    assert!(joined.iter().all(|g| g.gid != isolated), "{joined:?}");
    assert!(joined.windows(2).all(|w| w[0].cluster < w[1].cluster), "glyphs in logical order: {joined:?}");
}

