//! Typesetting: Knuth–Plass breaking keeps every line within its measure, hyphenation
//! follows the language's patterns (and leaves names and addresses alone), ligatures
//! keep their text, and overlong URLs still fit narrow columns.

use folio::build::{build, Built, Options};
use folio::layout::display::{Item, Mark};
use folio::text::breaker::{break_lines, Item as KItem, Params, FIL, INFINITE};
use folio::text::fonts::{FamilySource, FontBook};
use folio::text::hyph::Hyphen;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn scratch(name: &str) -> PathBuf {
    common::scratch("typeset", name)
}

/// Write `issue` (a JSON value) to a scratch folder and build it (screen profile).
fn build_json(name: &str, issue: &serde_json::Value) -> Built {
    let d = scratch(name);
    let p = d.join("issue.json");
    std::fs::write(&p, serde_json::to_string_pretty(issue).unwrap()).unwrap();
    build(&p, &Options::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn build_file(rel: &str) -> Built {
    build(&Path::new(ROOT).join(rel), &Options::default()).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

mod common;

fn all_issues() -> Vec<&'static str> {
    common::ALL_ISSUES.to_vec()
}

/// The bundled Noto Sans faces, indexed as the build indexes them (the brands here use
/// Noto Sans for body and headings, so the face ids match).
fn noto() -> FontBook {
    let mut b = FontBook::default();
    b.add_family(FamilySource::Bundled("Noto Sans")).unwrap();
    b
}

/// A text item's inked extent: x of its first glyph to the end of its last glyph
/// (a trailing word-space glyph, invisible, does not count).
fn extent(book: &FontBook, face: usize, size: f32, x: f32, glyphs: &[folio::text::para::Glyph]) -> (f32, f32) {
    let first = glyphs.first().map(|g| g.x).unwrap_or(0.0);
    let last = glyphs.iter().rev().find(|g| !g.text.chars().all(char::is_whitespace) || g.text.is_empty()).map(|g| {
        let adv = book.faces.get(face).map(|f| f.advance(g.gid)).unwrap_or(0.6);
        g.x + adv * size
    });
    (x + first.min(0.0), x + last.unwrap_or(0.0))
}

fn text_of(glyphs: &[folio::text::para::Glyph]) -> String {
    glyphs.iter().map(|g| g.text.as_str()).collect()
}

/// Words of `s`: runs of letters and digits.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_string()).collect()
}

/// Body text as laid: every non-artifact text item's text, in display order, with a
/// space between items unless the first ends a hyphenated line (then the hyphen is dropped).
fn laid_text(b: &Built) -> String {
    let mut s = String::new();
    let mut joined = false;
    for p in &b.laid.document.pages {
        for it in &p.items {
            if let Item::Text { mark: Mark::Node(_), glyphs, hyphen, .. } = it {
                if *hyphen {
                    joined = true;
                    continue;
                }
                if !s.is_empty() && !joined {
                    s.push(' ');
                }
                joined = false;
                s.push_str(&text_of(glyphs));
            }
        }
    }
    s
}

const LOREM: &str = "The implementation of community-based interventions requires organisational commitment, \
sustained collaboration between practitioners and researchers, and a willingness to reconsider established \
assumptions about responsibility. Throughout the programme, participants described considerable uncertainty \
regarding eligibility, documentation and accountability; nevertheless, their contributions were extraordinarily \
valuable. Interdisciplinary conversations illuminated misunderstandings that had previously seemed insurmountable, \
and the newsletter helped disseminate preliminary recommendations to stakeholders across neighbourhoods.";

// ---------------------------------------------------------------- Knuth–Plass

/// Natural width and total shrink of the line from `start` to the break at `end`.
fn line_metrics(items: &[KItem], start: usize, end: usize) -> (f32, f32) {
    let mut w = 0.0;
    let mut shrink = 0.0;
    for it in &items[start..end] {
        match *it {
            KItem::Box { width } => w += width,
            KItem::Glue { width, shrink: z, .. } => {
                w += width;
                shrink += z;
            }
            KItem::Penalty { .. } => {}
        }
    }
    if let KItem::Penalty { width, .. } = items[end] {
        w += width;
    }
    (w, shrink)
}

#[test]
fn breaker_lines_fit_varying_measures() {
    // Words of pseudo-random widths with hyphenation penalties inside some of them.
    let mut items = Vec::new();
    let mut seed = 12345u32;
    let mut rnd = || {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        (seed >> 16) % 1000
    };
    for i in 0..200 {
        if i > 0 {
            items.push(KItem::Glue { width: 3.0, stretch: 1.5, shrink: 1.0 });
        }
        let w = 8.0 + (rnd() % 40) as f32;
        if w > 30.0 {
            items.push(KItem::Box { width: w / 2.0 });
            items.push(KItem::Penalty { width: 3.0, penalty: 50.0, flagged: true });
            items.push(KItem::Box { width: w / 2.0 });
        } else {
            items.push(KItem::Box { width: w });
        }
    }
    items.push(KItem::Glue { width: 0.0, stretch: FIL, shrink: 0.0 });
    items.push(KItem::Penalty { width: 0.0, penalty: -INFINITE, flagged: false });
    // Lines 0–4 are short (beside a photo), the rest long.
    let measure = |n: usize| if n < 5 { 90.0 } else { 160.0 };
    let breaks = break_lines(&items, &measure, &Params::default());
    assert!(breaks.len() > 20, "{} lines", breaks.len());
    assert_eq!(breaks.last().unwrap().index, items.len() - 1);
    let mut start = 0;
    let mut run = 0;
    for (n, b) in breaks.iter().enumerate() {
        // Discardable items at the line start do not count.
        while start < b.index && !matches!(items[start], KItem::Box { .. }) {
            start += 1;
        }
        let (w, shrink) = line_metrics(&items, start, b.index);
        assert!(w - shrink <= measure(n) + 0.01, "line {n} is {w} wide (shrink {shrink}) for a measure of {}", measure(n));
        run = if b.flagged { run + 1 } else { 0 };
        assert!(run <= Params::default().max_hyphens_in_row as usize, "{run} hyphenated lines in a row");
        start = b.index + 1;
    }
}

#[test]
fn breaker_prefers_even_lines_to_greedy() {
    // The classic case: a greedy fill would leave one very loose line; total-fit spreads it.
    let ws = [30.0, 30.0, 30.0, 55.0, 30.0, 30.0, 30.0, 30.0];
    let mut items = Vec::new();
    for (i, w) in ws.iter().enumerate() {
        if i > 0 {
            items.push(KItem::Glue { width: 4.0, stretch: 10.0, shrink: 1.5 });
        }
        items.push(KItem::Box { width: *w });
    }
    items.push(KItem::Glue { width: 0.0, stretch: FIL, shrink: 0.0 });
    items.push(KItem::Penalty { width: 0.0, penalty: -INFINITE, flagged: false });
    let breaks = break_lines(&items, &|_| 100.0, &Params::default());
    let ratios: Vec<f32> = breaks[..breaks.len() - 1].iter().map(|b| b.ratio).collect();
    assert!(ratios.iter().all(|r| *r <= 2.5 && *r >= -1.0), "{ratios:?}");
}

#[test]
fn no_line_wider_than_its_measure_in_a_long_paragraph() {
    let long = std::iter::repeat_n(LOREM, 6).collect::<Vec<_>>().join(" ");
    for (cols, size) in [(1, "A5"), (2, "A4"), (3, "A4"), (4, "Letter")] {
        let issue = serde_json::json!({
            "title": "Measure test", "edition": "Test",
            "page": { "size": size, "columns": cols },
            "sections": [ { "heading": "A long paragraph", "body": [long.clone(), LOREM] } ]
        });
        let b = build_json(&format!("measure{cols}"), &issue);
        assert!(b.laid.lines.len() > 20, "{cols} columns: {} lines", b.laid.lines.len());
        for (i, l) in b.laid.lines.iter().enumerate() {
            assert!(l.width <= l.measure + 0.5, "{cols} columns, line {i}: width {} > measure {}", l.width, l.measure);
            assert!(l.width > 0.0);
        }
        // In wide columns, lines that are not a paragraph's last fill most of the measure.
        if cols <= 2 {
            let short = b.laid.lines.iter().filter(|l| l.width < l.measure * 0.6).count();
            assert!(short <= 2, "{cols} columns: {short} lines under 60% of the measure (only the 2 paragraph ends should be)");
        }
    }
}

#[test]
fn seeds_and_examples_keep_lines_within_measure() {
    for f in all_issues() {
        let b = build_file(f);
        for (i, l) in b.laid.lines.iter().enumerate() {
            assert!(l.width <= l.measure + 0.5, "{f}: line {i} width {} > measure {}", l.width, l.measure);
        }
    }
}

// ---------------------------------------------------------------- hyphenation

#[test]
fn en_gb_patterns() {
    let h = Hyphen::for_language("en-GB");
    assert!(h.available());
    let org = h.points("organisation");
    assert!(!org.is_empty(), "organisation has no hyphenation points");
    let pieces: Vec<&str> = {
        let mut v = Vec::new();
        let mut from = 0;
        for &p in &org {
            v.push(&"organisation"[from..p]);
            from = p;
        }
        v.push(&"organisation"[from..]);
        v
    };
    assert_eq!(pieces.join("-"), "or-gan-isa-tion", "British patterns");
    for w in ["programme", "newsletter", "neighbourhood", "recommendations"] {
        let p = h.points(w);
        assert!(!p.is_empty(), "{w} should hyphenate");
        for &b in &p {
            assert!(w[..b].chars().count() >= 2 && w[b..].chars().count() >= 3, "{w}: bad point {b}");
        }
    }
    // Short words are left whole.
    assert!(h.points("study").is_empty());
    // Other languages load their own patterns; unknown languages hyphenate nothing.
    assert!(!Hyphen::for_language("en-US").points("organization").is_empty());
    assert!(!Hyphen::for_language("de").points("zusammenarbeit").is_empty());
    assert!(Hyphen::for_language("tlh").points("organisation").is_empty());
}

#[test]
fn capitalised_words_and_addresses_have_no_points() {
    let h = Hyphen::for_language("en-GB");
    for w in ["Organisation", "NEWSLETTER", "Mahtani", "McAllister", "Birmingham"] {
        assert!(h.points(w).is_empty(), "{w} must not hyphenate");
    }
    // ... although their lower-case forms would.
    assert!(!h.points("organisation").is_empty() && !h.points("newsletter").is_empty());
    assert!(h.points("stephanie.tierney@phc.ox.ac.uk").is_empty());
    assert!(h.points("covid19programme").is_empty());
    // German capitalises its nouns: they hyphenate, by the patterns (not at random letters).
    let de = Hyphen::for_language("de-DE");
    let pts = de.points("Gesundheitsversorgungsforschung");
    assert!(!pts.is_empty(), "a German noun must hyphenate");
    let w = "Gesundheitsversorgungsforschung";
    assert!(pts.iter().all(|&b| w.is_char_boundary(b)));
    assert!(pts.iter().any(|&b| &w[..b] == "Gesundheits" || w[..b].ends_with("versorgungs")), "{:?}", pts.iter().map(|&b| &w[..b]).collect::<Vec<_>>());
    assert!(!de.points("Übersetzungsprogramm").is_empty(), "a capital umlaut too");
    assert!(de.points("NRW-Landesregierung").is_empty() && de.points("DFG").is_empty());
}

#[test]
fn seeds_use_hyphenation_somewhere() {
    let mut hyphenated = 0;
    let mut hyphen_items = 0;
    for f in ["issues/2022-06.json", "issues/2023-12.json"] {
        let b = build_file(f);
        assert!(b.theme.hyphenate, "{f}: the seed brand hyphenates");
        hyphenated += b.laid.lines.iter().filter(|l| l.hyphenated).count();
        for p in &b.laid.document.pages {
            for it in &p.items {
                if let Item::Text { hyphen: true, glyphs, .. } = it {
                    hyphen_items += 1;
                    assert_eq!(text_of(glyphs), "\u{AD}", "a line-end hyphen extracts as a soft hyphen");
                }
            }
        }
    }
    assert!(hyphenated > 0 && hyphen_items > 0, "no hyphenated line in either seed ({hyphenated} lines, {hyphen_items} hyphen glyphs)");
}

#[test]
fn narrow_columns_hyphenate_but_never_names_or_addresses() {
    // Four narrow columns, long lower-case words, long capitalised words, e-mails and URLs.
    let para = "Organisational recommendations from Northamptonshire, Gloucestershire and Buckinghamshire \
were disseminated internationally by Worcestershire representatives; contact \
stephanie.tierney@phc.ox.ac.uk or kamal.mahtani@phc.ox.ac.uk, or read https://example.org/knowledge-exchange/recommendations \
for the implementation of neighbourhood interventions. Notwithstanding considerable misunderstandings, \
the characteristically interdisciplinary programme demonstrated extraordinarily comprehensive accountability.";
    let body: Vec<serde_json::Value> = (0..6).map(|_| serde_json::Value::String(para.to_string())).collect();
    let issue = serde_json::json!({
        "title": "Hyphenation test", "edition": "Test", "language": "en-GB",
        "page": { "size": "Letter", "columns": 4 },
        "sections": [ { "heading": "Words", "body": body } ]
    });
    let b = build_json("hyph4", &issue);
    let mut hyphens = 0;
    for (pi, p) in b.laid.document.pages.iter().enumerate() {
        let texts: Vec<(&Item, String)> = p.items.iter().filter(|it| matches!(it, Item::Text { .. })).map(|it| match it {
            Item::Text { glyphs, .. } => (it, text_of(glyphs)),
            _ => unreachable!(),
        }).collect();
        for (i, (it, _)) in texts.iter().enumerate() {
            if let Item::Text { hyphen: true, invisible: false, .. } = it {
                hyphens += 1;
                // The word broken here: the text before the hyphen on this line and the start of the next line.
                let before = texts[..i].iter().rev().find(|(t, _)| !matches!(t, Item::Text { hyphen: true, .. })).map(|(_, s)| s.clone()).unwrap_or_default();
                let after = texts[i + 1..].iter().find(|(t, _)| matches!(t, Item::Text { mark: Mark::Node(_), .. })).map(|(_, s)| s.clone()).unwrap_or_default();
                let head = before.split_whitespace().last().unwrap_or("").to_string();
                let tail = after.split_whitespace().next().unwrap_or("").to_string();
                let word = format!("{head}{tail}");
                assert!(!word.chars().any(|c| c.is_uppercase()), "page {pi}: capitalised word hyphenated: {head}-{tail}");
                assert!(!word.contains('@') && !word.contains("://") && !word.contains('/'), "page {pi}: address hyphenated: {head}-{tail}");
            }
        }
    }
    let flagged = b.laid.lines.iter().filter(|l| l.hyphenated).count();
    assert!(hyphens > 0 && flagged > 0, "four 40 mm columns of long words should need some hyphenation ({hyphens} hyphens)");
    // ... but not on more than one line in ten (each paragraph is set again with dearer
    // hyphens when it has more).
    let n = b.laid.lines.len();
    assert!(flagged as f32 <= 0.1 * n as f32, "{flagged} of {n} lines hyphenated");
    // The addresses survive whole (as link annotations).
    let uris: Vec<&str> = b.laid.document.pages.iter().flat_map(|p| p.items.iter()).filter_map(|it| match it {
        Item::Link { uri, .. } => Some(uri.as_str()),
        _ => None,
    }).collect();
    for want in ["mailto:stephanie.tierney@phc.ox.ac.uk", "mailto:kamal.mahtani@phc.ox.ac.uk", "https://example.org/knowledge-exchange/recommendations"] {
        assert!(uris.contains(&want), "no link to {want}: {uris:?}");
    }
    for l in &b.laid.lines {
        assert!(l.width <= l.measure + 0.5, "line {} > {}", l.width, l.measure);
    }
}

// ---------------------------------------------------------------- ligatures

#[test]
fn ligatures_keep_their_text() {
    let issue = serde_json::json!({
        "title": "Ligatures", "edition": "Test",
        "sections": [ { "heading": "Shapes", "body": ["The office was affluent, the fjord was fluffy and the fifth file flew off."] } ]
    });
    let b = build_json("liga", &issue);
    let text = laid_text(&b);
    let got = words(&text);
    let want = words("Shapes The office was affluent, the fjord was fluffy and the fifth file flew off.");
    let pos = got.iter().position(|w| w == "Shapes").expect("heading text");
    assert_eq!(&got[pos..pos + want.len()], &want[..], "text extracted from the glyphs");
    // Ligatures are really used, and each carries its letters.
    let mut multi = Vec::new();
    let mut empty_glyphs = 0;
    for p in &b.laid.document.pages {
        for it in &p.items {
            if let Item::Text { glyphs, .. } = it {
                for g in glyphs {
                    if g.text.chars().count() > 1 {
                        multi.push(g.text.clone());
                    }
                    if g.text.is_empty() {
                        empty_glyphs += 1;
                    }
                }
            }
        }
    }
    assert!(multi.iter().any(|t| t == "ffi"), "no ffi ligature glyph: {multi:?}");
    assert!(multi.iter().all(|t| t.chars().all(|c| c.is_alphabetic())), "{multi:?}");
    let _ = empty_glyphs;
}

// ---------------------------------------------------------------- URLs in narrow columns

#[test]
fn very_long_url_fits_a_narrow_column() {
    let url = "https://example.org/research/primary-care/link-workers/knowledge-exchange-events/2023/birmingham-exeter-sheffield/summary-of-findings-and-recommendations.html";
    let mail = "a.very.long.mailbox.name.for.the.research.team@department-of-primary-care.example.ac.uk";
    let issue = serde_json::json!({
        "title": "URL test", "edition": "Test",
        "page": { "size": "Letter", "columns": 4 },
        "sections": [ { "heading": "Links", "body": [
            format!("Read the summary at {url} and then write to {mail} with questions."),
            format!("[The same summary]({url}) as a labelled link, and once more bare: {url}"),
            LOREM
        ] } ]
    });
    let b = build_json("url4", &issue);
    let book = noto();
    let [_, mr, _, ml] = b.theme.margins;
    let pw = b.laid.document.pages[0].width;
    let cols = 4.0;
    let col_w = (pw - ml - mr - (cols - 1.0) * b.theme.gutter) / cols;
    for l in &b.laid.lines {
        assert!(l.width <= l.measure + 0.5, "line {} wider than its measure {}", l.width, l.measure);
        assert!(l.measure <= col_w + 0.5);
    }
    // Every body text item sits inside one column.
    let mut checked = 0;
    for (pi, p) in b.laid.document.pages.iter().enumerate() {
        for it in &p.items {
            if let Item::Text { mark: Mark::Node(_), face, size, x, glyphs, y, .. } = it {
                if *y < 150.0 && pi == 0 {
                    continue; // masthead
                }
                let (x0, x1) = extent(&book, *face, *size, *x, glyphs);
                let col = ((x0 - ml + 0.5) / (col_w + b.theme.gutter)).floor().max(0.0);
                let cx = ml + col * (col_w + b.theme.gutter);
                assert!(x0 >= cx - 0.5 && x1 <= cx + col_w + 0.5, "page {pi}: \"{}\" spans {x0:.1}–{x1:.1}, column {col} is {cx:.1}–{:.1}", text_of(glyphs), cx + col_w);
                checked += 1;
            }
        }
    }
    assert!(checked > 50);
    // The URL's pieces, joined, give the URL back (no hyphens added into it).
    let joined: String = laid_text(&b).split_whitespace().collect();
    assert!(joined.matches(url).count() >= 2, "the URL does not come back whole from the glyph text");
    assert!(joined.contains(mail), "the e-mail address does not come back whole");
    let uris: Vec<&str> = b.laid.document.pages.iter().flat_map(|p| p.items.iter()).filter_map(|it| match it {
        Item::Link { uri, .. } => Some(uri.as_str()),
        _ => None,
    }).collect();
    assert!(uris.iter().filter(|u| **u == url).count() >= 3, "each line of each link gets an annotation to the full URL: {uris:?}");
    assert!(uris.contains(&format!("mailto:{mail}").as_str()));
}

// ---------------------------------------------------------------- addresses broken across lines

/// Where a line ends inside a word without a hyphen (a long URL or e-mail address):
/// (the piece on this line, the piece on the next line).
fn mid_word_breaks(b: &Built) -> Vec<(String, String)> {
    let tree = &b.laid.document.tree;
    // The paragraph of a node: links belong to theirs.
    let para = |mut n: usize| {
        while matches!(tree.nodes[n].role, folio::layout::display::Role::Link | folio::layout::display::Role::Span) {
            match tree.nodes[n].parent {
                Some(p) => n = p,
                None => break,
            }
        }
        n
    };
    let mut out = Vec::new();
    for p in &b.laid.document.pages {
        let items: Vec<(f32, String, bool, usize)> = p
            .items
            .iter()
            .filter_map(|it| match it {
                Item::Text { mark: Mark::Node(n), y, glyphs, hyphen, .. } => Some((*y, text_of(glyphs), *hyphen, para(*n))),
                _ => None,
            })
            .collect();
        for w in items.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            let new_line = (a.0 - b.0).abs() > 0.01;
            let same_para = a.3 == b.3;
            if new_line && same_para && !a.2 && !a.1.is_empty() && !a.1.ends_with(char::is_whitespace) && !a.1.ends_with(['-', '\u{2010}', '\u{2013}', '\u{2014}']) && !b.1.starts_with(char::is_whitespace) {
                let head = a.1.rsplit(char::is_whitespace).next().unwrap_or("").to_string();
                let tail = b.1.split(char::is_whitespace).next().unwrap_or("").to_string();
                out.push((head, tail));
            }
        }
    }
    out
}

