//! `folio schema` agrees with Folio: every issue and brand in the repository validates
//! against it, and inputs Folio refuses are refused by the schema too (checked with the
//! `jsonschema` crate, as an editor would).

use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn validator(schema: serde_json::Value) -> jsonschema::Validator {
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("the schema is not valid JSON Schema: {e}"))
}

fn json_files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(Path::new(ROOT).join(dir)).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
    v.sort();
    v
}

fn problems(v: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

#[test]
fn every_issue_and_brand_in_the_repository_validates() {
    let issue = validator(folio::schema::issue());
    let brand = validator(folio::schema::brand());
    let issues: Vec<_> = json_files("issues").into_iter().chain(json_files("examples")).collect();
    assert!(issues.len() >= 7, "{issues:?}");
    for f in issues {
        let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let p = problems(&issue, &doc);
        assert!(p.is_empty(), "{}: {p:?}", f.display());
        assert!(folio::model::load(&f).is_ok(), "{} does not load", f.display());
    }
    for f in json_files("assets") {
        let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let p = problems(&brand, &doc);
        assert!(p.is_empty(), "{}: {p:?}", f.display());
    }
}

/// An issue with one section, its body `body` and its other fields `extra`.
fn issue_with(top: &str, section: &str) -> String {
    format!(r#"{{ "title": "T", "edition": "E"{top}, "sections": [ {{ "heading": "H"{section} }} ] }}"#)
}

#[test]
fn the_schema_refuses_what_folio_refuses() {
    let issue = validator(folio::schema::issue());
    let bad = [
        ("an image without alt", issue_with("", r#", "body": [ { "image": "x.jpg" } ]"#)),
        ("seven columns", issue_with(r#", "page": { "columns": 7 }"#, "")),
        ("a focus outside the photo", issue_with("", r#", "body": [ { "image": "x.jpg", "alt": "A", "focus": [2, 0.5] } ]"#)),
        ("an image and a quote in one item", issue_with("", r#", "body": [ { "image": "x.jpg", "alt": "A", "quote": "Q" } ]"#)),
        ("a quote with a caption", issue_with("", r#", "body": [ { "quote": "Q", "caption": "C" } ]"#)),
        ("a profile without a name", issue_with("", r#", "type": "profile", "body": ["x"]"#)),
        ("a name on an ordinary section", issue_with("", r#", "name": "N", "body": ["x"]"#)),
        ("a profile photo without alt", issue_with("", r#", "type": "profile", "name": "N", "photo": "p.jpg""#)),
        ("an empty title", r#"{ "title": "  ", "edition": "E", "sections": [ { "heading": "H" } ] }"#.to_string()),
        ("no sections", r#"{ "title": "T", "edition": "E", "sections": [] }"#.to_string()),
        ("an unknown field", issue_with(r#", "sectoins": []"#, "")),
        ("a footer link to javascript:", issue_with(r#", "footer": { "links": [ { "label": "L", "url": "javascript:alert(1)" } ] }"#, "")),
    ];
    let d = std::env::temp_dir().join(format!("folio-schema-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    for (what, text) in &bad {
        let doc: serde_json::Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(!problems(&issue, &doc).is_empty(), "the schema accepts {what}: {text}");
        // Folio refuses it (or, for the footer link, sets it as plain text with a warning).
        let f = d.join("bad.json");
        std::fs::write(&f, text).unwrap();
        match folio::build::build(&f, &folio::build::Options::default()) {
            Err(_) => {}
            Ok(b) => assert!(*what == "a footer link to javascript:" && !b.warnings.0.is_empty(), "Folio accepts {what} silently"),
        }
    }
    // What both accept: a "$schema" line, a one-string body, a decorative image without alt.
    let good = [
        issue_with(r#", "$schema": "./issue.schema.json""#, r#", "body": "One paragraph.""#),
        issue_with("", r#", "body": [ { "list": ["a", "b"], "numbered": true }, { "quote": "Q", "by": "B" }, { "subheading": "S" } ]"#),
        issue_with("", r#", "type": "profile", "name": "N", "role": "R", "body": ["x"]"#),
    ];
    for text in &good {
        let doc: serde_json::Value = serde_json::from_str(text).unwrap();
        let p = problems(&issue, &doc);
        assert!(p.is_empty(), "the schema refuses {text}: {p:?}");
        let f = d.join("good.json");
        std::fs::write(&f, text).unwrap();
        assert!(folio::model::load(&f).is_ok(), "Folio refuses {text}");
    }
    let decorative = issue_with("", r#", "body": [ { "image": "x.jpg", "decorative": true } ]"#);
    assert!(problems(&issue, &serde_json::from_str(&decorative).unwrap()).is_empty(), "a decorative image needs no alt");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn the_brand_schema_checks_colours_and_ranges() {
    let brand = validator(folio::schema::brand());
    for bad in [r##"{ "colours": { "primary": "blue" } }"##, r##"{ "colours": { "accent": "#12345" } }"##, r#"{ "page": { "columns": 0 } }"#, r#"{ "type": { "body_pt": 40 } }"#, r#"{ "page": { "margins_mm": { "top": 2, "right": 10, "bottom": 10, "left": 10 } } }"#] {
        let doc: serde_json::Value = serde_json::from_str(bad).unwrap();
        assert!(!problems(&brand, &doc).is_empty(), "the brand schema accepts {bad}");
    }
    let ok: serde_json::Value = serde_json::from_str(r##"{ "colours": { "primary": "#1f4e79", "accent": "#c30" }, "page": { "columns": 3 } }"##).unwrap();
    assert!(problems(&brand, &ok).is_empty());
}

#[test]
fn folio_new_names_the_schema_and_writes_it_beside_the_issue() {
    let d = std::env::temp_dir().join(format!("folio-new-schema-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_folio")).args(["new", "june"]).current_dir(&d).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let issue: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(d.join("june.json")).unwrap()).unwrap();
    assert_eq!(issue["$schema"], "./issue.schema.json");
    // The schema written is `folio schema`'s, and the new issue follows it.
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(d.join("issue.schema.json")).unwrap()).unwrap();
    assert_eq!(schema, folio::schema::issue());
    assert!(problems(&validator(schema), &issue).is_empty());
    // A second issue leaves the schema file alone.
    std::fs::write(d.join("issue.schema.json"), "{}").unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_folio")).args(["new", "july.json"]).current_dir(&d).output().unwrap();
    assert!(o.status.success());
    assert_eq!(std::fs::read_to_string(d.join("issue.schema.json")).unwrap(), "{}");
    let _ = std::fs::remove_dir_all(&d);
}
