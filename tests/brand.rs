//! The brand file: defaults, validation, and what each setting does to real output.

use folio::build::{build, BuildError, Options};
use folio::layout::display::{Clip, Item};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_folio");

fn scratch(name: &str) -> PathBuf {
    common::scratch("brand", name)
}

const PROSE: &str = "Link workers support people with their non-medical needs, such as loneliness, financial worries and housing problems, and they connect them with community groups, charities and local services that can help. Their work is varied and demanding, and the study followed them through a full year of practice in seven different parts of the country.";

fn setup(name: &str, brand: serde_json::Value, page: Option<serde_json::Value>, profile: bool) -> PathBuf {
    let d = scratch(name);
    std::fs::write(d.join("brand.json"), brand.to_string()).unwrap();
    let photo = Path::new(ROOT).join("assets/photos/kamal-mahtani.jpg").display().to_string();
    let mut sections = vec![serde_json::json!({ "heading": "News", "body": [PROSE, PROSE, PROSE] })];
    if profile {
        sections.push(serde_json::json!({ "type": "profile", "heading": "Meet the team", "name": "Zoë Ó Súilleabháin", "role": "Researcher", "photo": photo, "alt": "Portrait", "body": [PROSE, PROSE] }));
    }
    let mut issue = serde_json::json!({ "title": "Brand test", "edition": "Test", "brand": "brand.json", "sections": sections });
    if let Some(p) = page {
        issue["page"] = p;
    }
    std::fs::write(d.join("issue.json"), issue.to_string()).unwrap();
    d.join("issue.json")
}

#[test]
fn an_empty_brand_is_valid() {
    let issue = setup("empty", serde_json::json!({}), None, true);
    let b = build(&issue, &opts()).unwrap();
    assert!(!b.pdf.is_empty());
    assert_eq!(b.theme.columns, 2);
}