#[test]
fn addresses_are_not_broken_after_a_letter_or_two() {
    let mut bad = Vec::new();
    let mut seen = 0;
    for f in all_issues() {
        let b = build_file(f);
        for (head, tail) in mid_word_breaks(&b) {
            seen += 1;
            let h = head.chars().count();
            let t = tail.chars().count();
            if h < 3 || t < 3 {
                bad.push(format!("{f}: \"{head}\" / \"{tail}\""));
            }
        }
    }
    let _ = seen;
    assert!(bad.is_empty(), "addresses broken leaving fewer than 3 characters on a line:\n{}", bad.join("\n"));
}

#[test]
fn long_addresses_break_at_punctuation_in_narrow_columns() {
    let url = "https://example.org/research/primary-care/link-workers/knowledge-exchange-events/2023/summary.html";
    let mail = "a.very.long.mailbox.name.for.the.research.team@department-of-primary-care.example.ac.uk";
    let issue = serde_json::json!({
        "title": "Address breaks", "edition": "Test",
        "page": { "size": "Letter", "columns": 4 },
        "sections": [ { "heading": "Links", "body": [
            format!("Read the summary at {url} and then write to {mail} with any questions you have."),
            format!("Or write to {mail} today, or see {url} later.")
        ] } ]
    });
    let b = build_json("addrbreak", &issue);
    let breaks = mid_word_breaks(&b);
    assert!(breaks.len() >= 4, "the long addresses must break across lines: {breaks:?}");
    for (head, tail) in &breaks {
        assert!(head.chars().count() >= 3 && tail.chars().count() >= 3, "\"{head}\" / \"{tail}\"");
        let last = head.chars().last().unwrap();
        assert!("/.-_?&=@#:".contains(last), "\"{head}\" / \"{tail}\": an address should break after punctuation when it can");
    }
}

