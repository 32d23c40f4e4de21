//! Careless and hostile input: unsafe links, outputs over inputs, temporary files, devices and
//! paths outside the project, blank text, damaged fonts and messages that speak Rust.
//! Each test reproduces a failure found by trying Folio the way a hostile user would.

use folio::build::{build, BuildError, Options};
use lopdf::{Document, Object};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_folio");

/// A fresh project folder (with a `folio.toml`, so it is its own root).
fn project(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("folio-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("folio.toml"), "").unwrap();
    d
}

/// Write an issue with these sections (and footer) into `dir`.
fn issue(dir: &Path, sections: serde_json::Value, footer: Option<serde_json::Value>) -> PathBuf {
    let mut v = serde_json::json!({ "title": "Hostile test", "edition": "Test", "sections": sections });
    if let Some(f) = footer {
        v["footer"] = f;
    }
    let p = dir.join("issue.json");
    std::fs::write(&p, v.to_string()).unwrap();
    p
}

/// A photo inside the project.
fn photo(dir: &Path) -> String {
    std::fs::copy(Path::new(ROOT).join("tests/fixtures/grey.jpg"), dir.join("photo.jpg")).unwrap();
    "photo.jpg".into()
}

fn error_text(r: Result<folio::build::Built, BuildError>) -> String {
    match r {
        Err(BuildError::Input(e)) => e.to_string(),
        Err(e) => panic!("not an input error: {e}"),
        Ok(_) => panic!("built, but it should have been refused"),
    }
}

/// Every URI of every link annotation in a PDF, and whether any JavaScript or launch action appears.
fn uris(pdf: &[u8]) -> (Vec<String>, bool) {
    let doc = Document::load_mem(pdf).unwrap();
    let mut out = Vec::new();
    let mut script = false;
    for obj in doc.objects.values() {
        if let Object::Dictionary(d) = obj {
            if let Ok(Object::Dictionary(a)) = d.get(b"A") {
                if let Ok(Object::String(u, _)) = a.get(b"URI") {
                    out.push(String::from_utf8_lossy(u).to_string());
                }
            }
            if let Ok(Object::Name(s)) = d.get(b"S") {
                script |= [&b"JavaScript"[..], b"Launch", b"SubmitForm", b"ImportData"].contains(&s.as_slice());
            }
            script |= d.has(b"JS");
        }
    }
    (out, script)
}

#[test]
fn unsafe_links_are_plain_text_with_a_warning_and_never_clickable() {
    let d = project("links");
    let text = "See [the form](javascript:alert(1)), file:///etc/passwd, smb://host/share, ms-msdt://x, \
                javascript://example.com/%0aalert(1), [data](data:text/html,x) and [our site](https://example.org), \
                [mail](team@example.org), [www](www.example.org).";
    let footer = serde_json::json!({ "links": [ { "label": "Old FTP", "url": "ftp://files.example.org" }, { "label": "Site", "url": "https://example.org/news" } ] });
    let p = issue(&d, serde_json::json!([{ "heading": "Links", "body": [text] }]), Some(footer));
    let b = build(&p, &Options::default()).unwrap();
    let (uris, script) = uris(&b.pdf);
    assert!(!script, "a JavaScript or launch action in the PDF");
    for u in &uris {
        assert!(["https://", "http://", "mailto:", "tel:"].iter().any(|s| u.starts_with(s)), "disallowed URI {u}");
        assert!(!u.to_lowercase().contains("javascript") && !u.contains("://javascript"), "a scheme put in front of another: {u}");
    }
    for want in ["https://example.org", "mailto:team@example.org", "https://www.example.org", "https://example.org/news"] {
        assert!(uris.iter().any(|u| u == want), "no link to {want}: {uris:?}");
    }
    let warnings: Vec<String> = b.warnings.0.iter().map(|w| w.to_string()).collect();
    for scheme in ["javascript:", "file:", "smb:", "ms-msdt:", "data:"] {
        assert!(warnings.iter().any(|w| w.contains("sections[0].body[0]") && w.contains(&format!("\"{scheme}\""))), "no warning naming {scheme}: {warnings:#?}");
    }
    assert!(warnings.iter().any(|w| w.contains("footer.links[0].url") && w.contains("\"ftp:\"")), "no warning for the footer link: {warnings:#?}");
}

#[test]
fn identical_links_each_carry_their_own_text() {
    // 400 footer links to one address once made each link's /Contents hold every label
    // (a PDF quadratic in the input).
    let size = |n: usize| {
        let d = project(&format!("same-links-{n}"));
        let links: Vec<serde_json::Value> = (0..n).map(|i| serde_json::json!({ "label": format!("Link {i}"), "url": "https://example.org/same" })).collect();
        let p = issue(&d, serde_json::json!([{ "heading": "H", "body": ["Text."] }]), Some(serde_json::json!({ "links": links })));
        let b = build(&p, &Options::default()).unwrap();
        let doc = Document::load_mem(&b.pdf).unwrap();
        for obj in doc.objects.values() {
            if let Object::Dictionary(dict) = obj {
                if dict.get(b"Subtype").is_ok_and(|s| matches!(s, Object::Name(n) if n == b"Link")) {
                    let c = dict.get(b"Contents").ok().and_then(|c| c.as_str().ok()).map(|s| s.len()).unwrap_or(0);
                    assert!(c < 40, "a link's /Contents of {c} bytes: it holds more than its own label");
                }
            }
        }
        b.pdf.len()
    };
    let (small, large) = (size(200), size(400));
    assert!((large as f64) < small as f64 * 2.5, "twice the links, {small} -> {large} bytes");
}

#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_kept() {
    let d = project("clobber");
    let ph = photo(&d);
    let p = issue(&d, serde_json::json!([{ "heading": "H", "body": ["Text.", { "image": ph, "alt": "A grey square" }] }]), None);
    let before = std::fs::read(&p).unwrap();
    let photo_before = std::fs::read(d.join("photo.jpg")).unwrap();
    for out in [p.clone(), d.join("photo.jpg"), d.join("./issue.json")] {
        let r = Command::new(BIN).args(["build", p.to_str().unwrap(), "-o", out.to_str().unwrap()]).output().unwrap();
        assert_eq!(r.status.code(), Some(1), "-o {} accepted", out.display());
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains("one of the build's inputs") && err.contains("-o"), "{err}");
    }
    assert_eq!(std::fs::read(&p).unwrap(), before, "the issue was changed");
    assert_eq!(std::fs::read(d.join("photo.jpg")).unwrap(), photo_before, "the photo was changed");
}

