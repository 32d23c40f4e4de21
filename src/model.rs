//! The issue file: parse and validate the JSON a user writes (SPEC §2).

use crate::error::{InputError, InputErrors};
use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// One issue of a newsletter.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Issue {
    /// The JSON Schema the file follows, for editors (e.g. the output of `folio schema`);
    /// Folio ignores it.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The newsletter's title, set large in the masthead.
    pub title: String,
    /// Which issue this is, e.g. "December 2023"; shown in the masthead and running footer.
    pub edition: String,
    /// A short line above the title, e.g. "Study update".
    #[serde(default)]
    pub kicker: Option<String>,
    /// BCP 47 language tag (default `en-GB`): drives hyphenation and the PDF's /Lang.
    #[serde(default)]
    pub language: Option<String>,
    /// Path to a brand file, relative to this issue file.
    #[serde(default)]
    pub brand: Option<String>,
    /// Page size and column count; overrides the brand.
    #[serde(default)]
    pub page: Option<PageOverride>,
    /// Opening text, set larger and full width under the masthead.
    #[serde(default)]
    pub intro: Option<Texts>,
    /// The sections, in reading order (at least one).
    pub sections: Vec<Section>,
    /// The contact footer at the end of the last page.
    #[serde(default)]
    pub footer: Option<Footer>,
    /// An "In this issue" box on page 1: each section's heading (a profile's name) with
    /// the page it starts on, linked to it. `true` for the title in the issue's language,
    /// or the title to show.
    #[serde(default)]
    pub contents: Option<ContentsField>,
}

/// `contents`: on or off, or the box's title.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ContentsField {
    On(bool),
    Title(String),
}

/// Page settings an issue may override.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageOverride {
    #[serde(default)]
    pub size: Option<PageSize>,
    /// 1 to 4.
    #[serde(default)]
    pub columns: Option<u32>,
}

/// Supported page sizes.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, JsonSchema)]
pub enum PageSize {
    A4,
    A5,
    Letter,
}

impl PageSize {
    /// Width and height in points.
    pub fn points(self) -> (f32, f32) {
        match self {
            PageSize::A4 => (595.276, 841.89),
            PageSize::A5 => (419.528, 595.276),
            PageSize::Letter => (612.0, 792.0),
        }
    }
}

/// A string or a list of strings (each string one paragraph).
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Texts {
    One(String),
    #[default]
    #[serde(skip)]
    None,
    Many(Vec<String>),
}

impl Texts {
    pub fn paragraphs(&self) -> Vec<&str> {
        match self {
            Texts::One(s) => vec![s.as_str()],
            Texts::Many(v) => v.iter().map(|s| s.as_str()).collect(),
            Texts::None => vec![],
        }
    }
}

impl<'de> Deserialize<'de> for Texts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Texts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Texts, E> {
                Ok(Texts::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Texts, A::Error> {
                Vec::<String>::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Texts::Many)
            }
        }
        d.deserialize_any(V)
    }
}

/// What kind of section.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SectionKind {
    #[default]
    Section,
    Profile,
    Callout,
}

/// Whether a section runs in a column or across the page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Span {
    #[default]
    Column,
    Full,
}

/// A section: `section` (default), `profile` ("meet the team") or `callout`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    #[serde(rename = "type", default)]
    pub kind: SectionKind,
    #[serde(default)]
    pub heading: Option<String>,
    /// The body: a list of items, or one string (a single paragraph), as `intro` takes.
    #[serde(default, deserialize_with = "body_items")]
    #[schemars(with = "BodyField")]
    pub body: Vec<BodyItem>,
    /// `column` (default) or `full` (sections only).
    #[serde(default)]
    pub span: Option<Span>,
    /// Profile: the person's name.
    #[serde(default)]
    pub name: Option<String>,
    /// Profile: the person's role.
    #[serde(default)]
    pub role: Option<String>,
    /// Profile: path to the portrait photo.
    #[serde(default)]
    pub photo: Option<String>,
    /// Profile: the photo's alt text.
    #[serde(default)]
    pub alt: Option<String>,
    /// Profile: where the photo's centre of interest is, `[x, y]` as 0–1 fractions.
    #[serde(default)]
    pub focus: Option<[f32; 2]>,
}

