//! The JSON source behind a message: comments and trailing commas forgiven, a JSON path
//! located in the text, and the line shown with the place underlined.

use std::borrow::Cow;
use std::ops::Range;

/// The text with `//` and `/* */` comments and trailing commas (before `}` or `]`) blanked
/// out, byte for byte, so line and column numbers still point into the file as written.
/// People paste comments into JSON and leave a comma after the last item; neither changes
/// what they mean.
pub fn forgive(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    if !b.iter().any(|&c| c == b'/' || c == b',') {
        return Cow::Borrowed(text);
    }
    let mut out = b.to_vec();
    let mut i = 0;
    let mut changed = false;
    // The last comma outside a string, while only white space and comments follow it.
    let mut comma: Option<usize> = None;
    while i < b.len() {
        match b[i] {
            b'"' => {
                comma = None;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    out[i] = b' ';
                    i += 1;
                }
                changed = true;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                for o in &mut out[i..end] {
                    if *o != b'\n' {
                        *o = b' ';
                    }
                }
                i = end;
                changed = true;
            }
            b',' => {
                comma = Some(i);
                i += 1;
            }
            b'}' | b']' => {
                if let Some(c) = comma.take() {
                    out[c] = b' ';
                    changed = true;
                }
                i += 1;
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                comma = None;
                i += 1;
            }
        }
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    // Only ASCII bytes outside strings were replaced by spaces: still UTF-8.
    match String::from_utf8(out) {
        Ok(s) => Cow::Owned(s),
        Err(_) => Cow::Borrowed(text),
    }
}

/// 1-based line and column (in characters) of byte `offset`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..floor_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The nearest character boundary at or before byte `i` (clamped to the text).
fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Remove the field at a JSON `path` from `value` (an unknown field set aside); whether it
/// was there.
pub fn remove(value: &mut serde_json::Value, path: &str) -> bool {
    let mut st = steps(path);
    let Some(Step::Key(last)) = st.pop() else { return false };
    let mut v = value;
    for s in &st {
        v = match (s, v) {
            (Step::Key(k), serde_json::Value::Object(m)) => match m.get_mut(k) {
                Some(x) => x,
                None => return false,
            },
            (Step::Index(i), serde_json::Value::Array(a)) => match a.get_mut(*i) {
                Some(x) => x,
                None => return false,
            },
            _ => return false,
        };
    }
    v.as_object_mut().is_some_and(|m| m.shift_remove(&last).is_some())
}

/// The known name closest to a misspelt one, if it is close (a typo, not another word).
pub fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&lower, &k.to_lowercase()), *k))
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance, with a swap of two neighbours counting as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 0..=b.len() {
        d[0][j] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]) as usize;
            let mut best = sub.min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// One step of a JSON path: a field or a list index.
#[derive(Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// `sections[2].body[0].image` as steps.
fn steps(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Step::Key(key.to_string()));
        }
        for idx in rest.split('[') {
            if let Ok(n) = idx.trim_end_matches(']').parse() {
                out.push(Step::Index(n));
            }
        }
    }
    out
}

/// The byte range of the value at a JSON `path` in `text`; for an object or list that
/// spans lines, its first line only.
pub fn locate(text: &str, path: &str) -> Option<Range<usize>> {
    let text = forgive(text);
    let mut s = Scan { b: text.as_bytes(), i: 0 };
    let target = steps(path);
    s.ws();
    for step in &target {
        match step {
            Step::Key(k) => {
                if s.peek()? != b'{' {
                    return None;
                }
                s.i += 1;
                loop {
                    s.ws();
                    if s.peek()? != b'"' {
                        return None;
                    }
                    let key = s.string()?;
                    s.ws();
                    if s.peek()? != b':' {
                        return None;
                    }
                    s.i += 1;
                    s.ws();
                    if key == *k {
                        break;
                    }
                    s.value()?;
                    s.ws();
                    if s.peek()? != b',' {
                        return None;
                    }
                    s.i += 1;
                }
            }
            Step::Index(n) => {
                if s.peek()? != b'[' {
                    return None;
                }
                s.i += 1;
                for _ in 0..*n {
                    s.ws();
                    s.value()?;
                    s.ws();
                    if s.peek()? != b',' {
                        return None;
                    }
                    s.i += 1;
                }
                s.ws();
            }
        }
    }
    let start = s.i;
    let end = s.value().map_or(start + 1, |_| s.i);
    // A value that spans lines is shown by its first line.
    let line_end = text[start..].find('\n').map_or(text.len(), |e| start + e);
    let end = end.min(line_end).max(start + 1).min(text.len());
    (start < text.len()).then_some(start..end)
}

