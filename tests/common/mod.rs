//! Shared by the integration tests: the issues every test runs over.
#![allow(dead_code)]

pub mod words;

/// The two seeds and every example issue.
pub const ALL_ISSUES: &[&str] = &[
    "issues/2022-06.json",
    "issues/2023-12.json",
    "examples/three-column.json",
    "examples/a5-handout.json",
    "examples/two-profiles.json",
    "examples/full-width.json",
    "examples/letter-4col.json",
];

/// Every JSON file in issues/ and examples/ must be in ALL_ISSUES (so a new example is tested).
pub fn check_list_is_complete() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["issues", "examples"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") {
                let rel = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
                assert!(ALL_ISSUES.contains(&rel.as_str()), "{rel} is not in tests/common ALL_ISSUES");
            }
        }
    }
}

/// A fresh, empty scratch folder for one test (unique per test binary and process).
pub fn scratch(prefix: &str, name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("folio-{prefix}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