/// An item of a section body.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum BodyItem {
    /// A paragraph (inline Markdown).
    Paragraph(String),
    /// A list, an image, a pull quote or a subheading.
    Block(Block),
}

/// The object forms of a body item: exactly one of `list`, `image`, `quote`, `subheading`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Block {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numbered: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<ImageWidth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decorative: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focus: Option<[f32; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subheading: Option<String>,
}

/// Image width: one column or the whole text width.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImageWidth {
    #[default]
    Column,
    Full,
}

impl<'de> Deserialize<'de> for BodyItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BodyItem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a paragraph string or an object with one of list, image, quote, subheading")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<BodyItem, E> {
                Ok(BodyItem::Paragraph(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<BodyItem, A::Error> {
                Block::deserialize(de::value::MapAccessDeserializer::new(map)).map(BodyItem::Block)
            }
        }
        d.deserialize_any(V)
    }
}

/// The schema of `body`: a list of items or one paragraph string.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum BodyField {
    One(String),
    Many(Vec<BodyItem>),
}

/// `body` as a list of items, or one string as a one-paragraph list.
fn body_items<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<BodyItem>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<BodyItem>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of body items or a paragraph string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<BodyItem>, E> {
            Ok(vec![BodyItem::Paragraph(v.to_string())])
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<BodyItem>, A::Error> {
            let mut v = Vec::new();
            while let Some(item) = seq.next_element()? {
                v.push(item);
            }
            Ok(v)
        }
    }
    d.deserialize_any(V)
}

/// The contact footer.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Footer {
    /// Default "Stay in touch".
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub text: Option<Texts>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub links: Vec<FooterLink>,
    #[serde(default)]
    pub acknowledgements: Option<String>,
    #[serde(default)]
    pub disclaimer: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FooterLink {
    pub label: String,
    pub url: String,
}

/// A validated body item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Paragraph(String),
    List { items: Vec<String>, numbered: bool },
    Image(ImageItem),
    Quote { text: String, by: Option<String> },
    Subheading(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageItem {
    /// Resolved path on disk.
    pub path: PathBuf,
    /// As written in the issue (for messages).
    pub written: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub full: bool,
    pub focus: [f32; 2],
    /// JSON path of the item, for messages.
    pub json_path: String,
}

/// A validated section.
#[derive(Debug, Clone, PartialEq)]
pub enum SectionBody {
    Section { full: bool },
    Profile { name: String, role: Option<String>, photo: Option<ImageItem> },
    Callout,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidSection {
    pub kind: SectionBody,
    pub heading: Option<String>,
    pub items: Vec<Item>,
    pub json_path: String,
}

/// A parsed and validated issue, paths resolved.
#[derive(Debug, Clone)]
pub struct Doc {
    pub file: PathBuf,
    pub title: String,
    pub edition: String,
    pub kicker: Option<String>,
    pub language: String,
    pub brand: Option<PathBuf>,
    pub page: PageOverride,
    pub intro: Vec<String>,
    pub sections: Vec<ValidSection>,
    pub footer: Option<Footer>,
    /// The "In this issue" box, when asked for: its title (`None` for the language's).
    pub contents: Option<Option<String>>,
}

/// Read, parse and validate an issue file.
pub fn load(file: &Path) -> Result<Doc, InputErrors> {
    let text = crate::files::read_text(file).map_err(|m| InputErrors(vec![InputError::new(file, "", format!("cannot read the issue file: {m}"))]))?;
    parse(file, &text)
}

/// At most this many unknown fields are reported (and set aside) in one pass.
const UNKNOWN_FIELDS_MAX: usize = 50;

/// Parse JSON text into a serde type, with file, line, column and JSON path in errors.
/// Comments and trailing commas are forgiven ([`crate::source::forgive`]). An unknown field
/// (a typo) does not hide the rest: each is reported and set aside, and the rest is read,
/// so the value comes back with the errors and can still be checked further.
pub fn parse_json<T: for<'de> Deserialize<'de>>(file: &Path, text: &str) -> (Option<T>, Vec<InputError>) {
    let text = crate::source::forgive(text);
    let mut next = match parse_strict(file, &text) {
        Ok(v) => return (Some(v), Vec::new()),
        Err(e) if !is_unknown_field(&e.message) => return (None, vec![e]),
        Err(e) => e,
    };
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&text) else { return (None, vec![next]) };
    let mut errs: Vec<InputError> = Vec::new();
    loop {
        let removed = is_unknown_field(&next.message) && crate::source::remove(&mut value, &next.path);
        errs.push(next);
        if !removed || errs.len() >= UNKNOWN_FIELDS_MAX {
            return (None, errs);
        }
        match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(v) => return (Some(v), errs),
            Err(e) => {
                let path = e.path().to_string();
                next = input_error(file, &text, &path, &e.into_inner().to_string(), None);
            }
        }
    }
}

