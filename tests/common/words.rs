//! Reading the words of a built issue back from its display list, and the issue's own
//! words in reading order, to check that every word is laid out once and in order.

use folio::build::Built;
use folio::layout::display::{Item, Mark, Role};
use folio::text::fonts::{FamilySource, FontBook};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

pub fn noto() -> &'static FontBook {
    static B: OnceLock<FontBook> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = FontBook::default();
        b.add_family(FamilySource::Bundled("Noto Sans")).unwrap();
        b
    })
}

// ---------------------------------------------------------------- reading the display list

/// One text item, measured.
#[derive(Debug, Clone)]
pub struct T {
    pub page: usize,
    pub node: Option<usize>,
    pub x0: f32,
    /// End of the last inked glyph.
    pub x1: f32,
    /// End including a trailing space glyph.
    pub x_end: f32,
    pub y: f32,
    pub size: f32,
    pub text: String,
    pub hyphen: bool,
}

pub fn texts(b: &Built) -> Vec<T> {
    let book = noto();
    let mut out = Vec::new();
    for (pi, p) in b.laid.document.pages.iter().enumerate() {
        for it in &p.items {
            if let Item::Text { mark, face, size, x, y, glyphs, hyphen, .. } = it {
                if glyphs.is_empty() {
                    continue;
                }
                let adv = |g: &folio::text::para::Glyph| book.faces.get(*face).map(|f| f.advance(g.gid)).unwrap_or(0.6) * size;
                let first = glyphs[0].x.min(0.0);
                let inked = glyphs.iter().rev().find(|g| g.text.is_empty() || !g.text.chars().all(char::is_whitespace));
                let x1 = inked.map(|g| x + g.x + adv(g)).unwrap_or(*x);
                let last = glyphs.last().unwrap();
                out.push(T {
                    page: pi,
                    node: match mark {
                        Mark::Node(n) => Some(*n),
                        Mark::Artifact => None,
                    },
                    x0: x + first,
                    x1,
                    x_end: x + last.x + adv(last),
                    y: *y,
                    size: *size,
                    text: glyphs.iter().map(|g| g.text.as_str()).collect(),
                    hyphen: *hyphen,
                });
            }
        }
    }
    out
}

pub fn role(b: &Built, node: usize) -> Role {
    b.laid.document.tree.nodes[node].role
}

/// Words: runs of letters and digits.
pub fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_string()).collect()
}

/// The words a reader sees, in display order: artifacts (running footers, "continued"
/// cues) and list labels left out; a line-end hyphen joins its word with the next line's.
/// Without `captions`, figure captions are left out.
/// Whether structure node `n` is inside the "In this issue" box (a Div at the top level).
pub fn in_contents(b: &Built, n: usize) -> bool {
    let tree = &b.laid.document.tree;
    let mut k = n;
    while let Some(p) = tree.nodes[k].parent {
        if p == 0 {
            return tree.nodes[k].role == Role::Div;
        }
        k = p;
    }
    false
}

pub fn laid_words(b: &Built, captions: bool) -> Vec<String> {
    let mut s = String::new();
    let mut prev: Option<T> = None;
    for t in texts(b) {
        let Some(n) = t.node else { continue };
        // (The "In this issue" box repeats the headings: not the issue's own words.)
        if in_contents(b, n) {
            continue;
        }
        if role(b, n) == Role::Lbl || (!captions && para_of(b, n) != n && role(b, para_of(b, n)) == Role::Caption) || (!captions && role(b, n) == Role::Caption) {
            continue;
        }
        if let Some(p) = &prev {
            let same_line = p.page == t.page && (p.y - t.y).abs() < 0.01;
            // (Right to left, the next piece of a word stands just left of the last.)
            let rtl_contiguous = same_line && t.x0 < p.x0 && (p.x0 - t.x_end).abs() < 0.15 * t.size && !p.text.ends_with(char::is_whitespace);
            let contiguous = same_line && t.x0 - p.x_end < 0.15 * t.size && t.x0 >= p.x0 || rtl_contiguous;
            // A line of a paragraph that ends with neither a space nor a hyphen was broken
            // inside a word (a long URL): the next line continues the word.
            let mid_word = !same_line && p.node.map(|m| para_of(b, m)) == Some(para_of(b, n)) && !p.text.ends_with(char::is_whitespace) && !p.text.ends_with('-');
            // (A line-end hyphen never starts a word: nothing goes before it.)
            if !(p.hyphen || t.hyphen || contiguous || mid_word) {
                s.push(' ');
            }
        }
        if !t.hyphen {
            s.push_str(&t.text.replace('\u{AD}', ""));
        }
        prev = Some(t);
    }
    words(&s)
}

