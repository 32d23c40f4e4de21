//! Inline markup to styled runs: CommonMark emphasis, strong, links; bare URLs and e-mails linked.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// A run of text with one style and at most one link.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    /// Link target (`https://…` or `mailto:…`).
    pub link: Option<String>,
    /// A hard line break after this run.
    pub hard_break: bool,
}

impl Run {
    pub fn plain(text: &str) -> Run {
        Run { text: text.to_string(), bold: false, italic: false, link: None, hard_break: false }
    }
}

/// Escape what would start a block construct, so only inline Markdown is interpreted.
fn neutralise_blocks(s: &str) -> String {
    // Control characters have no glyph and no place in running text.
    let s: String = s.chars().map(|c| if c == '\t' || c == '\n' || c == '\r' { ' ' } else { c }).filter(|c| !c.is_control()).collect();
    let s = s.as_str();
    let one_line: String = s.split(['\n', '\r']).map(|l| l.trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
    let t = one_line.trim_start();
    let bytes = t.as_bytes();
    let needs = match bytes.first() {
        Some(b'#') => true,
        Some(b'>') => true,
        Some(b'-' | b'+' | b'*' | b'_' | b'=') => {
            bytes.get(1).is_none_or(|c| *c == b' ') || t.chars().all(|c| c == bytes[0] as char || c == ' ')
        }
        Some(b'`' | b'~') => t.starts_with("```") || t.starts_with("~~~"),
        Some(b'0'..=b'9') => {
            let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
            matches!(bytes.get(digits), Some(b'.' | b')')) && bytes.get(digits + 1).is_none_or(|c| *c == b' ')
        }
        Some(b'<') => {
            // An HTML block start (e.g. "<div"), but not an autolink.
            let rest = &t[1..];
            !(rest.starts_with("http://") || rest.starts_with("https://") || rest.starts_with("mailto:")) && rest.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?')
        }
        Some(b'|') => false,
        _ => false,
    };
    if needs {
        let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 {
            format!("{}\\{}", &t[..digits], &t[digits..])
        } else {
            format!("\\{t}")
        }
    } else {
        t.to_string()
    }
}

/// Parse one string of inline Markdown into runs.
pub fn parse(s: &str) -> Vec<Run> {
    let src = neutralise_blocks(s);
    let mut runs: Vec<Run> = Vec::new();
    let (mut bold, mut italic) = (0u32, 0u32);
    let mut link: Option<String> = None;
    let push = |runs: &mut Vec<Run>, text: &str, bold: u32, italic: u32, link: &Option<String>| {
        if text.is_empty() {
            return;
        }
        if let Some(last) = runs.last_mut() {
            if last.bold == (bold > 0) && last.italic == (italic > 0) && last.link == *link && !last.hard_break {
                last.text.push_str(text);
                return;
            }
        }
        runs.push(Run { text: text.to_string(), bold: bold > 0, italic: italic > 0, link: link.clone(), hard_break: false });
    };
    for ev in Parser::new(&src) {
        match ev {
            Event::Start(Tag::Emphasis) => italic += 1,
            Event::End(TagEnd::Emphasis) => italic = italic.saturating_sub(1),
            Event::Start(Tag::Strong) => bold += 1,
            Event::End(TagEnd::Strong) => bold = bold.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => link = Some(safe(normalise_url(&dest_url))),
            Event::End(TagEnd::Link) => link = None,
            Event::Start(Tag::Image { dest_url, .. }) => link = Some(safe(normalise_url(&dest_url))),
            Event::End(TagEnd::Image) => link = None,
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) | Event::Html(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                if link.is_none() {
                    for (piece, target) in autolinks(&t) {
                        push(&mut runs, &piece, bold, italic, &target);
                    }
                } else {
                    push(&mut runs, &t, bold, italic, &link);
                }
            }
            Event::SoftBreak => push(&mut runs, " ", bold, italic, &link),
            Event::HardBreak => {
                if let Some(l) = runs.last_mut() {
                    l.hard_break = true;
                }
            }
            _ => {}
        }
    }
    runs
}

/// Split text into pieces, linking bare URLs and e-mail addresses.
fn autolinks(text: &str) -> Vec<(String, Option<String>)> {
    let mut finder = linkify::LinkFinder::new();
    finder.url_must_have_scheme(false);
    let mut out = Vec::new();
    for span in finder.spans(text) {
        let target = match span.kind() {
            Some(linkify::LinkKind::Email) => Some(format!("mailto:{}", span.as_str())),
            Some(linkify::LinkKind::Url) => {
                let s = span.as_str();
                if s.contains("://") {
                    Some(s.to_string())
                } else if s.starts_with("www.") {
                    Some(format!("https://{s}"))
                } else {
                    None
                }
            }
            _ => None,
        };
        out.push((span.as_str().to_string(), target));
    }
    out
}

/// Only web, e-mail and telephone links are made clickable; anything else (javascript:,
/// file:, "#") becomes an empty target, which layout sets as plain text and the build warns about.
fn safe(u: String) -> String {
    let l = u.to_ascii_lowercase();
    if (l.starts_with("https://") || l.starts_with("http://")) && u.len() > l.find("://").unwrap_or(0) + 3 || l.starts_with("mailto:") && u.len() > 7 || l.starts_with("tel:") && u.len() > 4 {
        u
    } else {
        String::new()
    }
}

/// `name@example.org` as a link target becomes `mailto:`; `www.` gets `https://`.
pub fn normalise_url(u: &str) -> String {
    let u = u.trim();
    if u.contains("://") || u.starts_with("mailto:") || u.starts_with("tel:") || u.starts_with('#') || u.is_empty() {
        u.to_string()
    } else if crate::model::looks_like_email(u) {
        format!("mailto:{u}")
    } else {
        format!("https://{u}")
    }
}

/// The plain text of runs.
pub fn plain(runs: &[Run]) -> String {
    runs.iter().map(|r| r.text.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emphasis_links_and_bare_emails() {
        let r = parse("Read **three** *papers* at [our page](https://example.org) or mail a@b.org now");
        assert_eq!(plain(&r), "Read three papers at our page or mail a@b.org now");
        assert!(r.iter().any(|x| x.bold && x.text == "three"));
        assert!(r.iter().any(|x| x.italic && x.text == "papers"));
        assert!(r.iter().any(|x| x.link.as_deref() == Some("https://example.org") && x.text == "our page"));
        assert!(r.iter().any(|x| x.link.as_deref() == Some("mailto:a@b.org") && x.text == "a@b.org"));
    }

    #[test]
    fn block_markdown_is_literal() {
        assert_eq!(plain(&parse("1. Kerryn Husk")), "1. Kerryn Husk");
        assert_eq!(plain(&parse("# not a heading")), "# not a heading");
        assert_eq!(plain(&parse("- not a list")), "- not a list");
        assert_eq!(plain(&parse("> not a quote")), "> not a quote");
        assert_eq!(plain(&parse("    indented")), "indented");
    }

    #[test]
    fn bare_urls_are_linked() {
        let r = parse("See https://example.org/x?y=1 for more.");
        assert!(r.iter().any(|x| x.link.as_deref() == Some("https://example.org/x?y=1")));
    }
}