fn is_unknown_field(message: &str) -> bool {
    message.starts_with("unknown field")
}

/// An error from serde in our words, placed in the text: at the unknown field's name, else
/// at the value its JSON path names, else where the parser stopped (`at`).
fn input_error(file: &Path, text: &str, path: &str, raw: &str, at: Option<(usize, usize)>) -> InputError {
    let path = clean_path(path);
    let place = if path.is_empty() {
        None
    } else if is_unknown_field(raw) {
        crate::source::locate_key(text, &path)
    } else {
        crate::source::locate(text, &path)
    };
    let position = place.map(|r| crate::source::line_col(text, r.start)).or(at);
    InputError { file: file.to_path_buf(), position, path, message: field_message(&plain_message(&strip_position(raw))) }
}

/// serde_path_to_error's path in our words ("?" for a place it cannot name, e.g. after a
/// trailing comma, dropped).
fn clean_path(path: &str) -> String {
    let path = path.trim_end_matches(".?").trim_end_matches('?');
    if path == "." { String::new() } else { path.to_string() }
}

/// An unknown field's message with the likely meant field, or a hint to check the spelling.
fn field_message(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field \"") else { return message.to_string() };
    let Some((name, rest)) = rest.split_once('"') else { return message.to_string() };
    let known: Vec<&str> = rest.split('"').skip(1).step_by(2).collect();
    match crate::source::closest(name, &known) {
        Some(k) => format!("unknown field \"{name}\": did you mean \"{k}\"? (fields here: {})", known.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ")),
        None => format!("{message} (check the spelling: unknown fields are not allowed)"),
    }
}

/// Parse JSON text in one go; the first problem is the error.
fn parse_strict<T: for<'de> Deserialize<'de>>(file: &Path, text: &str) -> Result<T, InputError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let value = result.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let at = (inner.line() > 0).then(|| (inner.line(), inner.column().max(1)));
        input_error(file, text, &path, &inner.to_string(), at)
    })?;
    de.end().map_err(|e| InputError {
        file: file.to_path_buf(),
        position: Some((e.line().max(1), e.column().max(1))),
        path: String::new(),
        message: plain_message(&strip_position(&e.to_string())),
    })?;
    Ok(value)
}