/// The key of the field at `path` (an unknown field is shown by its name).
pub fn locate_key(text: &str, path: &str) -> Option<Range<usize>> {
    let value = locate(text, path)?;
    let b = text.as_bytes();
    let mut i = value.start;
    // Back over the white space and the colon to the key's closing quote.
    while i > 0 && (b[i - 1].is_ascii_whitespace() || b[i - 1] == b':') {
        i -= 1;
    }
    let end = i;
    if end == 0 || b[end - 1] != b'"' {
        return None;
    }
    let start = text[..end - 1].rfind('"')?;
    Some(start..end)
}

/// The JSON token that starts at `at`: a string to its closing quote, a number or word to
/// its end, else one character.
pub fn token_at(text: &str, at: usize) -> Range<usize> {
    let mut s = Scan { b: text.as_bytes(), i: at };
    match s.peek() {
        Some(b'{' | b'[') | None => at..at + 1,
        Some(_) => match s.value() {
            Some(()) => at..s.i.max(at + 1),
            None => at..at + 1,
        },
    }
}

/// The place of `path`, or of the nearest enclosing value that is there (a missing field
/// is shown by the object that lacks it).
pub fn locate_nearest(text: &str, path: &str) -> Option<Range<usize>> {
    let mut p = path;
    loop {
        if let Some(r) = locate(text, p) {
            return Some(r);
        }
        let cut = p.rfind(['.', '['])?;
        p = &p[..cut];
        if p.is_empty() {
            return None;
        }
    }
}

/// A forgiving scanner over JSON bytes.
struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    /// A string's contents (escapes kept as written), the scanner after its closing quote.
    fn string(&mut self) -> Option<String> {
        let start = self.i + 1;
        self.i += 1;
        while self.peek()? != b'"' {
            self.i += if self.peek()? == b'\\' { 2 } else { 1 };
        }
        let s = String::from_utf8_lossy(self.b.get(start..self.i)?).into_owned();
        self.i += 1;
        Some(s)
    }

    /// Skip one value.
    fn value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.i += 1;
                let mut depth = 1usize;
                while depth > 0 {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        c if c == open => depth += 1,
                        c if c == close => depth -= 1,
                        _ => {}
                    }
                    self.i += 1;
                }
                Some(())
            }
            _ => {
                let start = self.i;
                while self.peek().is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace()) {
                    self.i += 1;
                }
                (self.i > start).then_some(())
            }
        }
    }
}

/// The byte offset of 1-based `line` and `column` (characters) in `text`.
pub fn offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let start = if line <= 1 { 0 } else { text.match_indices('\n').nth(line - 2)?.0 + 1 };
    let rest = &text[start..];
    let col = column.saturating_sub(1);
    Some(start + rest.char_indices().nth(col).map_or(rest.find('\n').unwrap_or(rest.len()), |(i, _)| i))
}

