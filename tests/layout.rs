//! Layout: every word of the issue appears once and in order; text stays in its column
//! and on the page; the typography rules (no widows, orphans, stranded headings; few
//! hyphens; balanced last columns); running footers; text set around profile photos.
//! Also inputs built to provoke each rule.

use folio::build::{build, Built, Options};
use folio::layout::display::{Item, Mark, Rect, Role};
use folio::model::SectionBody;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

mod common;
use common::words::*;
const ISSUES: &[&str] = common::ALL_ISSUES;

/// Each seed and example built once per test binary.
fn built() -> &'static Vec<(&'static str, Built)> {
    static B: OnceLock<Vec<(&'static str, Built)>> = OnceLock::new();
    B.get_or_init(|| {
        ISSUES
            .iter()
            .map(|f| (*f, build(&Path::new(ROOT).join(f), &opts()).unwrap_or_else(|e| panic!("{f}: {e}"))))
            .collect()
    })
}

fn scratch(name: &str) -> PathBuf {
    common::scratch("layout", name)
}

fn build_json(dir: &Path, name: &str, issue: &serde_json::Value) -> Built {
    let p = dir.join(format!("{name}.json"));
    std::fs::write(&p, serde_json::to_string_pretty(issue).unwrap()).unwrap();
    build(&p, &opts()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn columns(b: &Built) -> (Vec<f32>, f32) {
    let [_, mr, _, ml] = b.theme.margins;
    let pw = b.laid.document.pages[0].width;
    let n = b.theme.columns as usize;
    let w = (pw - ml - mr - (n as f32 - 1.0) * b.theme.gutter) / n as f32;
    ((0..n).map(|i| ml + i as f32 * (w + b.theme.gutter)).collect(), w)
}

fn column_of(b: &Built, x0: f32) -> usize {
    let (xs, _) = columns(b);
    xs.iter().rposition(|cx| x0 >= cx - 1.0).unwrap_or(0)
}

/// The top-level section (index into doc.sections) a node belongs to, if any.
fn section_of(b: &Built, node: usize) -> Option<usize> {
    let tree = &b.laid.document.tree;
    let sects: Vec<usize> = tree.nodes[0].children.iter().copied().filter(|&c| tree.nodes[c].role == Role::Sect).collect();
    let mut n = node;
    while let Some(p) = tree.nodes[n].parent {
        if p == 0 {
            return sects.iter().position(|&s| s == n).filter(|&i| i < b.doc.sections.len());
        }
        n = p;
    }
    None
}

fn check_all<F: Fn(&str, &Built) -> Result<(), String>>(f: F) {
    let fails: Vec<String> = built().iter().filter_map(|(name, b)| f(name, b).err()).collect();
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

#[test]
fn every_word_once_and_in_order() {
    check_all(|name, b| words_in_order(name, &Path::new(ROOT).join(name), b));
}

#[test]
fn word_check_can_fail() {
    // The comparison notices a lost word, a doubled word and swapped words.
    let w = words("one two three four");
    assert!(same_words("t", &w, &words("one two four")).is_err());
    assert!(same_words("t", &w, &words("one two two three four")).is_err());
    assert!(same_words("t", &w, &words("one three two four")).is_err());
    assert!(same_words("t", &w, &words("one two three four")).is_ok());
    // And the Rust fallback agrees with the tool on a seed.
    let p = Path::new(ROOT).join("issues/2023-12.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    assert_eq!(words(&issue_text(&v)), expected_words(&p, true));
}

// ---------------------------------------------------------------- geometry

fn text_inside(name: &str, b: &Built) -> Result<(), String> {
    let [mt, mr, mb, ml] = b.theme.margins;
    let (xs, cw) = columns(b);
    let mut errs = Vec::new();
    for t in texts(b) {
        let p = &b.laid.document.pages[t.page];
        let (pw, ph) = (p.width, p.height);
        if t.x0 < ml - 0.5 || t.x1 > pw - mr + 0.5 {
            errs.push(format!("{name} p{}: \"{}\" spans x {:.1}–{:.1}, outside the text width {ml:.1}–{:.1}", t.page + 1, t.text, t.x0, t.x1, pw - mr));
        }
        if t.y < 0.0 || t.y > ph || (t.node.is_some() && (t.y < mt * 0.5 || t.y > ph - mb + 0.5)) {
            errs.push(format!("{name} p{}: \"{}\" baseline at {:.1} is outside the page body", t.page + 1, t.text, t.y));
        }
        // Text of column sections (and profiles, callouts) stays in one column.
        let Some(n) = t.node else { continue };
        let Some(si) = section_of(b, n) else { continue };
        if matches!(b.doc.sections[si].kind, SectionBody::Section { full: true }) || role(b, n) == Role::Caption {
            continue;
        }
        let inside = xs.iter().any(|cx| t.x0 >= cx - 0.5 && t.x1 <= cx + cw + 0.5);
        if !inside {
            errs.push(format!("{name} p{}: \"{}\" spans x {:.1}–{:.1}, not inside one column ({cw:.1} wide at {xs:?})", t.page + 1, t.text, t.x0, t.x1));
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(errs.join("\n")) }
}

#[test]
fn text_stays_on_the_page_and_in_its_column() {
    check_all(text_inside);
}

/// The paragraph a text item belongs to (links and spans belong to their paragraph).
/// Paragraph → its pieces: ((page, column), baselines in 1/100 pt).
type Pieces = BTreeMap<usize, Vec<((usize, usize), BTreeSet<i64>)>>;

/// Lines of each paragraph, grouped by (page, column): baselines (in 1/100 pt).
/// A line's column is where the line starts.
fn pieces(b: &Built) -> Pieces {
    // Lines: paragraph -> (page, baseline) -> leftmost x, in display order.
    let mut lines: BTreeMap<usize, Vec<(usize, i64, f32)>> = BTreeMap::new();
    for t in texts(b) {
        let Some(n) = t.node else { continue };
        let n = para_of(b, n);
        if !matches!(role(b, n), Role::P | Role::LBody) {
            continue;
        }
        let y = (t.y * 100.0).round() as i64;
        let v = lines.entry(n).or_default();
        match v.iter_mut().find(|l| l.0 == t.page && l.1 == y) {
            Some(l) => l.2 = l.2.min(t.x0),
            None => v.push((t.page, y, t.x0)),
        }
    }
    let mut m: Pieces = BTreeMap::new();
    for (n, ls) in lines {
        let v = m.entry(n).or_default();
        for (page, y, x0) in ls {
            let key = (page, column_of(b, x0));
            if v.last().map(|(k, _)| *k) != Some(key) {
                v.push((key, BTreeSet::new()));
            }
            v.last_mut().unwrap().1.insert(y);
        }
    }
    m
}

/// Widows and orphans measured on the display list (not from the layout's own bookkeeping).
fn widows_orphans(b: &Built) -> Vec<String> {
    let mut bad = Vec::new();
    for (n, parts) in pieces(b) {
        if parts.len() < 2 {
            continue;
        }
        let first = parts.first().unwrap().1.len();
        let last = parts.last().unwrap().1.len();
        if first < 2 {
            bad.push(format!("orphan: node {n} leaves {first} line at page {} column {}", parts[0].0 .0 + 1, parts[0].0 .1 + 1));
        }
        if last < 2 {
            let k = parts.last().unwrap().0;
            bad.push(format!("widow: node {n} carries {last} line to page {} column {}", k.0 + 1, k.1 + 1));
        }
    }
    bad
}

/// Headings whose next content is not below them on the same page (in the next column or page).
fn stranded_headings(b: &Built) -> Vec<String> {
    let ts = texts(b);
    let mut bad = Vec::new();
    for (i, t) in ts.iter().enumerate() {
        let Some(n) = t.node else { continue };
        if !matches!(role(b, n), Role::H2 | Role::H3) {
            continue;
        }
        // The heading's last line.
        if ts.get(i + 1).is_some_and(|u| u.node == Some(n)) {
            continue;
        }
        let next = ts[i + 1..].iter().find(|u| u.node.is_some_and(|m| !matches!(role(b, m), Role::H2 | Role::H3)));
        // A heading may be followed directly by an image (profile photo, figure).
        let image_next = b.laid.document.pages[t.page].items.iter().any(|it| match it {
            Item::Image { rect, .. } => rect.y >= t.y - 1.0 && rect.y < t.y + 4.0 * t.size && rect.x < t.x1 && rect.right() > t.x0,
            _ => false,
        });
        match next {
            Some(u) if u.page == t.page && u.y > t.y && column_of(b, u.x0) == column_of(b, t.x0) => {}
            Some(_) if image_next => {}
            Some(u) => bad.push(format!("heading \"{}\" (page {}, y {:.0}) is followed by \"{}\" on page {} at y {:.0}", t.text.trim(), t.page + 1, t.y, u.text.trim(), u.page + 1, u.y)),
            None => bad.push(format!("heading \"{}\" ends the document", t.text.trim())),
        }
    }
    bad
}

#[test]
fn no_widows_orphans_or_stranded_headings() {
    check_all(|name, b| {
        let r = folio::report::measure(&b.laid, b.theme.max_stretch);
        let mut errs = Vec::new();
        if r.widows != 0 || r.orphans != 0 || r.headings_at_foot != 0 {
            errs.push(format!("{name}: report says {} widows, {} orphans, {} headings at a foot", r.widows, r.orphans, r.headings_at_foot));
        }
        errs.extend(widows_orphans(b).into_iter().map(|e| format!("{name}: {e}")));
        errs.extend(stranded_headings(b).into_iter().map(|e| format!("{name}: {e}")));
        if errs.is_empty() { Ok(()) } else { Err(errs.join("\n")) }
    });
}

#[test]
fn hyphenation_is_moderate() {
    check_all(|name, b| {
        let r = folio::report::measure(&b.laid, b.theme.max_stretch);
        if r.lines < 10 {
            return Err(format!("{name}: only {} lines reported", r.lines));
        }
        if r.longest_hyphen_run > 2 {
            return Err(format!("{name}: {} hyphenated lines in a row", r.longest_hyphen_run));
        }
        if r.hyphenated as f32 > 0.10 * r.lines as f32 {
            return Err(format!("{name}: {} of {} lines hyphenated", r.hyphenated, r.lines));
        }
        // Measured on the display list too (all tagged text, not only what the report
        // covers): lines ending in a hyphen glyph, against all lines.
        let ts = texts(b);
        let mut lines = BTreeSet::new();
        for t in ts.iter().filter(|t| t.node.is_some()) {
            lines.insert((t.page, column_of(b, t.x0), (t.y * 100.0).round() as i64));
        }
        let hyphens = ts.iter().filter(|t| t.hyphen).count();
        if hyphens as f32 > 0.10 * lines.len() as f32 {
            return Err(format!("{name}: {hyphens} of {} lines end in a hyphen", lines.len()));
        }
        Ok(())
    });
}

#[test]
fn last_page_columns_balanced() {
    check_all(|name, b| {
        if name.contains("letter-4col") {
            return Ok(()); // see last_page_columns_balanced_four_narrow_columns
        }
        let r = folio::report::measure(&b.laid, b.theme.max_stretch);
        if r.bottom_spread > r.line_height + 0.5 {
            return Err(format!("{name}: last-page column bottoms {:?} differ by {:.1} pt, more than a line ({:.1} pt)", b.laid.last_bottoms, r.bottom_spread, r.line_height));
        }
        Ok(())
    });
}

#[test]
fn last_page_columns_balanced_four_narrow_columns() {
    check_all(|name, b| {
        if !name.contains("letter-4col") {
            return Ok(());
        }
        let r = folio::report::measure(&b.laid, b.theme.max_stretch);
        if r.bottom_spread > r.line_height + 0.5 {
            return Err(format!("{name}: last-page column bottoms {:?} differ by {:.1} pt", b.laid.last_bottoms, r.bottom_spread));
        }
        Ok(())
    });
}

#[test]
fn running_footer_on_every_page() {
    check_all(|name, b| {
        let n = b.laid.document.pages.len();
        let ts = texts(b);
        for i in 0..n {
            let ph = b.laid.document.pages[i].height;
            let mut foot: Vec<&T> = ts.iter().filter(|t| t.page == i && t.node.is_none() && t.y > ph - b.theme.margins[2]).collect();
            foot.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            let line = foot.iter().map(|t| t.text.trim()).collect::<Vec<_>>().join(" ");
            let want = format!("{} of {}", i + 1, n);
            if !line.contains(&want) || !line.contains(&b.doc.edition) {
                return Err(format!("{name}: page {} footer reads \"{line}\", wanted the edition and \"{want}\"", i + 1));
            }
            // Page numbers are artifacts: never in the tagged text.
            if ts.iter().any(|t| t.page == i && t.node.is_some() && t.y > ph - b.theme.margins[2] && t.text.contains(&want)) {
                return Err(format!("{name}: page {} number is tagged content", i + 1));
            }
        }
        Ok(())
    });
}

// ---------------------------------------------------------------- the profile photo

/// The profile's photo: page and rectangle.
fn profile_photo(b: &Built, section: usize) -> Option<(usize, Rect, usize)> {
    let tree = &b.laid.document.tree;
    let fig = (0..tree.nodes.len()).find(|&n| tree.nodes[n].role == Role::Figure && section_of(b, n) == Some(section))?;
    for (pi, p) in b.laid.document.pages.iter().enumerate() {
        for it in &p.items {
            if let Item::Image { mark: Mark::Node(m), rect, .. } = it {
                if *m == fig {
                    return Some((pi, *rect, fig));
                }
            }
        }
    }
    None
}

/// Lines of a section's body text (P nodes) near a photo: (baseline, x start, width).
fn lines_of_section(b: &Built, section: usize, page: usize, col_x: f32, col_w: f32) -> Vec<(f32, f32, f32)> {
    let mut by_y: BTreeMap<i64, (f32, f32, f32)> = BTreeMap::new();
    for t in texts(b) {
        let Some(n) = t.node else { continue };
        if t.page != page || section_of(b, n) != Some(section) || matches!(role(b, n), Role::H2 | Role::H3) {
            continue;
        }
        if t.x0 < col_x - 1.0 || t.x0 > col_x + col_w {
            continue;
        }
        let e = by_y.entry((t.y * 100.0).round() as i64).or_insert((t.y, f32::MAX, f32::MIN));
        e.1 = e.1.min(t.x0);
        e.2 = e.2.max(t.x1);
    }
    by_y.values().map(|(y, x0, x1)| (*y, *x0, x1 - x0)).collect()
}

#[test]
fn profile_text_runs_around_the_photo() {
    let b = &built().iter().find(|(n, _)| *n == "issues/2023-12.json").unwrap().1;
    let si = b.doc.sections.iter().position(|s| matches!(s.kind, SectionBody::Profile { .. })).expect("a profile section");
    let (page, rect, fig) = profile_photo(b, si).expect("the profile photo is placed");
    assert!(b.laid.document.tree.nodes[fig].alt.as_deref().is_some_and(|a| a.contains("Kamal Mahtani")));
    let (xs, cw) = columns(b);
    let col_x = xs[column_of(b, rect.x)];
    let lines = lines_of_section(b, si, page, col_x, cw);
    let beside: Vec<_> = lines.iter().filter(|(y, ..)| *y > rect.y && *y < rect.bottom()).collect();
    let below: Vec<_> = lines.iter().filter(|(y, ..)| *y > rect.bottom() + 2.0).collect();
    assert!(beside.len() >= 3, "lines beside the photo: {beside:?}");
    assert!(below.len() >= 3, "lines below the photo: {below:?}");
    for (y, x0, _) in &beside {
        assert!(*x0 >= rect.right() + 0.5, "line at y {y:.1} starts at x {x0:.1}, over the photo (right edge {:.1})", rect.right());
    }
    let widest_beside = beside.iter().map(|l| l.2).fold(0.0, f32::max);
    let widest_below = below.iter().map(|l| l.2).fold(0.0, f32::max);
    assert!(widest_beside + 20.0 < widest_below, "lines beside the photo ({widest_beside:.1} pt) should be shorter than below it ({widest_below:.1} pt)");
    // Below the photo, lines start at the photo's left edge again.
    assert!(below.iter().any(|(_, x0, _)| (*x0 - rect.x).abs() < 1.0), "{below:?} vs photo x {}", rect.x);
    // And no text overprints the photo.
    for t in texts(b) {
        if t.page == page && t.y > rect.y + 2.0 && t.y < rect.bottom() && t.x0 < rect.right() && t.x1 > rect.x {
            panic!("\"{}\" overprints the photo", t.text);
        }
    }
}

// ---------------------------------------------------------------- provoked rules



fn base_issue(body: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({
        "title": "Provoked layout", "edition": "Test edition",
        "page": { "size": "A5", "columns": 1 },
        "sections": body
    })
}

/// Where the body region ends and the first line's baseline sits below a column top.
fn geometry(b: &Built) -> (f32, f32) {
    let bottom = b.laid.document.pages[0].height - b.theme.margins[2];
    // On page 2 the first body line's baseline is this far below the top margin.
    let off = texts(b).iter().filter(|t| t.page == 1 && t.node.is_some()).map(|t| t.y).fold(f32::MAX, f32::min) - b.theme.margins[0];
    (bottom, off)
}

#[test]
fn widows_and_orphans_are_avoided_where_they_would_fall() {
    let d = scratch("widow");
    let mut held_back = 0; // a line moved over to avoid a widow
    let mut pushed = 0; // a whole paragraph moved over to avoid an orphan
    let mut split = BTreeSet::new();
    // k one-line paragraphs of filler shift where page 1 ends; the last paragraph, of n
    // sentences, crosses the page foot at every possible point.
    for k in 0..6 {
        for n in 5..11 {
            let mut body: Vec<serde_json::Value> = (0..k).map(|i| serde_json::Value::String(format!("Filler line {i}."))).collect();
            body.push(paragraph(2, 0).into());
            body.push(paragraph(2, 1).into());
            body.push(paragraph(2, 2).into());
            body.push(paragraph(6, 3).into());
            body.push(paragraph(n, 1).into());
            let issue = base_issue(vec![serde_json::json!({ "heading": "Widows and orphans", "body": body })]);
            let b = build_json(&d, &format!("w{k}-{n}"), &issue);
            let r = folio::report::measure(&b.laid, b.theme.max_stretch);
            assert_eq!((r.widows, r.orphans), (0, 0), "k={k} n={n}: report");
            let bad = widows_orphans(&b);
            assert!(bad.is_empty(), "k={k} n={n}: {bad:?}");
            same_words(&format!("k={k} n={n}"), &words(&issue_text(&issue)), &laid_words(&b, true)).unwrap();
            let lead = b.laid.line_height;
            let (bottom, off) = geometry(&b);
            // A paragraph crossing page 1's foot, leaving room for one more of its lines.
            // (Measured before feathering spread page 1's white over its paragraph gaps.)
            let _ = off;
            let page1 = b.laid.regions.iter().filter(|r| r.page == 0).last().expect("a region on page 1");
            let room1 = bottom.min(page1.y + page1.h) - page1.natural_bottom;
            for (_, parts) in pieces(&b) {
                if parts.len() == 2 && parts[0].0 .0 == 0 && parts[1].0 .0 == 1 {
                    split.insert(parts[0].1.len());
                    if room1 >= lead - 0.05 {
                        held_back += 1;
                    }
                }
            }
            // A paragraph that starts page 2 although page 1 had room for a line of it.
            let ts = texts(&b);
            if let Some(f) = ts.iter().filter(|t| t.page == 1 && t.node.is_some()).min_by(|a, b| a.y.total_cmp(&b.y)) {
                let starts_para = !ts.iter().any(|t| t.page == 0 && t.node == f.node);
                if starts_para && room1 >= lead * 1.6 {
                    pushed += 1;
                }
            }
        }
    }
    assert!(split.len() >= 3, "the sweep should split paragraphs in several places: {split:?}");
    assert!(held_back >= 1, "no variant needed a line held back to avoid a widow: the test did not provoke the rule");
    assert!(pushed >= 1, "no variant needed a paragraph moved to avoid an orphan: the test did not provoke the rule");
}

#[test]
fn headings_are_kept_with_their_text() {
    let d = scratch("heading");
    let mut moved = 0;
    for k in 0..16 {
        let mut body: Vec<serde_json::Value> = (0..k).map(|i| serde_json::Value::String(format!("Filler line {i}."))).collect();
        body.push(paragraph(8, 0).into());
        body.push(paragraph(7, 2).into());
        let issue = base_issue(vec![
            serde_json::json!({ "heading": "Before", "body": body }),
            serde_json::json!({ "heading": "The heading under test", "body": [paragraph(6, 1), paragraph(4, 3)] }),
        ]);
        let b = build_json(&d, &format!("h{k}"), &issue);
        let r = folio::report::measure(&b.laid, b.theme.max_stretch);
        assert_eq!(r.headings_at_foot, 0, "k={k}: report");
        let bad = stranded_headings(&b);
        assert!(bad.is_empty(), "k={k}: {bad:?}");
        same_words(&format!("k={k}"), &words(&issue_text(&issue)), &laid_words(&b, true)).unwrap();
        // Did the heading move to page 2 although page 1 had room for the heading itself?
        let ts = texts(&b);
        let lead = b.laid.line_height;
        let (bottom, off) = geometry(&b);
        let h = ts.iter().find(|t| t.text.contains("heading under test")).unwrap();
        if h.page == 1 {
            // (Measured before feathering spread page 1's white over its gaps.)
            let _ = off;
            let page1 = b.laid.regions.iter().filter(|r| r.page == 0).last().expect("a region on page 1");
            let room = bottom.min(page1.y + page1.h) - page1.natural_bottom;
            // The heading with its space above is about 3.4 body lines.
            if room >= 3.4 * lead {
                moved += 1;
            }
        }
    }
    assert!(moved >= 1, "no variant put the heading where it would have been stranded: the test did not provoke the rule");
}

#[test]
fn long_profile_breaks_with_a_continued_cue() {
    let d = scratch("profile");
    let photo = Path::new(ROOT).join("tests/fixtures/rotated.jpg");
    let bio: Vec<String> = (0..14).map(|i| paragraph(5, i)).collect();
    let issue = serde_json::json!({
        "title": "A long profile", "edition": "Test edition",
        "page": { "size": "A4", "columns": 2 },
        "sections": [
            { "heading": "First news", "body": [paragraph(4, 0)] },
            { "type": "profile", "heading": "Meet the team", "name": "Alex Example", "role": "Research fellow",
              "photo": photo.to_str().unwrap(), "alt": "Portrait of Alex Example", "body": bio },
            { "heading": "After the profile", "body": [paragraph(3, 2)] }
        ]
    });
    let b = build_json(&d, "profile", &issue);
    let si = 1;
    // The bio is longer than a column, so it spans several columns or pages.
    let mut places = BTreeSet::new();
    for t in texts(&b) {
        if t.node.is_some_and(|n| section_of(&b, n) == Some(si)) {
            places.insert((t.page, column_of(&b, t.x0)));
        }
    }
    assert!(places.len() >= 2, "the profile should break across columns: {places:?}");
    // A "(continued)" cue (an artifact) at the top of each continued piece.
    let ts = texts(&b);
    let cues: Vec<&T> = ts.iter().filter(|t| t.node.is_none() && t.text.contains("continued")).collect();
    assert!(!cues.is_empty(), "no \"(continued)\" cue");
    for &(page, col) in places.iter().skip(1) {
        let first = ts.iter().filter(|t| t.page == page && t.node.is_some_and(|n| section_of(&b, n) == Some(si)) && column_of(&b, t.x0) == col).map(|t| t.y).fold(f32::MAX, f32::min);
        assert!(
            cues.iter().any(|c| c.page == page && column_of(&b, c.x0) == col && c.y < first),
            "no cue above the profile's continuation on page {} column {}",
            page + 1,
            col + 1
        );
    }
    // Nothing leaves the page or its column, every word is there once, in order.
    text_inside("long profile", &b).unwrap();
    let bad = widows_orphans(&b);
    assert!(bad.is_empty(), "{bad:?}");
    same_words("long profile", &words(&issue_text(&issue)), &laid_words(&b, true)).unwrap();
    assert!(profile_photo(&b, si).is_some());
    // Images stay on the page too.
    for (pi, p) in b.laid.document.pages.iter().enumerate() {
        for it in &p.items {
            if let Item::Image { rect, .. } = it {
                assert!(rect.x >= -0.5 && rect.right() <= p.width + 0.5 && rect.y >= -0.5 && rect.bottom() <= p.height - b.theme.margins[2] + 0.5, "page {}: image at {rect:?}", pi + 1);
            }
        }
    }
}

/// Options for fixtures in temporary folders that use the repository's assets (outside
/// their folder): the whole file system as the project root.
fn opts() -> Options {
    Options { root: Some("/".into()), ..Options::default() }
}

#[test]
fn a_profile_photo_above_the_text_keeps_its_name() {
    // Narrow columns set the photo above the text; with no body the box is photo, name and
    // role only, and no column break may come between the photo and the name.
    let d = scratch("profile-narrow");
    let photo = Path::new(ROOT).join("tests/fixtures/rotated.jpg");
    let issue = serde_json::json!({
        "title": "Narrow profile", "edition": "Test edition",
        "page": { "size": "Letter", "columns": 4 },
        "sections": [
            { "type": "profile", "name": "Marie-Hélène Lefèvre-Dubois", "role": "Research assistant",
              "photo": photo.to_str().unwrap(), "alt": "Portrait", "body": [] },
            { "heading": "After the profile", "body": [{ "image": photo.to_str().unwrap(), "alt": "A wide photo", "width": "full" }] },
            { "heading": "More", "body": [paragraph(12, 1), paragraph(9, 3)] }
        ]
    });
    let b = build_json(&d, "profile-narrow", &issue);
    assert_eq!(b.laid.profiles.len(), 1, "the profile with a photo is recorded for the rule");
    let apart: Vec<_> = folio::layout::invariants::check(&b.laid).into_iter().filter(|v| v.rule == folio::layout::invariants::Rule::PhotoApart).collect();
    assert!(apart.is_empty(), "{apart:?}");
    let (page, rect, _) = profile_photo(&b, 0).expect("the photo is placed");
    let name = texts(&b).into_iter().find(|t| t.text.contains("Marie")).expect("the name is set");
    assert_eq!(name.page, page, "name and photo on one page");
    assert!(name.y > rect.bottom() && name.x0 >= rect.x - 1.0 && name.x0 < rect.right(), "the name just below the photo: {:?} vs {rect:?}", (name.x0, name.y));
}

#[test]
fn narrow_columns_and_long_titles_are_set_not_refused() {
    // SPEC allows 1 to 4 columns on any page size: A5 in 4 columns is narrow, not wrong.
    let d = scratch("narrow");
    let title = "Community health research partnership newsletter for volunteers, partners, families and everyone who took part this year, with news of every project, every event and every person who helped the study along";
    let issue = serde_json::json!({
        "title": title, "edition": "Spring",
        "page": { "size": "A5", "columns": 4 },
        "sections": [ { "heading": "News", "body": [paragraph(10, 0), paragraph(8, 2)] } ]
    });
    let b = build_json(&d, "narrow", &issue);
    assert!(b.warnings.0.iter().any(|w| w.path == "page.columns"), "narrow columns are warned about: {:?}", b.warnings.0);
    same_words("narrow", &words(&issue_text(&issue)), &laid_words(&b, true)).unwrap();
    text_inside("narrow", &b).unwrap();
    // The long title is set smaller than the brand's title size so the masthead fits.
    let sizes: Vec<f32> = b.laid.document.pages[0].items.iter().filter_map(|it| match it {
        Item::Text { mark: Mark::Node(n), size, .. } if role(&b, *n) == Role::H1 => Some(*size),
        _ => None,
    }).collect();
    assert!(!sizes.is_empty(), "the title is set");
    assert!(sizes.iter().all(|&s| s < b.theme.title_pt - 0.5), "title at {sizes:?}, brand size {}", b.theme.title_pt);
}

#[test]
fn a_long_pull_quote_breaks_across_pages_rather_than_leave_a_page_short() {
    // A quote of about a third of a column after paragraphs of every length: kept whole, it
    // would leave up to a third of a page white whenever it falls at a page foot.
    let d = scratch("long-quote");
    let quote = (0..20).map(|_| "Quoted words stay together here.").collect::<Vec<_>>().join(" ");
    let mut split = 0;
    for n in (4..40).step_by(3) {
        let issue = base_issue(vec![serde_json::json!({ "heading": "Quoted", "body": [paragraph(n, 0), { "quote": quote, "by": "A reader" }, paragraph(30, 2), paragraph(30, 5)] })]);
        let b = build_json(&d, &format!("quote-{n}"), &issue);
        let short: Vec<_> = folio::layout::invariants::check(&b.laid).into_iter().filter(|v| v.rule == folio::layout::invariants::Rule::ShortColumn).collect();
        assert!(short.is_empty(), "{n} sentences before the quote: {short:?}");
        let pages: BTreeSet<usize> = texts(&b).iter().filter(|t| t.text.contains("Quoted")).map(|t| t.page).collect();
        split += (pages.len() > 1) as usize;
    }
    assert!(split > 0, "some placement puts the quote across a page break");
}
