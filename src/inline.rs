//! Inline markup to styled runs: CommonMark emphasis, strong, links; bare URLs and e-mails linked.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// A run of text with one style and at most one link.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    /// Link target (`http(s)://…`, `mailto:…` or `tel:…`: see [`link_target`]).
    pub link: Option<String>,
    /// A link target that was refused (the run is set as plain text): as written, and why.
    pub refused: Option<(String, String)>,
    /// Which link of the text this run belongs to (two links to one address stay two).
    pub link_seq: u32,
    /// A hard line break after this run.
    pub hard_break: bool,
}

impl Run {
    pub fn plain(text: &str) -> Run {
        Run { text: text.to_string(), bold: false, italic: false, link: None, refused: None, link_seq: 0, hard_break: false }
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
    let mut link: Link = (None, None);
    let mut seq = 0u32;
    let push = |runs: &mut Vec<Run>, text: &str, bold: u32, italic: u32, link: &Link, seq: u32| {
        if text.is_empty() {
            return;
        }
        if let Some(last) = runs.last_mut() {
            if last.bold == (bold > 0) && last.italic == (italic > 0) && last.link == link.0 && last.link_seq == seq && last.refused == link.1 && !last.hard_break {
                last.text.push_str(text);
                return;
            }
        }
        runs.push(Run { text: text.to_string(), bold: bold > 0, italic: italic > 0, link: link.0.clone(), refused: link.1.clone(), link_seq: seq, hard_break: false });
    };
    let mut in_link = false;
    for ev in Parser::new(&src) {
        match ev {
            Event::Start(Tag::Emphasis) => italic += 1,
            Event::End(TagEnd::Emphasis) => italic = italic.saturating_sub(1),
            Event::Start(Tag::Strong) => bold += 1,
            Event::End(TagEnd::Strong) => bold = bold.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => {
                in_link = true;
                seq += 1;
                link = resolved(&dest_url);
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                in_link = false;
                link = (None, None);
            }
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) | Event::Html(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                if !in_link {
                    for (piece, target) in autolinks(&t) {
                        let s = if target.0.is_some() {
                            seq += 1;
                            seq
                        } else {
                            0
                        };
                        push(&mut runs, &piece, bold, italic, &target, s);
                    }
                } else {
                    push(&mut runs, &t, bold, italic, &link, seq);
                }
            }
            Event::SoftBreak => push(&mut runs, " ", bold, italic, &link, if in_link { seq } else { 0 }),
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

/// A run's link: the target, or the refused target as written and why.
type Link = (Option<String>, Option<(String, String)>);

fn resolved(raw: &str) -> Link {
    match link_target(raw) {
        Ok(t) => (Some(t), None),
        Err(why) => (None, Some((raw.to_string(), why))),
    }
}

/// Split text into pieces, linking bare URLs and e-mail addresses.
fn autolinks(text: &str) -> Vec<(String, Link)> {
    let mut finder = linkify::LinkFinder::new();
    finder.url_must_have_scheme(false);
    let mut out = Vec::new();
    for span in finder.spans(text) {
        let s = span.as_str();
        let target = match span.kind() {
            Some(linkify::LinkKind::Email) => resolved(s),
            // With a scheme, or a web address starting "www.": a bare "example.org" stays text.
            Some(linkify::LinkKind::Url) if scheme_of(s).is_some() || s.to_ascii_lowercase().starts_with("www.") => resolved(s),
            _ => (None, None),
        };
        out.push((s.to_string(), target));
    }
    out
}

/// The schemes a link may have: everything else is set as plain text with a warning, and
/// the PDF never holds another (no `javascript:`, `file:`, `smb:` or launch actions).
pub const ALLOWED_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// The one link policy, for every place a link can come from (Markdown links, bare
/// addresses, footer links, contacts): the target to make clickable, or why it is not.
/// A target with a scheme keeps it (none is ever put in front of another); without one,
/// an e-mail address gets `mailto:` and anything else that looks like a web address
/// `https://`.
pub fn link_target(raw: &str) -> Result<String, String> {
    let u = raw.trim();
    if u.is_empty() || u.starts_with('#') {
        return Err("it goes nowhere: give the real address".into());
    }
    if u.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("it has spaces or control characters in it: write the address without them".into());
    }
    if let Some(scheme) = scheme_of(u) {
        let rest = &u[scheme.len() + 1..];
        let ok = match scheme.as_str() {
            "http" | "https" => rest.strip_prefix("//").is_some_and(|h| h.split(['/', '?', '#']).next().is_some_and(|host| !host.is_empty())),
            "mailto" | "tel" => !rest.is_empty(),
            _ => return Err(format!("links to \"{scheme}:\" addresses are not allowed: only http:, https:, mailto: and tel: links are clickable")),
        };
        // (The scheme in lower case, as PDF readers and the audit expect it.)
        return if ok { Ok(format!("{scheme}:{rest}")) } else { Err(format!("the \"{scheme}:\" address is incomplete")) };
    }
    if crate::model::looks_like_email(u) {
        return Ok(format!("mailto:{u}"));
    }
    let host = u.split(['/', '?', '#']).next().unwrap_or("");
    if host.contains('.') && !host.starts_with('.') && !host.ends_with('.') && !u.starts_with('/') {
        return Ok(format!("https://{u}"));
    }
    Err("it is not a web, e-mail or telephone address: give the full address (https://…)".into())
}

/// Whether a URI is one the link policy allows as it stands (the PDF writer checks every
/// link again).
pub fn is_allowed(uri: &str) -> bool {
    scheme_of(uri).is_some_and(|s| ALLOWED_SCHEMES.contains(&s.as_str())) && link_target(uri).is_ok_and(|t| t == uri.trim())
}

/// The scheme of an address (RFC 3986: a letter, then letters, digits, `+ - .`, then `:`),
/// lower-cased; in `example.org:8080` the number is a port, not a scheme.
fn scheme_of(u: &str) -> Option<String> {
    let (scheme, rest) = u.split_once(':')?;
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) {
        return None;
    }
    let port = rest.split(['/', '?', '#']).next().is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if port && scheme.contains('.') {
        return None;
    }
    Some(scheme.to_ascii_lowercase())
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

#[cfg(test)]
mod link_policy {
    use super::*;

    #[test]
    fn only_web_mail_and_phone_links_and_no_scheme_invented() {
        for ok in ["https://example.org", "http://example.org/x?y=1", "mailto:a@b.org", "tel:+441234"] {
            assert_eq!(link_target(ok).as_deref(), Ok(ok), "{ok}");
        }
        assert_eq!(link_target("HTTPS://Example.org/A").as_deref(), Ok("https://Example.org/A"));
        assert_eq!(link_target("www.example.org").as_deref(), Ok("https://www.example.org"));
        assert_eq!(link_target("example.org:8080/x").as_deref(), Ok("https://example.org:8080/x"));
        assert_eq!(link_target("a@b.org").as_deref(), Ok("mailto:a@b.org"));
        for bad in ["javascript:alert(1)", "JaVaScRiPt:x", "file:///etc/passwd", "smb://h/s", "ms-msdt:x", "data:text/html,x", "vbscript:x", "#", "", "tel:", "mailto:", "https://", "relative/path", "java\nscript:x"] {
            assert!(link_target(bad).is_err(), "{bad:?} allowed");
            assert!(!is_allowed(bad));
        }
    }

    #[test]
    fn a_refused_link_is_plain_text_that_says_why() {
        let r = parse("a [form](javascript:alert(1)) and file:///etc/passwd here");
        assert!(r.iter().all(|x| x.link.is_none()), "{r:?}");
        assert!(r.iter().any(|x| x.refused.as_ref().is_some_and(|(t, why)| t == "javascript:alert(1)" && why.contains("\"javascript:\""))));
        assert!(r.iter().any(|x| x.refused.as_ref().is_some_and(|(t, _)| t == "file:///etc/passwd")));
        assert_eq!(plain(&r), "a form and file:///etc/passwd here");
    }

    #[test]
    fn two_links_to_one_address_stay_two() {
        let r = parse("[one](https://x.org) [two](https://x.org)");
        let seqs: Vec<u32> = r.iter().filter(|x| x.link.is_some()).map(|x| x.link_seq).collect();
        assert_eq!(seqs.len(), 2);
        assert_ne!(seqs[0], seqs[1]);
    }
}