/// The issue's visible text in reading order (SPEC §2), by shared/tools/issue-text
/// when python3 is there, else by the same rules here. The footer heading defaults to
/// "Stay in touch" (SPEC §2), which the tool does not know, so it is filled in first.
/// Without `captions`, image captions are left out (figures may float past the text after them).
pub fn expected_words(issue: &Path, captions: bool) -> Vec<String> {
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(issue).unwrap()).unwrap();
    if let Some(f) = v.get_mut("footer").and_then(|f| f.as_object_mut()) {
        f.entry("heading").or_insert_with(|| serde_json::Value::String("Stay in touch".into()));
    }
    if !captions {
        for sec in v["sections"].as_array_mut().unwrap() {
            for it in sec.get_mut("body").and_then(|b| b.as_array_mut()).into_iter().flatten() {
                if let Some(o) = it.as_object_mut() {
                    o.remove("caption");
                }
            }
        }
    }
    // shared/ sits beside the repository (as in CI); /work/shared on the development machine.
    let tool = [Path::new(ROOT).join("../shared/tools/issue-text"), PathBuf::from("/work/shared/tools/issue-text")].into_iter().find(|p| p.exists());
    if let Some(tool) = tool {
        if let Ok(mut child) = std::process::Command::new("python3")
            .arg(tool)
            .arg("/dev/stdin")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
        {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(v.to_string().as_bytes()).unwrap();
            let out = child.wait_with_output().unwrap();
            if out.status.success() {
                return words(&String::from_utf8_lossy(&out.stdout));
            }
        }
    }
    words(&issue_text(&v))
}

/// Rust version of issue-text (used when python3 is missing).
pub fn issue_text(doc: &serde_json::Value) -> String {
    let s = |v: Option<&serde_json::Value>| v.and_then(|x| x.as_str()).unwrap_or("").to_string();
    let mut out = vec![s(doc.get("kicker")), s(doc.get("title")), s(doc.get("edition"))];
    out.extend(texts_of(doc.get("intro")));
    for sec in doc["sections"].as_array().unwrap() {
        out.push(s(sec.get("heading")));
        if sec.get("type").and_then(|t| t.as_str()) == Some("profile") {
            out.push(s(sec.get("name")));
            out.push(s(sec.get("role")));
        }
        for it in sec.get("body").and_then(|b| b.as_array()).cloned().unwrap_or_default() {
            match &it {
                serde_json::Value::String(p) => out.push(p.clone()),
                _ if it.get("list").is_some() => out.extend(texts_of(it.get("list"))),
                _ if it.get("image").is_some() => out.push(s(it.get("caption"))),
                _ if it.get("quote").is_some() => {
                    out.push(s(it.get("quote")));
                    out.push(s(it.get("by")));
                }
                _ => out.push(s(it.get("subheading"))),
            }
        }
    }
    if let Some(f) = doc.get("footer") {
        out.push(s(f.get("heading")));
        out.extend(texts_of(f.get("text")));
        for c in f.get("contacts").and_then(|c| c.as_array()).cloned().unwrap_or_default() {
            for k in ["name", "role", "email", "phone"] {
                out.push(s(c.get(k)));
            }
        }
        for l in f.get("links").and_then(|c| c.as_array()).cloned().unwrap_or_default() {
            out.push(s(l.get("label")));
        }
        out.push(s(f.get("acknowledgements")));
        out.push(s(f.get("disclaimer")));
    }
    out.iter().filter(|t| !t.is_empty()).map(|t| plain(t)).collect::<Vec<_>>().join("\n")
}

