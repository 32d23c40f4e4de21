//! The issue file: validation messages (file, JSON path, line and column) and the
//! command line's handling of bad input (exit status, nothing written, images refused).

use folio::error::InputErrors;
use folio::model;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

mod common;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_folio");

fn scratch(name: &str) -> PathBuf {
    common::scratch("model", name)
}

fn root(p: &str) -> PathBuf {
    Path::new(ROOT).join(p)
}

/// Parse `text` as if it were `issue.json` in the scratch folder.
fn parse(text: &str) -> Result<model::Doc, InputErrors> {
    model::parse(Path::new("/tmp/folio-model/issue.json"), text)
}

fn errors(text: &str) -> InputErrors {
    match parse(text) {
        Ok(_) => panic!("expected the issue to be refused:\n{text}"),
        Err(e) => e,
    }
}

/// A valid issue with `sections` spliced in.
fn issue_with_sections(sections: &str) -> String {
    format!(r#"{{ "title": "T", "edition": "E", "sections": {sections} }}"#)
}

fn run(args: &[&str], cwd: &Path) -> (Output, Duration) {
    let t = Instant::now();
    let out = Command::new(BIN).args(args).current_dir(cwd).env_remove("SOURCE_DATE_EPOCH").output().expect("run folio");
    (out, t.elapsed())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

// ---------------------------------------------------------------- library: parse

#[test]
fn seeds_and_examples_parse() {
    let mut files = vec![root("issues/2022-06.json"), root("issues/2023-12.json")];
    for e in std::fs::read_dir(root("examples")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            files.push(p);
        }
    }
    assert!(files.len() >= 7, "seeds and examples: {files:?}");
    for f in &files {
        let doc = model::load(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(!doc.title.is_empty() && !doc.edition.is_empty() && !doc.sections.is_empty(), "{}", f.display());
    }
    let doc = model::load(&root("issues/2023-12.json")).unwrap();
    assert_eq!(doc.title, "The link worker role in primary care");
    assert_eq!(doc.language, "en-GB");
    assert_eq!(doc.sections.len(), 6);
    assert_eq!(doc.sections[3].json_path, "sections[3]");
}

#[test]
fn default_language_is_en_gb() {
    let doc = parse(&issue_with_sections(r#"[{ "heading": "H", "body": ["Hello."] }]"#)).unwrap();
    assert_eq!(doc.language, "en-GB");
}

#[test]
fn unknown_top_level_field_is_named() {
    let e = errors(r#"{ "titel": "T", "title": "T", "edition": "E", "sections": [{ "body": ["x"] }] }"#);
    let s = e.to_string();
    assert!(s.contains("titel"), "message should name the unknown field: {s}");
    assert!(s.contains("issue.json"), "message should name the file: {s}");
    assert!(e.0[0].position.is_some(), "position should be known: {:?}", e.0[0]);
    assert_eq!(e.0[0].path, "titel", "the JSON path of the unknown field");
    assert!(e.0[0].message.contains("title"), "the message should list the right spelling: {}", e.0[0].message);
}

#[test]
fn unknown_nested_field_has_json_path() {
    let e = errors(&issue_with_sections(r#"[{ "heading": "H", "body": ["x"] }, { "titel": "H", "body": ["x"] }]"#));
    let err = &e.0[0];
    assert!(err.message.contains("titel"), "message should name the field: {err:?}");
    assert!(err.path.starts_with("sections[1]"), "path should point at the section: {err:?}");
    let e = errors(&issue_with_sections(r#"[{ "heading": "H", "body": [{ "image": "a.jpg", "alt": "A", "captoin": "c" }] }]"#));
    let err = &e.0[0];
    assert!(err.message.contains("captoin"), "{err:?}");
    assert!(err.path.starts_with("sections[0].body[0]"), "{err:?}");
}

#[test]
fn missing_title() {
    let e = errors(r#"{ "edition": "E", "sections": [{ "body": ["x"] }] }"#);
    let s = e.to_string();
    assert!(s.contains("title"), "{s}");
}

#[test]
fn empty_title_is_refused() {
    let e = errors(r#"{ "title": "  ", "edition": "E", "sections": [{ "body": ["x"] }] }"#);
    assert!(e.0.iter().any(|x| x.path == "title"), "{e}");
}

#[test]
fn empty_sections() {
    let e = errors(&issue_with_sections("[]"));
    assert!(e.0.iter().any(|x| x.path == "sections" && x.message.contains("section")), "{e}");
}

#[test]
fn seven_columns() {
    let e = errors(r#"{ "title": "T", "edition": "E", "page": { "columns": 7 }, "sections": [{ "body": ["x"] }] }"#);
    let err = e.0.iter().find(|x| x.path == "page.columns").unwrap_or_else(|| panic!("no page.columns error: {e}"));
    assert!(err.message.contains('7') && err.message.contains('4'), "{err:?}");
    // 0 is as wrong as 7; 1 and 4 are fine.
    assert!(parse(r#"{ "title": "T", "edition": "E", "page": { "columns": 0 }, "sections": [{ "body": ["x"] }] }"#).is_err());
    for c in [1, 4] {
        parse(&format!(r#"{{ "title": "T", "edition": "E", "page": {{ "columns": {c} }}, "sections": [{{ "body": ["x"] }}] }}"#)).unwrap();
    }
}

#[test]
fn image_without_alt() {
    let e = errors(&issue_with_sections(
        r#"[{ "heading": "A", "body": ["x"] }, { "heading": "B", "body": ["one", "two", { "image": "p.jpg", "caption": "c" }] }]"#,
    ));
    assert!(e.0.iter().any(|x| x.path == "sections[1].body[2].alt"), "expected sections[1].body[2].alt: {e}");
    // Blank alt is no alt.
    let e = errors(&issue_with_sections(r#"[{ "body": [{ "image": "p.jpg", "alt": "   " }] }]"#));
    assert!(e.0.iter().any(|x| x.path == "sections[0].body[0].alt"), "{e}");
    // Decorative images need none.
    let doc = parse(&issue_with_sections(r#"[{ "body": [{ "image": "p.jpg", "decorative": true }] }]"#)).unwrap();
    assert_eq!(doc.sections[0].items.len(), 1);
}

#[test]
fn profile_field_on_a_normal_section() {
    let e = errors(&issue_with_sections(r#"[{ "heading": "H", "name": "Kamal", "body": ["x"] }]"#));
    let err = e.0.iter().find(|x| x.path == "sections[0].name").unwrap_or_else(|| panic!("{e}"));
    assert!(err.message.contains("profile"), "{err:?}");
    let e = errors(&issue_with_sections(r#"[{ "body": ["x"] }, { "type": "callout", "photo": "p.jpg", "body": ["x"] }]"#));
    assert!(e.0.iter().any(|x| x.path == "sections[1].photo"), "{e}");
}

#[test]
fn list_and_image_in_one_body_item() {
    let e = errors(&issue_with_sections(r#"[{ "body": ["x", { "list": ["a"], "image": "p.jpg", "alt": "A" }] }]"#));
    let err = e.0.iter().find(|x| x.path == "sections[0].body[1]").unwrap_or_else(|| panic!("{e}"));
    assert!(err.message.contains("list") && err.message.contains("image"), "{err:?}");
}

#[test]
fn invalid_json_reports_line_and_column() {
    // Line 4 lacks the comma after "E".
    let text = "{\n  \"title\": \"T\",\n  \"edition\": \"E\"\n  \"sections\": []\n}\n";
    let e = errors(text);
    let err = &e.0[0];
    let (line, col) = err.position.unwrap_or_else(|| panic!("no position: {err:?}"));
    assert!(line == 4 || (line == 3 && col > 15), "expected the error at the end of line 3 or on line 4, got {line}:{col}");
    assert!(e.to_string().contains(&format!(":{line}:{col}")), "message should show line:column: {e}");
    // Trailing garbage after the object.
    let e = errors("{ \"title\": \"T\", \"edition\": \"E\", \"sections\": [{ \"body\": [\"x\"] }] }\n}");
    assert_eq!(e.0[0].position.map(|p| p.0), Some(2), "{e}");
    // A wrong type deep inside: path and position.
    let e = errors("{\n \"title\": \"T\",\n \"edition\": \"E\",\n \"sections\": [\n  { \"body\": [\"x\", 42] }\n ]\n}");
    let err = &e.0[0];
    assert!(err.path.starts_with("sections[0].body[1]"), "{err:?}");
    assert_eq!(err.position.map(|p| p.0), Some(5), "{err:?}");
}

#[test]
fn syntax_error_has_no_placeholder_path() {
    let e = errors("{\n  \"title\": \"T\",\n  \"edition\": \"E\"\n  \"sections\": []\n}\n");
    let err = &e.0[0];
    assert!(err.path.is_empty() || err.path.chars().next().is_some_and(|c| c.is_ascii_alphabetic()), "path {:?} is not a JSON path", err.path);
    assert!(!e.to_string().contains(": ?:"), "{e}");
}

#[test]
fn bad_language_tag() {
    for bad in ["en_GB", "e", "english please", "123", ""] {
        let e = errors(&format!(r#"{{ "title": "T", "edition": "E", "language": "{bad}", "sections": [{{ "body": ["x"] }}] }}"#));
        assert!(e.0.iter().any(|x| x.path == "language"), "{bad:?}: {e}");
    }
    for good in ["en-GB", "fr", "de-DE", "zh-Hant-TW", "en-US"] {
        parse(&format!(r#"{{ "title": "T", "edition": "E", "language": "{good}", "sections": [{{ "body": ["x"] }}] }}"#)).unwrap_or_else(|e| panic!("{good}: {e}"));
    }
}

#[test]
fn all_problems_reported_at_once() {
    let e = errors(r#"{ "title": "T", "edition": "E", "language": "en_GB", "page": { "columns": 9 }, "sections": [{ "body": [{ "image": "p.jpg" }] }] }"#);
    let paths: Vec<&str> = e.0.iter().map(|x| x.path.as_str()).collect();
    for want in ["language", "page.columns", "sections[0].body[0].alt"] {
        assert!(paths.contains(&want), "{want} missing from {paths:?}");
    }
}

// ---------------------------------------------------------------- the binary

const GOOD: &str = r#"{ "title": "Test issue", "edition": "Spring", "sections": [{ "heading": "News", "body": ["Some words in a paragraph."] }] }"#;

#[test]
fn good_issue_builds_with_exit_0() {
    let d = scratch("good");
    std::fs::write(d.join("issue.json"), GOOD).unwrap();
    let (o, _) = run(&["build", "issue.json", "-o", "out.pdf"], &d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let pdf = std::fs::read(d.join("out.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let (o, _) = run(&["check", "issue.json"], &d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn bad_input_exits_1_and_usage_error_exits_2() {
    let d = scratch("exit");
    std::fs::write(d.join("bad.json"), r#"{ "titel": "T", "edition": "E", "sections": [] }"#).unwrap();
    let (o, _) = run(&["build", "bad.json", "-o", "bad.pdf"], &d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("bad.json"), "{}", stderr(&o));
    assert!(!d.join("bad.pdf").exists());
    let (o, _) = run(&["check", "bad.json"], &d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // A missing issue file is bad input too.
    let (o, _) = run(&["check", "nowhere.json"], &d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // Usage errors.
    std::fs::write(d.join("good.json"), GOOD).unwrap();
    let (o, _) = run(&["build", "good.json", "--no-such-flag"], &d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let (o, _) = run(&["build", "good.json", "--profile", "glossy"], &d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let (o, _) = run(&["frobnicate"], &d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

fn issue_with_photo(photo: &str) -> String {
    format!(
        r#"{{ "title": "Photo test", "edition": "Spring",
  "sections": [
    {{ "heading": "First", "body": ["A paragraph before."] }},
    {{ "heading": "Second", "body": ["Words.", {{ "image": "{photo}", "alt": "A photo" }}] }}
  ] }}"#
    )
}

fn files_in(d: &Path) -> Vec<String> {
    // The prepared-image cache (.cache) is not output.
    let mut v: Vec<String> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).filter(|n| n != ".cache").collect();
    v.sort();
    v
}

#[test]
fn missing_photo_names_file_and_path_and_writes_nothing() {
    let d = scratch("missing");
    std::fs::write(d.join("issue.json"), issue_with_photo("photos/exeter.jpg")).unwrap();
    let before = files_in(&d);
    let (o, _) = run(&["build", "issue.json", "-o", "issue.pdf"], &d);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("issue.json"), "should name the issue file: {err}");
    assert!(err.contains("sections[1].body[1].image"), "should give the JSON path: {err}");
    assert!(err.contains("photos/exeter.jpg"), "should name the photo: {err}");
    assert!(err.to_lowercase().contains("not found"), "{err}");
    assert_eq!(files_in(&d), before, "a failed build must write nothing");
    // Also with the default output location.
    let (o, _) = run(&["build", "issue.json"], &d);
    assert_eq!(o.status.code(), Some(1));
    assert!(!d.join("out").join("issue.pdf").exists());
}

#[test]
fn failed_build_leaves_existing_pdf_untouched() {
    let d = scratch("keep");
    std::fs::write(d.join("issue.json"), GOOD).unwrap();
    let (o, _) = run(&["build", "issue.json", "-o", "issue.pdf"], &d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let good = std::fs::read(d.join("issue.pdf")).unwrap();
    // Break the issue: the photo is missing.
    std::fs::write(d.join("issue.json"), issue_with_photo("photos/gone.jpg")).unwrap();
    let (o, _) = run(&["build", "issue.json", "-o", "issue.pdf"], &d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(std::fs::read(d.join("issue.pdf")).unwrap(), good, "the existing PDF must be left byte-identical");
    // Invalid JSON: same.
    std::fs::write(d.join("issue.json"), "{ \"title\": ").unwrap();
    let (o, _) = run(&["build", "issue.json", "-o", "issue.pdf"], &d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(std::fs::read(d.join("issue.pdf")).unwrap(), good);
    assert_eq!(files_in(&d), vec!["issue.json".to_string(), "issue.pdf".to_string()], "no temporary files left behind");
}

/// CRC-32 (IEEE), for writing PNG chunks.
fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

/// A PNG signature and an IHDR claiming `w`×`h` RGB pixels, and nothing else.
fn png_header_only(w: u32, h: u32) -> Vec<u8> {
    let mut v = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let mut chunk = b"IHDR".to_vec();
    chunk.extend_from_slice(&w.to_be_bytes());
    chunk.extend_from_slice(&h.to_be_bytes());
    chunk.extend_from_slice(&[8, 2, 0, 0, 0]);
    v.extend_from_slice(&13u32.to_be_bytes());
    v.extend_from_slice(&chunk);
    v.extend_from_slice(&crc32(&chunk).to_be_bytes());
    v
}

#[test]
fn crc32_is_right() {
    assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
}

/// Build an issue whose photo is `name` holding `bytes`: exit 1, one line naming the file, fast.
fn refused_quickly(tag: &str, name: &str, bytes: &[u8]) {
    let d = scratch(tag);
    std::fs::write(d.join(name), bytes).unwrap();
    std::fs::write(d.join("issue.json"), issue_with_photo(name)).unwrap();
    let (o, took) = run(&["build", "issue.json", "-o", "issue.pdf"], &d);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{tag}: {err}");
    assert!(took < Duration::from_secs(2), "{tag}: took {took:?}");
    // One message (its source line, underlined, may follow).
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error:") || l.starts_with("warning:")).collect();
    assert_eq!(lines.len(), 1, "{tag}: expected one error, got:\n{err}");
    assert!(err.contains("^^^"), "{tag}: the photo's place in the issue is underlined: {err}");
    assert!(lines[0].starts_with("error:"), "{tag}: {err}");
    assert!(lines[0].contains(name), "{tag}: the error should name the image file {name}: {err}");
    assert!(lines[0].contains("sections[1].body[1].image"), "{tag}: the error should give the JSON path: {err}");
    assert!(!lines[0].contains("internal error") && !lines[0].contains("panicked"), "{tag}: {err}");
    assert!(!d.join("issue.pdf").exists(), "{tag}: nothing may be written");
}

#[test]
fn text_file_named_jpg_is_refused() {
    refused_quickly("textjpg", "notes.jpg", b"These are my notes, not a photo.\nSecond line.\n");
}

#[test]
fn truncated_jpeg_is_refused() {
    let full = std::fs::read(root("tests/fixtures/rotated.jpg")).unwrap();
    refused_quickly("truncated", "cut.jpg", &full[..full.len() / 2]);
}

#[test]
fn png_bomb_header_is_refused_without_decoding() {
    let png = png_header_only(100_000, 100_000);
    assert_eq!(png.len(), 8 + 4 + 4 + 13 + 4);
    refused_quickly("bomb", "huge.png", &png);
}

#[test]
fn png_bomb_is_refused_by_check_too() {
    let d = scratch("bombcheck");
    std::fs::write(d.join("huge.png"), png_header_only(100_000, 100_000)).unwrap();
    std::fs::write(d.join("issue.json"), issue_with_photo("huge.png")).unwrap();
    let (o, took) = run(&["check", "issue.json"], &d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn real_fixtures_are_accepted() {
    // The fixtures themselves are fine: the refusals above are about the damage.
    let d = scratch("fixtures");
    for f in ["rotated.jpg", "grey.jpg", "logo-alpha.png"] {
        std::fs::copy(root("tests/fixtures").join(f), d.join(f)).unwrap();
    }
    let issue = r#"{ "title": "Fixtures", "edition": "Spring", "sections": [
        { "heading": "One", "body": ["Text.", { "image": "rotated.jpg", "alt": "Rotated" }, { "image": "grey.jpg", "alt": "Grey" }, { "image": "logo-alpha.png", "alt": "Logo" }] }
    ] }"#;
    std::fs::write(d.join("issue.json"), issue).unwrap();
    let (o, _) = run(&["build", "issue.json", "-o", "issue.pdf"], &d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(d.join("issue.pdf").exists());
}

#[test]
fn profile_photo_without_alt_is_an_error() {
    let text = r#"{"title":"T","edition":"E","sections":[{"type":"profile","name":"A Person","photo":"p.jpg","body":["Bio."]}]}"#;
    let e = folio::model::parse(std::path::Path::new("issue.json"), text).err().expect("accepted a photo without alt");
    let msg = e.to_string();
    assert!(msg.contains("sections[0].alt") && msg.contains("alt text"), "{msg}");
}

#[test]
fn accessibility_warnings_for_links() {
    let d = std::env::temp_dir().join(format!("folio-model-{}-linkwarn", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let issue = d.join("issue.json");
    std::fs::write(&issue, r#"{"title":"T","edition":"E","sections":[{"heading":"H","body":["See https://example.org/report for details, or [click here](https://example.org), or [nothing](#)."]}]}"#).unwrap();
    let b = folio::build::build(&issue, &folio::build::Options::default()).unwrap();
    let all: Vec<String> = b.warnings.0.iter().map(|w| w.to_string()).collect();
    let text = all.join("\n");
    assert!(text.contains("bare address"), "{text}");
    assert!(text.contains("click here"), "{text}");
    assert!(text.contains("goes nowhere"), "{text}");
    assert!(all.iter().all(|w| w.contains("sections[0].body[0]")), "{text}");
}

#[test]
fn new_from_an_old_issue_keeps_its_photos_reachable() {
    let d = std::env::temp_dir().join(format!("folio-model-{}-newfrom", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let bin = env!("CARGO_BIN_EXE_folio");
    let old = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("issues/2023-12.json");
    let out = std::process::Command::new(bin).args(["new", "next/2024-06.json", "--from", old.to_str().unwrap()]).current_dir(&d).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(d.join("next/2024-06.json")).unwrap();
    // The fields keep their order, after the "$schema" line `folio new` adds.
    assert!(text.trim_start().starts_with("{\n  \"$schema\": \"./issue.schema.json\",\n  \"title\""), "field order changed:\n{}", &text[..80.min(text.len())]);
    let out = std::process::Command::new(bin).args(["build", "next/2024-06.json", "-o", "x.pdf", "--root", "/"]).current_dir(&d).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // It refuses to overwrite.
    let out = std::process::Command::new(bin).args(["new", "next/2024-06.json"]).current_dir(&d).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

// ---------------------------------------------------------------- authoring details

#[test]
fn a_schema_line_is_accepted() {
    let d = parse(r#"{ "$schema": "./issue.schema.json", "title": "T", "edition": "E", "sections": [ { "heading": "H", "body": ["x"] } ] }"#);
    assert!(d.is_ok(), "{:?}", d.err().map(|e| e.to_string()));
    let schema = folio::schema::issue().to_string();
    assert!(schema.contains("$schema"), "the schema does not allow its own $schema line");
}

#[test]
fn a_body_may_be_one_string() {
    let d = parse(&issue_with_sections(r#"[ { "heading": "H", "body": "One paragraph." } ]"#)).unwrap();
    assert_eq!(d.sections[0].items.len(), 1);
}

#[test]
fn a_language_name_is_not_a_tag() {
    let e = errors(r#"{ "title": "T", "edition": "E", "language": "English", "sections": [ { "heading": "H", "body": ["x"] } ] }"#).to_string();
    assert!(e.contains("language") && e.contains("BCP 47"), "{e}");
    for ok in ["en", "en-GB", "cy", "haw", "zh-Hant-TW", "es-419"] {
        assert!(model::valid_language_tag(ok), "{ok}");
    }
}

#[test]
fn new_adds_json_and_check_says_why_it_fails() {
    let d = scratch("new-json");
    let (o, _) = run(&["new", "june"], &d);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(d.join("june.json").exists(), "folio new june did not write june.json");
    // A warning under --deny-warnings: an error line, no "ok".
    let issue = r#"{ "title": "T", "edition": "E", "language": "xx", "sections": [ { "heading": "H", "body": ["See [x](#)."] } ] }"#;
    std::fs::write(d.join("w.json"), issue).unwrap();
    let (o, _) = run(&["check", "w.json", "--deny-warnings"], &d);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--deny-warnings"), "{}", stderr(&o));
    assert!(!String::from_utf8_lossy(&o.stdout).contains(": ok"), "it says ok and fails");
}

#[test]
fn watch_sees_a_photo_in_a_sibling_folder_given_a_bare_file_name() {
    // issues/ beside photos/, and `folio watch news.json` run inside issues/.
    let d = scratch("watch");
    std::fs::create_dir_all(d.join("issues")).unwrap();
    std::fs::create_dir_all(d.join("photos")).unwrap();
    std::fs::write(d.join("folio.toml"), "").unwrap();
    let photo = d.join("photos/p.jpg");
    std::fs::copy(root("tests/fixtures/grey.jpg"), &photo).unwrap();
    let issue = r#"{ "title": "T", "edition": "E", "sections": [ { "heading": "H", "body": ["Text.", { "image": "../photos/p.jpg", "alt": "Grey" }] } ] }"#;
    std::fs::write(d.join("issues/news.json"), issue).unwrap();
    let mut child = Command::new(BIN).args(["watch", "news.json", "-o", "../out/news.pdf"]).current_dir(d.join("issues")).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let pdf = d.join("out/news.pdf");
    let wait_for = |cond: &dyn Fn() -> bool| {
        let t = Instant::now();
        while !cond() && t.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(100));
        }
        cond()
    };
    let first = wait_for(&|| pdf.exists());
    let before = std::fs::metadata(&pdf).and_then(|m| m.modified()).ok();
    std::thread::sleep(Duration::from_millis(1100));
    // Change the photo only: the PDF is written again.
    std::fs::copy(root("tests/fixtures/rotated.jpg"), &photo).unwrap();
    let again = wait_for(&|| std::fs::metadata(&pdf).and_then(|m| m.modified()).ok() != before);
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(first, "no first build: {err}");
    assert!(again, "a changed photo in ../photos was not seen: {err}");
    assert!(err.contains("UTC] first build: wrote"), "watch lines carry no time: {err}");
    // The rebuild says what changed and how long it took.
    let line = err.lines().find(|l| l.contains("p.jpg changed")).unwrap_or_else(|| panic!("no line names the changed photo: {err}"));
    assert!(line.contains("wrote") && line.contains(" ms)"), "{line}");
}

#[test]
fn a_pdf_written_elsewhere_leaves_no_cache_folder_beside_it() {
    // `-o ~/Desktop/news.pdf` must not leave a hidden .cache/ on the desktop: with -o the
    // prepared photos go to the user's cache folder.
    let d = scratch("cache-home");
    let desk = d.join("Desktop");
    let xdg = d.join("xdg");
    std::fs::create_dir_all(&desk).unwrap();
    std::fs::copy(Path::new(ROOT).join("tests/fixtures/grey.jpg"), d.join("photo.jpg")).unwrap();
    std::fs::write(d.join("issue.json"), issue_with_photo("photo.jpg")).unwrap();
    let out = desk.join("news.pdf");
    let o = Command::new(BIN).args(["build", "issue.json", "-o", out.to_str().unwrap()]).current_dir(&d).env("XDG_CACHE_HOME", &xdg).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let beside: Vec<String> = std::fs::read_dir(&desk).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
    assert_eq!(beside, vec!["news.pdf".to_string()], "only the PDF beside it");
    assert!(std::fs::read_dir(xdg.join("folio")).map(|r| r.count()).unwrap_or(0) > 0, "the photo is cached in the user's cache folder");
}

#[test]
fn format_json_gives_one_record_a_line_with_place_and_path() {
    let d = scratch("format-json");
    // Two mistakes (a misspelt field, a bad language tag): two error records with lines.
    std::fs::write(d.join("bad.json"), "{\n  \"titel\": \"T\",\n  \"title\": \"T\", \"edition\": \"E\", \"language\": \"English\",\n  \"sections\": [ { \"heading\": \"H\", \"body\": [\"Text.\"] } ]\n}\n").unwrap();
    let (o, _) = run(&["check", "bad.json", "--format", "json"], &d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let recs: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}"))).collect();
    assert_eq!(recs.len(), 2, "{out}");
    for r in &recs {
        assert_eq!(r["type"], "diagnostic");
        assert_eq!(r["severity"], "error");
        assert_eq!(r["file"], "bad.json");
    }
    assert_eq!((recs[0]["path"].as_str(), recs[0]["line"].as_u64()), (Some("titel"), Some(2)), "{out}");
    assert_eq!((recs[1]["path"].as_str(), recs[1]["line"].as_u64()), (Some("language"), Some(3)), "{out}");
    assert!(stderr(&o).is_empty(), "text on stderr in JSON mode: {}", stderr(&o));
    // A good build: the PDF written is a record too.
    std::fs::write(d.join("good.json"), GOOD).unwrap();
    let (o, _) = run(&["build", "good.json", "-o", "good.pdf", "--format", "json"], &d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let last: serde_json::Value = serde_json::from_str(String::from_utf8_lossy(&o.stdout).lines().last().unwrap_or("")).unwrap();
    assert_eq!((last["type"].as_str(), last["file"].as_str(), last["pages"].as_u64()), (Some("wrote"), Some("good.pdf"), Some(1)));
    assert!(last["bytes"].as_u64().unwrap_or(0) as usize == std::fs::metadata(d.join("good.pdf")).unwrap().len() as usize);
    // `folio new` too: a record, nothing on stderr.
    let (o, _) = run(&["new", "june", "--format", "json"], &d);
    assert!(o.status.success() && stderr(&o).is_empty(), "{}", stderr(&o));
    let rec: serde_json::Value = serde_json::from_str(String::from_utf8_lossy(&o.stdout).trim()).unwrap();
    assert_eq!(rec["type"], "created");
    assert_eq!(rec["files"][0], "june.json");
}

#[test]
fn quiet_prints_errors_only() {
    let d = scratch("quiet");
    // A warning (an unknown language subtag is fine; a link to "#" warns) and a good build.
    std::fs::write(d.join("w.json"), r#"{ "title": "T", "edition": "E", "sections": [ { "heading": "H", "body": ["See [x](#)."] } ] }"#).unwrap();
    let (loud, _) = run(&["build", "w.json", "-o", "w.pdf"], &d);
    assert!(stderr(&loud).contains("warning") && stderr(&loud).contains("wrote"), "{}", stderr(&loud));
    let (o, _) = run(&["build", "w.json", "-o", "w2.pdf", "--quiet"], &d);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).is_empty() && o.stdout.is_empty(), "--quiet printed: {}", stderr(&o));
    assert!(d.join("w2.pdf").exists());
    let (o, _) = run(&["check", "-q", "w.json"], &d);
    assert!(o.stdout.is_empty() && stderr(&o).is_empty(), "check -q printed: {}", String::from_utf8_lossy(&o.stdout));
    // Errors still show.
    std::fs::write(d.join("e.json"), r#"{ "title": "", "edition": "E", "sections": [ { "heading": "H", "body": ["x"] } ] }"#).unwrap();
    let (o, _) = run(&["build", "e.json", "-q"], &d);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error: e.json") && stderr(&o).contains("title"), "{}", stderr(&o));
}