#[test]
fn temporary_files_are_never_left_behind() {
    let d = project("tmp");
    let p = issue(&d, serde_json::json!([{ "heading": "H", "body": ["Text."] }]), None);
    let ok = Command::new(BIN).args(["build", p.to_str().unwrap(), "-o", d.join("out/a.pdf").to_str().unwrap()]).output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    // Writing over a folder fails after the temporary file is written: it is removed.
    std::fs::create_dir_all(d.join("out/dir.pdf/x")).unwrap();
    assert!(folio::build::write_atomic(&d.join("out/dir.pdf"), b"%PDF-").is_err());
    let left: Vec<String> = std::fs::read_dir(d.join("out")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).filter(|n| n.ends_with(".tmp") || n.starts_with(".folio-")).collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
    // A link planted where the old predictable name was is not followed.
    #[cfg(unix)]
    {
        let victim = d.join("victim.txt");
        std::fs::write(&victim, "keep me").unwrap();
        for pid in 0..5u32 {
            let _ = std::os::unix::fs::symlink(&victim, d.join(format!("out/.a.pdf.{pid}.tmp")));
        }
        let again = Command::new(BIN).args(["build", p.to_str().unwrap(), "-o", d.join("out/a.pdf").to_str().unwrap()]).output().unwrap();
        assert!(again.status.success());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    }
}

#[test]
fn devices_pipes_folders_and_huge_files_are_refused_before_reading() {
    let d = project("devices");
    let root_all = Options { root: Some("/".into()), ..Options::default() };
    for (path, want) in [("/dev/zero", "not a regular file"), ("/dev/urandom", "not a regular file"), ("/tmp", "folder")] {
        let p = issue(&d, serde_json::json!([{ "heading": "H", "body": ["Text.", { "image": path, "alt": "x" }] }]), None);
        let e = error_text(build(&p, &root_all));
        assert!(e.contains(want) && e.contains("sections[0].body[1].image"), "{path}: {e}");
    }
    #[cfg(unix)]
    {
        let fifo = d.join("pipe.jpg");
        let made = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
        if made {
            let p = issue(&d, serde_json::json!([{ "heading": "H", "body": ["Text.", { "image": "pipe.jpg", "alt": "x" }] }]), None);
            let t = std::time::Instant::now();
            let e = error_text(build(&p, &Options::default()));
            assert!(e.contains("not a regular file") && t.elapsed().as_secs() < 5, "{e}");
        }
    }
    // Bigger than the limit: refused by its size, without reading it.
    let big = d.join("big.jpg");
    std::fs::File::create(&big).unwrap().set_len(folio::files::MAX_IMAGE + 1).unwrap();
    let p = issue(&d, serde_json::json!([{ "heading": "H", "body": ["Text.", { "image": "big.jpg", "alt": "x" }] }]), None);
    let e = error_text(build(&p, &Options::default()));
    assert!(e.contains("200 MB"), "{e}");
}