#[test]
fn an_address_broken_inside_a_word_extracts_whole() {
    // A URL whose segments are longer than a narrow column must break inside a word: no
    // hyphen is shown there (a reader would type it), but an invisible soft hyphen is
    // drawn, so a copied or searched address (and pdftotext) joins the pieces again.
    let url = "https://www.example-university.ac.uk/knowledgeexchangeeventsacrossengland/utm_source_newsletter_and_more";
    let issue = a5_three_columns("en-GB", serde_json::json!({ "heading": "Links", "body": [format!("Read more at {url} before the meeting.")] }));
    let b = build_json("url-break", &issue);
    let mut text = String::new();
    let mut invisible = 0;
    for p in &b.laid.document.pages {
        for it in &p.items {
            if let Item::Text { glyphs, invisible: inv, mark: Mark::Node(_), .. } = it {
                let t = text_of(glyphs);
                if *inv {
                    invisible += 1;
                    assert_eq!(t, "\u{AD}", "the invisible mark is a soft hyphen");
                    assert!(text.ends_with(|c: char| c.is_alphanumeric() || c == '_'), "only inside a word: {text:?}");
                    text.push('\u{AD}');
                } else {
                    if !text.is_empty() && !text.ends_with([' ', '\u{AD}', '/', '.', '-', '_', '?', '&', '=']) {
                        text.push(' ');
                    }
                    text.push_str(&t);
                }
            }
        }
    }
    assert!(invisible > 0, "the URL should break inside a word somewhere: {text}");
    let joined = text.replace('\u{AD}', "");
    assert!(joined.replace(' ', "").contains(&url.replace(' ', "")), "the address reads whole once soft hyphens are dropped: {joined}");
}