/// The source line of a message, underlined, as codespan-reporting draws it; `None` when
/// the place cannot be found. `colour` adds terminal colours.
pub fn snippet(file: &str, text: &str, span: Range<usize>, note: &str, colour: bool) -> Option<String> {
    use codespan_reporting::diagnostic::{Diagnostic, Label};
    use codespan_reporting::files::SimpleFile;
    use codespan_reporting::term::{self, termcolor::Buffer};
    if span.start > text.len() || !text.is_char_boundary(span.start) {
        return None;
    }
    let end = floor_boundary(text, span.end.max(span.start));
    // A very long line (minified JSON) is not worth printing whole.
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[span.start..].find('\n').map_or(text.len(), |i| span.start + i);
    if line_end - line_start > SNIPPET_LINE_MAX {
        return None;
    }
    let files = SimpleFile::new(file, text);
    let d = Diagnostic::note().with_labels(vec![Label::primary((), span.start..end).with_message(note)]);
    let mut buf = if colour { Buffer::ansi() } else { Buffer::no_color() };
    let config = term::Config { before_label_lines: 1, after_label_lines: 0, ..Default::default() };
    term::emit(&mut buf, &config, &files, &d).ok()?;
    let s = String::from_utf8_lossy(buf.as_slice()).into_owned();
    // Drop codespan's own "note:" header line: the message is printed above.
    Some(s.lines().skip(1).map(|l| format!("{l}\n")).collect::<String>().trim_end().to_string())
}

/// Longer source lines are not shown (the message and position still are).
const SNIPPET_LINE_MAX: usize = 300;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_trailing_commas_are_blanked_in_place() {
        let t = "{\n  // a note\n  \"a\": [1, 2,], /* x */ \"b\": \"//not\",\n}";
        let f = forgive(t);
        assert_eq!(f.len(), t.len());
        let v: serde_json::Value = serde_json::from_str(&f).unwrap();
        assert_eq!(v["b"], "//not");
        assert_eq!(v["a"].as_array().unwrap().len(), 2);
        // Line structure kept.
        assert_eq!(f.lines().count(), t.lines().count());
    }

    #[test]
    fn a_json_path_is_found_in_the_text() {
        let t = "{\n  \"title\": \"x\",\n  \"sections\": [\n    { \"heading\": \"a\" },\n    { \"body\": [\"p\", { \"image\": \"ph.jpg\" }] }\n  ]\n}";
        let r = locate(t, "sections[1].body[1].image").unwrap();
        assert_eq!(&t[r], "\"ph.jpg\"");
        let r = locate(t, "sections[0]").unwrap();
        assert_eq!(&t[r], "{ \"heading\": \"a\" }");
        assert!(locate(t, "sections[5]").is_none());
        assert!(locate(t, "nothing").is_none());
    }

    #[test]
    fn the_snippet_shows_the_line_and_underlines_the_place() {
        let t = "{\n  \"title\": \"\",\n  \"edition\": \"x\"\n}";
        let r = locate(t, "title").unwrap();
        let s = snippet("issue.json", t, r, "title", false).unwrap();
        assert!(s.contains("issue.json:2:12"), "{s}");
        assert!(s.contains("\"title\": \"\""), "{s}");
        assert!(s.contains("^^"), "{s}");
    }

    #[test]
    fn a_typo_finds_the_field_meant() {
        let known = ["title", "edition", "language", "sections"];
        assert_eq!(closest("langauge", &known), Some("language"));
        assert_eq!(closest("Title", &known), Some("title"));
        assert_eq!(closest("sectons", &known), Some("sections"));
        assert_eq!(closest("colour", &known), None);
    }

    #[test]
    fn an_unknown_field_is_removed_by_its_path() {
        let mut v: serde_json::Value = serde_json::from_str(r#"{"a": [{"b": 1, "c": 2}]}"#).unwrap();
        assert!(remove(&mut v, "a[0].c"));
        assert_eq!(v, serde_json::json!({"a": [{"b": 1}]}));
        assert!(!remove(&mut v, "a[3].c"));
    }

    #[test]
    fn line_and_column_give_the_offset() {
        assert_eq!(line_col("ab\ncdé\nf", 5), (2, 3));
        let t = "ab\ncdé\nf";
        assert_eq!(offset(t, 1, 1), Some(0));
        assert_eq!(offset(t, 2, 3), Some(5));
        assert_eq!(offset(t, 3, 1), Some(t.len() - 1));
    }
}