pub fn texts_of(v: Option<&serde_json::Value>) -> Vec<String> {
    match v {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
        _ => vec![],
    }
}

/// Inline Markdown to plain text, as issue-text does it.
pub fn plain(s: &str) -> String {
    // [label](url) -> label; <url> -> url; emphasis markers dropped.
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match (after.find("]("), after.find(']')) {
            (Some(j), Some(k)) if j == k => {
                let label = &after[..j];
                let tail = &after[j + 2..];
                let close = tail.find(')').unwrap_or(tail.len());
                out.push_str(label);
                rest = &tail[(close + 1).min(tail.len())..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace(['<', '>', '*', '`'], "")
}

/// Compare word sequences; on a mismatch, say where, with context.
pub fn same_words(name: &str, want: &[String], got: &[String]) -> Result<(), String> {
    let n = want.len().min(got.len());
    if let Some(i) = (0..n).find(|&i| want[i] != got[i]) {
        let ctx = |v: &[String]| v[i.saturating_sub(8)..(i + 8).min(v.len())].join(" ");
        return Err(format!("{name}: word {i} differs: expected \"{}\", laid out \"{}\"\n  expected: … {} …\n  laid out: … {} …", want[i], got[i], ctx(want), ctx(got)));
    }
    if want.len() != got.len() {
        let extra = if got.len() > want.len() { got[n..].join(" ") } else { want[n..].join(" ") };
        return Err(format!("{name}: {} words expected, {} laid out; the difference at the end: {extra}", want.len(), got.len()));
    }
    Ok(())
}

/// Column geometry of a build: (x of each column, column width).
// ---------------------------------------------------------------- words

pub fn words_in_order(name: &str, issue: &Path, b: &Built) -> Result<(), String> {
    words_in_order_min(name, issue, b, 20)
}

/// [`words_in_order`] for an issue expected to have at least `min_words` words.
pub fn words_in_order_min(name: &str, issue: &Path, b: &Built, min_words: usize) -> Result<(), String> {
    // Everything but captions: exactly the issue's words, in order.
    let want = expected_words(issue, false);
    if want.len() < min_words {
        return Err(format!("{name}: the expected text has only {} words", want.len()));
    }
    same_words(name, &want, &laid_words(b, false))?;
    // Captions go with their figures, which may float: each caption whole, exactly once.
    let mut want_caps: Vec<Vec<String>> = Vec::new();
    for s in &b.doc.sections {
        for it in &s.items {
            if let folio::model::Item::Image(img) = it {
                if let Some(c) = &img.caption {
                    want_caps.push(words(&plain(c)));
                }
            }
        }
    }
    let mut got_caps: BTreeMap<usize, String> = BTreeMap::new();
    for t in texts(b) {
        if let Some(n) = t.node.map(|n| para_of(b, n)).filter(|&n| role(b, n) == Role::Caption) {
            let e = got_caps.entry(n).or_default();
            // Space glyphs carry the word breaks (a line that ends between words ends in one).
            e.push_str(&t.text.replace('\u{AD}', ""));
        }
    }
    let mut got_caps: Vec<Vec<String>> = got_caps.values().map(|s| words(s)).collect();
    want_caps.sort();
    got_caps.sort();
    if want_caps != got_caps {
        return Err(format!("{name}: captions expected {want_caps:?}, laid out {got_caps:?}"));
    }
    // And with captions, the whole text is there exactly once (in some order).
    let mut all_want = expected_words(issue, true);
    let mut all_got = laid_words(b, true);
    all_want.sort();
    all_got.sort();
    if all_want != all_got {
        let (mut a, mut g) = (all_want.iter().peekable(), all_got.iter().peekable());
        let (mut only_want, mut only_got) = (Vec::new(), Vec::new());
        while a.peek().is_some() || g.peek().is_some() {
            match (a.peek(), g.peek()) {
                (Some(x), Some(y)) if x == y => {
                    a.next();
                    g.next();
                }
                (Some(x), Some(y)) if x < y => only_want.extend(a.next()),
                (Some(_), None) => only_want.extend(a.next()),
                _ => only_got.extend(g.next()),
            }
        }
        only_want.truncate(12);
        only_got.truncate(12);
        return Err(format!("{name}: the words with captions differ as multisets: only expected {only_want:?}, only laid out {only_got:?}"));
    }
    Ok(())
}

pub fn para_of(b: &Built, n: usize) -> usize {
    let mut n = n;
    while matches!(role(b, n), Role::Link | Role::Span) {
        match b.laid.document.tree.nodes[n].parent {
            Some(p) => n = p,
            None => break,
        }
    }
    n
}


/// What is wrong with an issue's "In this issue" box, if it has one: each entry's number
/// must be the page its link goes to, and that the page where its section's first text is.
pub fn contents_problems(b: &Built) -> Vec<String> {
    use folio::model::SectionBody;
    let mut out = Vec::new();
    if b.doc.contents.is_none() {
        return out;
    }
    let tree = &b.laid.document.tree;
    let top = |n: usize| {
        let mut k = n;
        while let Some(p) = tree.nodes[k].parent {
            if p == 0 {
                return k;
            }
            k = p;
        }
        k
    };
    let sects: Vec<usize> = tree.nodes[0].children.iter().copied().filter(|&c| tree.nodes[c].role == Role::Sect).collect();
    let mut first_page: BTreeMap<usize, usize> = BTreeMap::new();
    for (pi, page) in b.laid.document.pages.iter().enumerate() {
        for it in &page.items {
            if let Item::Text { mark: Mark::Node(n), .. } = it {
                first_page.entry(top(*n)).or_insert(pi);
            }
        }
    }
    let listed: Vec<usize> = b.doc.sections.iter().enumerate().filter(|(_, s)| s.heading.is_some() || matches!(s.kind, SectionBody::Profile { .. })).filter_map(|(i, _)| sects.get(i).and_then(|s| first_page.get(s)).copied()).collect();
    let links: Vec<usize> = (0..tree.nodes.len()).filter(|&n| tree.nodes[n].role == Role::Link && in_contents(b, n)).collect();
    let mut dests = Vec::new();
    for &l in &links {
        let mut dest = None;
        let mut number = String::new();
        for page in &b.laid.document.pages {
            for it in &page.items {
                match it {
                    Item::Link { node, dest: d, .. } if *node == l => dest = *d,
                    Item::Text { mark: Mark::Node(n), glyphs, .. } if *n == l => number = glyphs.iter().map(|g| g.text.as_str()).collect::<String>(),
                    _ => {}
                }
            }
        }
        match dest {
            Some((p, _)) if number.trim() == (p + 1).to_string() => dests.push(p),
            Some((p, _)) => out.push(format!("entry {:?} shows {number:?} but links to page {}", tree.nodes[l].text, p + 1)),
            None => out.push(format!("entry {:?} has no destination", tree.nodes[l].text)),
        }
    }
    if out.is_empty() && dests != listed {
        out.push(format!("entries link to pages {dests:?}, sections start on {listed:?}"));
    }
    out
}

/// Sentences of the seeds' subject, for paragraphs built to provoke a layout rule.
pub const SENTENCES: &[&str] = &[
    "Link workers support people with needs that are not medical, such as loneliness, debt or housing.",
    "They spend time listening, then connect people with groups and services in their community.",
    "Our study followed link workers in seven parts of the country over two years of change.",
    "We interviewed patients, practice staff and managers, and observed meetings and training.",
    "The findings suggest that continuity matters, and that the role needs time to be understood.",
];

/// A paragraph of `n_sentences` of [`SENTENCES`], starting at `offset`.
pub fn paragraph(n_sentences: usize, offset: usize) -> String {
    (0..n_sentences).map(|i| SENTENCES[(i + offset) % SENTENCES.len()]).collect::<Vec<_>>().join(" ")
}