#[test]
fn a_bad_colour_names_the_field_and_exits_1() {
    let issue = setup("colour", serde_json::json!({ "colours": { "primary": "navy-ish" } }), None, false);
    match build(&issue, &opts()) {
        Err(BuildError::Input(e)) => {
            let msg = e.to_string();
            assert!(msg.contains("colours.primary") && msg.contains("navy-ish") && msg.contains("brand.json"), "{msg}");
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a bad colour was accepted"),
    }
    let out = Command::new(BIN).args(["build", issue.to_str().unwrap(), "-o", "x.pdf"]).current_dir(issue.parent().unwrap()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!issue.parent().unwrap().join("x.pdf").exists());
}

#[test]
fn an_unknown_brand_field_is_an_error() {
    let issue = setup("unknown", serde_json::json!({ "colors": {} }), None, false);
    let e = build(&issue, &opts()).err().expect("unknown field accepted").to_string();
    assert!(e.contains("colors"), "{e}");
}

#[test]
fn page_sizes_and_columns() {
    for (size, w, h) in [("A4", 595.3, 841.9), ("A5", 419.5, 595.3), ("Letter", 612.0, 792.0)] {
        let cols = if size == "A5" { 1 } else { 3 };
        let issue = setup(&format!("size-{size}"), serde_json::json!({}), Some(serde_json::json!({ "size": size, "columns": cols })), false);
        let b = build(&issue, &opts()).unwrap();
        let p = &b.laid.document.pages[0];
        assert!((p.width - w).abs() < 0.5 && (p.height - h).abs() < 0.5, "{size}: {}×{}", p.width, p.height);
        assert_eq!(b.theme.columns, cols);
        // Body lines use the column measure.
        let text_w = p.width - b.theme.margins[1] - b.theme.margins[3];
        let col_w = (text_w - (cols as f32 - 1.0) * b.theme.gutter) / cols as f32;
        assert!(b.laid.lines.iter().all(|l| l.measure <= col_w + 0.5), "{size}: a body line wider than a column");
    }
}

#[test]
fn justified_only_where_the_measure_allows() {
    // Wide single column: justified lines fill the measure.
    let wide = setup("justify-wide", serde_json::json!({ "justify": true }), Some(serde_json::json!({ "columns": 1 })), false);
    let b = build(&wide, &opts()).unwrap();
    let full: Vec<_> = b.laid.lines.iter().filter(|l| l.justified).collect();
    assert!(!full.is_empty(), "justify: true gave no justified lines in a wide column");
    let filled = full.iter().filter(|l| (l.width - l.measure).abs() < 1.0).count();
    assert!(filled * 2 > full.len(), "justified lines should fill their measure ({filled} of {})", full.len());
    // Four narrow columns: ragged even though the brand asks for justified.
    let narrow = setup("justify-narrow", serde_json::json!({ "justify": true }), Some(serde_json::json!({ "columns": 4, "size": "A4" })), false);
    let b = build(&narrow, &opts()).unwrap();
    assert!(b.laid.lines.iter().all(|l| !l.justified), "narrow columns must be ragged");
}

#[test]
fn hyphenation_can_be_switched_off() {
    let issue = setup("nohyph", serde_json::json!({ "hyphenate": false }), Some(serde_json::json!({ "columns": 3 })), false);
    let b = build(&issue, &opts()).unwrap();
    for p in &b.laid.document.pages {
        for it in &p.items {
            if let Item::Text { hyphen, .. } = it {
                assert!(!hyphen, "a hyphen was added with hyphenate: false");
            }
        }
    }
}

#[test]
fn circle_profile_photo() {
    let issue = setup("circle", serde_json::json!({ "profile_photo": "circle" }), None, true);
    let b = build(&issue, &opts()).unwrap();
    let circles = b.laid.document.pages.iter().flat_map(|p| &p.items).filter(|i| matches!(i, Item::Image { clip: Clip::Circle, rect, .. } if (rect.w - rect.h).abs() < 0.5)).count();
    assert_eq!(circles, 1);
}

#[test]
fn schema_prints_for_both_formats() {
    for which in ["issue", "brand"] {
        let out = Command::new(BIN).args(["schema", which]).output().unwrap();
        assert!(out.status.success());
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["properties"].is_object(), "{which} schema has no properties");
    }
    let out = Command::new(BIN).args(["schema", "brand"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["colours", "fonts", "logo", "page", "type", "justify", "hyphenate"] {
        assert!(v["properties"].get(key).is_some(), "brand schema lacks {key}");
    }
}

/// Options for fixtures in temporary folders that use the repository's assets (outside
/// their folder): the whole file system as the project root.
fn opts() -> Options {
    Options { root: Some("/".into()), ..Options::default() }
}

/// The fill colours (`k` operands) the content streams of a PDF set.
fn cmyk_fills(pdf: &[u8]) -> Vec<[f32; 4]> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let mut out = Vec::new();
    for (_, page) in doc.get_pages() {
        for op in doc.get_and_decode_page_content(page).unwrap().operations {
            if op.operator == "k" {
                let v: Vec<f32> = op.operands.iter().filter_map(|o| o.as_float().ok()).collect();
                if let [c, m, y, k] = v[..] {
                    out.push([c, m, y, k]);
                }
            }
        }
    }
    out
}

#[test]
fn brand_colours_may_give_their_print_inks() {
    // The primary colour with its inks (percent): the print edition paints the masthead band
    // and headings with exactly those; other colours are converted by the profile.
    let brand = serde_json::json!({ "colours": { "primary": { "rgb": "#1F4E79", "cmyk": [100, 70, 0, 20] }, "accent": "#C0504D" } });
    let issue = setup("cmyk", brand, None, false);
    let print = build(&issue, &Options { profile: folio::build::Profile::Print, ..opts() }).unwrap();
    let fills = cmyk_fills(&print.pdf);
    let near = |a: [f32; 4], b: [f32; 4]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.002);
    assert!(fills.iter().any(|f| near(*f, [1.0, 0.7, 0.0, 0.2])), "the given inks: {fills:?}");
    let accent = folio::colour::srgb_to_cmyk([0xC0 as f32 / 255.0, 0x50 as f32 / 255.0, 0x4D as f32 / 255.0]);
    assert!(fills.iter().any(|f| near(*f, accent)), "the accent converted by the profile: {accent:?} in {fills:?}");
    // The screen edition is unchanged: RGB.
    let screen = build(&issue, &opts()).unwrap();
    assert!(cmyk_fills(&screen.pdf).is_empty() || !cmyk_fills(&screen.pdf).iter().any(|f| near(*f, [1.0, 0.7, 0.0, 0.2])));
    // Inks out of range are an error naming the field.
    let bad = setup("cmyk-bad", serde_json::json!({ "colours": { "primary": { "rgb": "#1F4E79", "cmyk": [100, 170, 0, 20] } } }), None, false);
    match build(&bad, &opts()) {
        Err(BuildError::Input(e)) => assert!(e.to_string().contains("colours.primary.cmyk"), "{e}"),
        other => panic!("accepted: {:?}", other.is_ok()),
    }
}