#[test]
fn paths_outside_the_project_are_refused_alike_whether_they_exist_or_not() {
    let d = project("root");
    let inner = d.join("issues");
    std::fs::create_dir_all(&inner).unwrap();
    std::fs::write(inner.join("folio.toml"), "").unwrap();
    let p = issue(&inner, serde_json::json!([{ "heading": "H", "body": ["Text.", { "image": "../../../../../../etc/passwd", "alt": "x" }] }]), None);
    let exists = error_text(build(&p, &Options::default()));
    let q = issue(&inner, serde_json::json!([{ "heading": "H", "body": ["Text.", { "image": "../../../../../../etc/no-such-file", "alt": "x" }] }]), None);
    let missing = error_text(build(&q, &Options::default()));
    assert!(exists.contains("outside the project") && exists.contains("--root"), "{exists}");
    assert_eq!(exists.replace("passwd", "X"), missing.replace("no-such-file", "X"), "the messages tell which file exists");
    // A link inside the project that points out of it is outside too.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/hostname", inner.join("link.jpg")).unwrap();
        let r = issue(&inner, serde_json::json!([{ "heading": "H", "body": ["Text.", { "image": "link.jpg", "alt": "x" }] }]), None);
        assert!(error_text(build(&r, &Options::default())).contains("outside the project"));
    }
    // The seeds reach ../assets from inside issues/: the repository is their root.
    let seed = Path::new(ROOT).join("issues/2023-12.json");
    assert!(build(&seed, &Options::default()).is_ok());
    // --root widens it.
    let ph = photo(&d);
    let s = issue(&inner, serde_json::json!([{ "heading": "H", "body": ["Text.", { "image": format!("../{ph}"), "alt": "x" }] }]), None);
    assert!(error_text(build(&s, &Options::default())).contains("outside the project"));
    assert!(build(&s, &Options { root: Some(d.clone()), ..Options::default() }).is_ok());
}

#[test]
fn blank_text_counts_as_empty() {
    let d = project("blank");
    for (title, heading) in [("\u{200B}\u{200B}", "Heading"), ("Title", "\u{1}\u{2}\u{3}"), ("Title", "\u{FEFF} \u{2060}")] {
        let v = serde_json::json!({ "title": title, "edition": "E", "sections": [{ "heading": heading, "body": ["Text."] }] });
        let p = d.join("issue.json");
        std::fs::write(&p, v.to_string()).unwrap();
        let e = error_text(build(&p, &Options::default()));
        assert!(e.contains("empty"), "{title:?}/{heading:?}: {e}");
        assert!(!e.contains("\\u{"), "{e}");
    }
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let d = project("bom");
    let p = issue(&d, serde_json::json!([{ "heading": "H", "body": ["Text."] }]), None);
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("\u{FEFF}{text}")).unwrap();
    assert!(build(&p, &Options::default()).is_ok());
}

#[test]
fn messages_use_plain_words_not_rust() {
    let d = project("messages");
    let cases = [
        r#"{"title": "T", "edition": "E", "page": {"size": true}, "sections": []}"#,
        r#"{"title": "T", "edition": "E", "page": {"columns": "two"}, "sections": []}"#,
        r#"{"title": "T", "edition": "E", "page": {"columns": 99999999999}, "sections": []}"#,
        r#"{"title": "T", "edition": "E", "sections": [{"heading": "H\ud800", "body": ["x"]}]}"#,
        r#"[]"#,
        r#""#,
        r#"{"title": 5, "edition": "E", "sections": []}"#,
        r#"{"title": "T", "edition": "E", "sections": {}}"#,
        r#"{"title": "T", "edition": "E", "sections": [{"heading": "H", "body": ["x"], "bogus​": 1}]}"#,
        r#"{"title": "T", // a comment
           "edition": "E", "sections": []}"#,
        r#"{"title": "T", "edition": "E", "sections": [{"heading": "H", "body": ["x"]},,]}"#,
        r#"{"title": "T", "edition": "E", "footer": {"contacts": [{"name": 5}]}, "sections": []}"#,
    ];
    for text in cases {
        let p = d.join("issue.json");
        std::fs::write(&p, text).unwrap();
        let e = error_text(build(&p, &Options::default()));
        for rust in ["u32", "u64", "usize", "f32", "struct ", "enum ", "\\u{", "EOF", "hex escape", "Issue with", "?:", "`bogus", "`5`"] {
            assert!(!e.contains(rust), "{text}: the message says {rust:?}: {e}");
        }
        assert!(!e.chars().any(|c| c == '\u{200B}'), "{e}");
    }
}