#[test]
fn a_heading_word_too_long_for_its_column_breaks_at_a_hyphenation_point() {
    // Headings are not hyphenated, but a word wider than the column must break: at one of
    // the language's points ("Gesundheits-versorgungs-forschung"), not at a random letter.
    let word = "Gesundheitsversorgungsforschungsprogramm";
    let issue = a5_three_columns("de-DE", serde_json::json!({ "heading": word, "body": ["Ein kurzer Absatz folgt hier."] }));
    let b = build_json("de-heading", &issue);
    let points: Vec<usize> = Hyphen::for_language("de").points(word).into_iter().map(|p| word[..p].chars().count()).collect();
    let mut pieces: Vec<String> = Vec::new();
    for p in &b.laid.document.pages {
        for it in &p.items {
            if let Item::Text { glyphs, mark: Mark::Node(n), hyphen: false, .. } = it {
                if b.laid.document.tree.nodes[*n].role == folio::layout::display::Role::H2 {
                    pieces.push(text_of(glyphs).trim().to_string());
                }
            }
        }
    }
    assert!(pieces.len() >= 2, "the word is wider than an A5 third: {pieces:?}");
    let mut at = 0;
    for piece in &pieces[..pieces.len() - 1] {
        at += piece.chars().count();
        assert!(points.contains(&at), "broken after {at} letters ({pieces:?}), not at a point {points:?}");
    }
}

/// An issue of one section in `language`, on A5 in three narrow columns.
fn a5_three_columns(language: &str, section: serde_json::Value) -> serde_json::Value {
    serde_json::json!({ "title": "Narrow columns", "edition": "Test", "language": language, "page": { "size": "A5", "columns": 3 }, "sections": [section] })
}