/// A serde or JSON syntax message in the words of the format, not of Rust: no type names
/// (`u32`, `struct Issue`), odd characters shown as `U+200B`, and what to do where it helps.
pub fn plain_message(msg: &str) -> String {
    if msg.starts_with("invalid length") && msg.contains("expected struct") {
        return "expected an object ({ … }) here, not a list: see `folio schema` for the fields".into();
    }
    let fixed = [
        ("data did not match any variant of untagged enum ColourSpec", "this colour has the wrong form: write \"#RRGGBB\", or { \"rgb\": \"#RRGGBB\", \"cmyk\": [c, m, y, k] } with the print inks in percent"),
        ("data did not match any variant of untagged enum ContentsField", "contents is true, false or the box's title in quotes"),
        ("data did not match any variant", "this value has the wrong form here (for a font, a family name in quotes or an object of files): see `folio schema`"),
        ("expected value", "this value has the wrong kind here (for a choice, give one of its names in quotes): see `folio schema`"),
        ("unexpected end of hex escape", "a \\u escape is broken or stands alone (e.g. \\ud800, half of a character): remove it or write the character itself"),
        ("lone leading surrogate in hex escape", "a \\u escape is half of a character (e.g. \\ud800 alone): remove it or write the character itself"),
        ("invalid unicode code point", "a \\u escape is not a character: remove it or write the character itself"),
        ("EOF while parsing a value", "the file ends where a value should be: it is empty or cut short"),
        ("EOF while parsing an object", "the file ends inside an object: a closing } is missing"),
        ("EOF while parsing a list", "the file ends inside a list: a closing ] is missing"),
        ("EOF while parsing a string", "the file ends inside a text: a closing quote is missing"),
        ("trailing comma", "a comma before a closing bracket: remove it"),
        ("key must be a string", "a field name must be in straight double quotes (\"name\"); curly quotes (from a word processor) are not JSON"),
        ("trailing characters", "there is more after the end of the JSON: remove it"),
        ("control character (\\u0000-\\u001F) found while parsing a string", "a text contains a raw line break or tab: write it as \\n or remove it"),
    ];
    for (k, v) in fixed {
        if msg.starts_with(k) {
            return v.to_string();
        }
    }
    let mut s = msg.to_string();
    for (rust, plain) in [
        ("expected u8", "expected a whole number"),
        ("expected u16", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected u64", "expected a whole number"),
        ("expected usize", "expected a whole number"),
        ("expected i32", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected f32", "expected a number"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected a list ([ … ])"),
        ("expected a map", "expected an object ({ … })"),
        ("expected a boolean", "expected true or false"),
        ("expected a string", "expected a text in quotes"),
        ("expected a borrowed string", "expected a text in quotes"),
        ("invalid type: map", "invalid type: an object"),
        ("invalid type: sequence", "invalid type: a list"),
        ("invalid type: unit value", "invalid type: null"),
        ("invalid type: floating point", "invalid type: the number"),
        ("invalid type: integer", "invalid type: the number"),
        ("invalid value: integer", "invalid value: the number"),
        ("invalid type: string", "invalid type: the text"),
        ("invalid type: boolean", "invalid type:"),
        ("invalid type", "wrong kind of value"),
        ("invalid value", "value not allowed"),
        ("unknown variant", "unknown name"),
    ] {
        s = s.replace(rust, plain);
    }
    // `struct X`, `enum X`, `tuple struct X` and the like: Rust's names for the format's parts.
    for kind in ["expected struct ", "expected enum ", "expected tuple struct ", "expected unit struct ", "expected newtype struct "] {
        if let Some(i) = s.find(kind) {
            let end = s[i + kind.len()..].find(|c: char| !c.is_alphanumeric() && c != '_').map_or(s.len(), |j| i + kind.len() + j);
            s.replace_range(i..end, "expected an object or value of the right kind (see `folio schema`)");
        }
    }
    if s.contains("the number") && s.contains("whole number") && s.contains("value not allowed") {
        s.push_str(" (too large, or negative)");
    }
    // (Odd characters and long values are shown by `error::tame` when the message is printed.)
    unquote_numbers(&s).replace('`', "\"")
}

/// serde writes numbers as `5`: shown bare, so they do not read as text.
fn unquote_numbers(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('`') {
        let Some(j) = rest[i + 1..].find('`') else { break };
        let inner = &rest[i + 1..i + 1 + j];
        out.push_str(&rest[..i]);
        if inner.parse::<f64>().is_ok() {
            out.push_str(inner);
        } else {
            out.push_str(&rest[i..i + j + 2]);
        }
        rest = &rest[i + j + 2..];
    }
    out.push_str(rest);
    out
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Parse and validate issue JSON text; `file` is used for messages and relative paths.
pub fn parse(file: &Path, text: &str) -> Result<Doc, InputErrors> {
    let (issue, mut errs) = parse_json::<Issue>(file, text);
    let Some(issue) = issue else { return Err(InputErrors(errs)) };
    // Unknown fields set aside, the rest is checked too: every problem in one pass.
    match validate(file, issue) {
        Ok(doc) if errs.is_empty() => Ok(doc),
        Ok(_) => Err(InputErrors(errs)),
        Err(more) => {
            errs.extend(more.0);
            Err(InputErrors(errs))
        }
    }
}

fn resolve(file: &Path, rel: &str) -> PathBuf {
    let base = file.parent().unwrap_or_else(|| Path::new("."));
    base.join(rel)
}

fn nonblank(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|t| t.trim().to_string()).filter(|t| !is_blank(t))
}

fn validate(file: &Path, issue: Issue) -> Result<Doc, InputErrors> {
    let mut errs: Vec<InputError> = Vec::new();
    let mut err = |path: String, msg: String| errs.push(InputError::new(file, path, msg));

    if is_blank(&issue.title) {
        err("title".into(), "the title is empty: give the newsletter a title".into());
    }
    if is_blank(&issue.edition) {
        err("edition".into(), "the edition is empty: say which issue this is, e.g. \"December 2023\"".into());
    }
    let language = issue.language.clone().unwrap_or_else(|| "en-GB".to_string());
    if !valid_language_tag(&language) {
        err("language".into(), format!("\"{language}\" is not a BCP 47 language tag: write e.g. \"en-GB\", \"fr\" or \"de-DE\""));
    }
    if let Some(p) = &issue.page {
        if let Some(c) = p.columns {
            if !(1..=4).contains(&c) {
                err("page.columns".into(), format!("{c} columns: choose 1 to 4"));
            }
        }
    }
    if issue.sections.is_empty() {
        err("sections".into(), "there are no sections: add at least one".into());
    }
    let contents = match &issue.contents {
        None | Some(ContentsField::On(false)) => None,
        Some(ContentsField::On(true)) => Some(None),
        Some(ContentsField::Title(t)) if t.trim().is_empty() => {
            err("contents".into(), "the contents title is empty: give a title, or true for the default".into());
            None
        }
        Some(ContentsField::Title(t)) => Some(Some(t.trim().to_string())),
    };
    let intro: Vec<String> = issue.intro.as_ref().map(|t| t.paragraphs().iter().map(|s| s.to_string()).collect()).unwrap_or_default();

    let mut sections = Vec::new();
    for (si, s) in issue.sections.iter().enumerate() {
        let sp = format!("sections[{si}]");
        let kind = match s.kind {
            SectionKind::Section => {
                for (name, present) in [("name", s.name.is_some()), ("role", s.role.is_some()), ("photo", s.photo.is_some()), ("alt", s.alt.is_some()), ("focus", s.focus.is_some())] {
                    if present {
                        err(format!("{sp}.{name}"), format!("only a profile section has a {name}: add \"type\": \"profile\" or remove it"));
                    }
                }
                SectionBody::Section { full: s.span == Some(Span::Full) }
            }
            SectionKind::Callout => {
                for (name, present) in [("name", s.name.is_some()), ("role", s.role.is_some()), ("photo", s.photo.is_some()), ("alt", s.alt.is_some()), ("focus", s.focus.is_some())] {
                    if present {
                        err(format!("{sp}.{name}"), format!("a callout has no {name}: remove it, or make the section \"type\": \"profile\""));
                    }
                }
                if s.span.is_some() {
                    err(format!("{sp}.span"), "span applies to ordinary sections only: remove it".into());
                }
                SectionBody::Callout
            }
            SectionKind::Profile => {
                if s.span.is_some() {
                    err(format!("{sp}.span"), "span applies to ordinary sections only: remove it".into());
                }
                let name = match nonblank(&s.name) {
                    Some(n) => n,
                    None => {
                        err(format!("{sp}.name"), "a profile needs the person's name: add \"name\"".into());
                        String::new()
                    }
                };
                let photo = s.photo.as_ref().map(|p| ImageItem {
                    path: resolve(file, p),
                    written: p.clone(),
                    alt: nonblank(&s.alt),
                    caption: None,
                    full: false,
                    focus: s.focus.unwrap_or([0.5, 0.35]),
                    json_path: format!("{sp}.photo"),
                });
                if let Some(f) = s.focus {
                    check_focus(&mut err, &format!("{sp}.focus"), f);
                }
                if s.photo.is_some() && nonblank(&s.alt).is_none() {
                    err(format!("{sp}.alt"), "a profile photo needs alt text for screen readers: add \"alt\", e.g. \"Portrait of …\"".into());
                }
                if s.photo.is_none() && s.alt.is_some() {
                    err(format!("{sp}.alt"), "alt text without a photo: add \"photo\" or remove \"alt\"".into());
                }
                SectionBody::Profile { name, role: nonblank(&s.role), photo }
            }
        };
        if let Some(h) = &s.heading {
            if is_blank(h) {
                err(format!("{sp}.heading"), "the heading is empty: write one or remove the field".into());
            }
        }
        if s.body.is_empty() && s.kind != SectionKind::Profile {
            err(format!("{sp}.body"), "the section has no body: add at least one paragraph".into());
        }
        let mut items = Vec::new();
        for (bi, b) in s.body.iter().enumerate() {
            let bp = format!("{sp}.body[{bi}]");
            match b {
                BodyItem::Paragraph(t) => {
                    if is_blank(t) {
                        err(bp, "an empty paragraph: remove it".into());
                    } else {
                        items.push(Item::Paragraph(t.clone()));
                    }
                }
                BodyItem::Block(bl) => {
                    let kinds: Vec<&str> = [("list", bl.list.is_some()), ("image", bl.image.is_some()), ("quote", bl.quote.is_some()), ("subheading", bl.subheading.is_some())]
                        .iter()
                        .filter(|(_, p)| *p)
                        .map(|(n, _)| *n)
                        .collect();
                    if kinds.len() != 1 {
                        let msg = if kinds.is_empty() {
                            "this object is not a body item: give it one of \"list\", \"image\", \"quote\" or \"subheading\"".to_string()
                        } else {
                            format!("one body item cannot be both {}: split it into separate items", kinds.join(" and "))
                        };
                        err(bp, msg);
                        continue;
                    }
                    let stray = |fields: &[(&str, bool)], what: &str, err: &mut dyn FnMut(String, String)| {
                        for (n, p) in fields {
                            if *p {
                                err(format!("{bp}.{n}"), format!("\"{n}\" does not apply to {what}: remove it"));
                            }
                        }
                    };
                    match kinds[0] {
                        "list" => {
                            stray(&[("alt", bl.alt.is_some()), ("caption", bl.caption.is_some()), ("width", bl.width.is_some()), ("decorative", bl.decorative.is_some()), ("focus", bl.focus.is_some()), ("by", bl.by.is_some())], "a list", &mut err);
                            let list = bl.list.clone().unwrap_or_default();
                            if list.is_empty() {
                                err(format!("{bp}.list"), "the list is empty: add items or remove it".into());
                            }
                            for (li, t) in list.iter().enumerate() {
                                if is_blank(t) {
                                    err(format!("{bp}.list[{li}]"), "an empty list item: remove it".into());
                                }
                            }
                            items.push(Item::List { items: list, numbered: bl.numbered.unwrap_or(false) });
                        }
                        "image" => {
                            stray(&[("numbered", bl.numbered.is_some()), ("by", bl.by.is_some())], "an image", &mut err);
                            let written = bl.image.clone().unwrap_or_default();
                            if is_blank(&written) {
                                err(format!("{bp}.image"), "the image path is empty".into());
                            }
                            let decorative = bl.decorative.unwrap_or(false);
                            let alt = nonblank(&bl.alt);
                            if alt.is_none() && !decorative {
                                err(format!("{bp}.alt"), "an image needs alt text for screen readers: add \"alt\" describing it, or \"decorative\": true if it carries no information".into());
                            }
                            if let Some(f) = bl.focus {
                                check_focus(&mut err, &format!("{bp}.focus"), f);
                            }
                            items.push(Item::Image(ImageItem {
                                path: resolve(file, &written),
                                written,
                                alt: if decorative { None } else { alt },
                                caption: nonblank(&bl.caption),
                                full: bl.width == Some(ImageWidth::Full),
                                focus: bl.focus.unwrap_or([0.5, 0.5]),
                                json_path: format!("{bp}.image"),
                            }));
                        }
                        "quote" => {
                            stray(&[("numbered", bl.numbered.is_some()), ("alt", bl.alt.is_some()), ("caption", bl.caption.is_some()), ("width", bl.width.is_some()), ("decorative", bl.decorative.is_some()), ("focus", bl.focus.is_some())], "a quote", &mut err);
                            let q = bl.quote.clone().unwrap_or_default();
                            if is_blank(&q) {
                                err(format!("{bp}.quote"), "the quote is empty".into());
                            }
                            items.push(Item::Quote { text: q, by: nonblank(&bl.by) });
                        }
                        _ => {
                            stray(&[("numbered", bl.numbered.is_some()), ("alt", bl.alt.is_some()), ("caption", bl.caption.is_some()), ("width", bl.width.is_some()), ("decorative", bl.decorative.is_some()), ("focus", bl.focus.is_some()), ("by", bl.by.is_some())], "a subheading", &mut err);
                            let t = bl.subheading.clone().unwrap_or_default();
                            if is_blank(&t) {
                                err(format!("{bp}.subheading"), "the subheading is empty".into());
                            }
                            items.push(Item::Subheading(t));
                        }
                    }
                }
            }
        }
        sections.push(ValidSection { kind, heading: nonblank(&s.heading), items, json_path: sp });
    }
    if let Some(f) = &issue.footer {
        for (ci, c) in f.contacts.iter().enumerate() {
            if is_blank(&c.name) {
                err(format!("footer.contacts[{ci}].name"), "the contact's name is empty".into());
            }
            if let Some(e) = &c.email {
                if !looks_like_email(e) {
                    err(format!("footer.contacts[{ci}].email"), format!("\"{e}\" does not look like an e-mail address (name@example.org)"));
                }
            }
        }
        for (li, l) in f.links.iter().enumerate() {
            if is_blank(&l.label) {
                err(format!("footer.links[{li}].label"), "the link has no label: say where it goes".into());
            }
            if is_blank(&l.url) {
                err(format!("footer.links[{li}].url"), "the link has no URL".into());
            }
        }
    }
    if !errs.is_empty() {
        return Err(InputErrors(errs));
    }
    Ok(Doc {
        file: file.to_path_buf(),
        title: issue.title.trim().to_string(),
        edition: issue.edition.trim().to_string(),
        kicker: nonblank(&issue.kicker),
        language,
        brand: issue.brand.as_ref().map(|b| resolve(file, b)),
        page: issue.page.clone().unwrap_or_default(),
        intro,
        sections,
        footer: issue.footer.clone(),
        contents,
    })
}

fn check_focus(err: &mut dyn FnMut(String, String), path: &str, f: [f32; 2]) {
    if !(0.0..=1.0).contains(&f[0]) || !(0.0..=1.0).contains(&f[1]) || f.iter().any(|v| !v.is_finite()) {
        err(path.to_string(), format!("focus [{}, {}] is outside the photo: use fractions from 0 to 1, e.g. [0.5, 0.3]", f[0], f[1]));
    }
}

/// A loose check: `name@domain.tld`, no spaces.
pub fn looks_like_email(e: &str) -> bool {
    let e = e.trim();
    match e.split_once('@') {
        Some((a, b)) => !a.is_empty() && b.contains('.') && !b.starts_with('.') && !b.ends_with('.') && !e.contains(char::is_whitespace),
        None => false,
    }
}

/// BCP 47 shape: letters/digits subtags separated by `-`, the first (the language) of 2 or 3
/// letters (`en`, `cy`, `haw`): a name such as "English" is not a tag.
pub fn valid_language_tag(tag: &str) -> bool {
    // Well-formed by RFC 5646's grammar (the `language-tags` crate); a well-formed tag of
    // an unknown language ("xx") is not refused here: it warns later, with no hyphenation.
    language_tags::LanguageTag::parse(tag).is_ok_and(|t| !t.primary_language().is_empty() && t.primary_language().len() <= 3)
}


/// Whether a character is invisible: white space, a control or format character, a
/// zero-width or joiner, a variation selector, a filler.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Whether a string has nothing visible in it (only invisible characters, or none).
pub fn is_blank(s: &str) -> bool {
    s.chars().all(is_invisible)
}