#[test]
fn comments_and_trailing_commas_are_forgiven_and_typos_get_a_suggestion() {
    let d = project("jsonc");
    let p = d.join("issue.json");
    std::fs::write(&p, "{\n  // June\n  \"title\": \"T\", /* the edition */ \"edition\": \"E\",\n  \"sections\": [{\"heading\": \"H\", \"body\": [\"x\",],},],\n}").unwrap();
    build(&p, &Options::default()).expect("comments and trailing commas are allowed");
    // Two typos and an empty title: all three reported in one pass, each with the field meant.
    std::fs::write(&p, r#"{"title": "", "edition": "E", "langauge": "en-GB", "sections": [{"heading": "H", "bdy": ["x"]}]}"#).unwrap();
    let e = error_text(build(&p, &Options::default()));
    assert!(e.contains("did you mean \"language\"?"), "{e}");
    assert!(e.contains("did you mean \"body\"?"), "{e}");
    assert!(e.contains("title: the title is empty"), "{e}");
    assert!(e.contains("issue.json:1:31: langauge"), "the unknown field's line and column: {e}");
}

#[test]
fn damaged_fonts_and_collections_are_input_errors_naming_the_brand_font() {
    let d = project("fonts");
    let noto = std::fs::read(Path::new(ROOT).join("fonts/NotoSans-Regular.ttf")).unwrap();
    let mut damaged = noto.clone();
    for b in damaged.iter_mut().skip(2000).take(noto.len() / 2) {
        *b = 0;
    }
    std::fs::write(d.join("damaged.ttf"), &damaged).unwrap();
    std::fs::write(d.join("garbage.ttf"), b"not a font at all").unwrap();
    let mut ttc = b"ttcf".to_vec();
    ttc.extend_from_slice(&noto[4..]);
    std::fs::write(d.join("family.ttc"), &ttc).unwrap();
    for (file, want) in [("damaged.ttf", "damaged"), ("garbage.ttf", "not a TrueType"), ("family.ttc", "collection")] {
        std::fs::write(d.join("brand.json"), serde_json::json!({ "fonts": { "body": { "regular": file } } }).to_string()).unwrap();
        let v = serde_json::json!({ "title": "T", "edition": "E", "brand": "brand.json", "sections": [{ "heading": "H", "body": ["Text."] }] });
        let p = d.join("issue.json");
        std::fs::write(&p, v.to_string()).unwrap();
        let e = error_text(build(&p, &Options::default()));
        assert!(e.contains("brand.json") && e.contains("fonts.body") && e.contains(file) && e.contains(want), "{file}: {e}");
        assert!(!e.contains("internal error"), "{e}");
    }
}

#[test]
fn an_issue_s_problems_and_its_photos_problems_come_in_one_pass() {
    let d = project("one-pass");
    let p = issue(&d, serde_json::json!([{ "heading": "H", "body": ["Text.", { "image": "missing.jpg" }] }]), Some(serde_json::json!({ "contacts": [{ "name": "A", "email": "not-an-email" }] })));
    expect_all(&error_text(build(&p, &Options::default())), &["body[1].alt", "contacts[0].email", "body[1].image: missing.jpg: file not found"]);
}

/// Every one of `wants` is in the message `e`.
fn expect_all(e: &str, wants: &[&str]) {
    for want in wants {
        assert!(e.contains(want), "{want} missing from: {e}");
    }
}

#[test]
fn a_brand_s_problems_come_together() {
    let d = project("brand-all");
    std::fs::write(d.join("brand.json"), r##"{ "colours": { "primary": "red", "accent": "#12" }, "type": { "body_pt": 99 } }"##).unwrap();
    let v = serde_json::json!({ "title": "T", "edition": "E", "brand": "brand.json", "sections": [{ "heading": "H", "body": "Text." }] });
    let p = d.join("issue.json");
    std::fs::write(&p, v.to_string()).unwrap();
    expect_all(&error_text(build(&p, &Options::default())), &["colours.primary", "colours.accent", "type.body_pt"]);
}

#[test]
fn characters_the_fonts_lack_are_one_warning_per_script_with_the_path() {
    let d = project("glyphs");
    // (Hebrew and Arabic have bundled fallback fonts; Devanagari has none.)
    let p = issue(&d, serde_json::json!([{ "heading": "H", "body": ["Plain text, שלום.", "नमस्ते दुनिया, आपका स्वागत है"] }]), None);
    let b = build(&p, &Options::default()).expect("builds, with warnings");
    let missing: Vec<&folio::error::Warning> = b.warnings.0.iter().filter(|w| w.message.contains("not in the fonts")).collect();
    assert_eq!(missing.len(), 1, "one warning for the Devanagari letters: {missing:?}");
    assert_eq!(missing[0].path, "sections[0].body[1]");
    assert!(missing[0].message.contains("Devanagari") && missing[0].message.contains("more"), "{}", missing[0].message);
}
