//! Hyphenation: Liang patterns for the language (hyphenation crate dictionaries).

use hyphenation::{Hyphenator, Load, Standard};

macro_rules! dict {
    ($file:literal) => {
        include_bytes!(concat!("../../dictionaries/", $file, ".standard.bincode")) as &[u8]
    };
}

/// Bundled dictionaries by BCP 47 prefix (most specific first).
const DICTS: &[(&str, &[u8])] = &[
    ("en-us", dict!("en-us")),
    ("en-ca", dict!("en-us")),
    ("en", dict!("en-gb")),
    ("de", dict!("de-1996")),
    ("fr", dict!("fr")),
    ("es", dict!("es")),
    ("it", dict!("it")),
    ("nl", dict!("nl")),
    ("pt", dict!("pt")),
    ("da", dict!("da")),
    ("sv", dict!("sv")),
    ("nb", dict!("nb")),
    ("no", dict!("nb")),
    ("fi", dict!("fi")),
    ("pl", dict!("pl")),
    ("cs", dict!("cs")),
    ("cy", dict!("cy")),
    ("ga", dict!("ga")),
    ("el", dict!("el-monoton")),
    ("ru", dict!("ru")),
    ("uk", dict!("uk")),
    ("hu", dict!("hu")),
    ("tr", dict!("tr")),
    ("ca", dict!("ca")),
    ("hr", dict!("hr")),
    ("sl", dict!("sl")),
    ("sk", dict!("sk")),
    ("et", dict!("et")),
    ("lt", dict!("lt")),
    ("lv", dict!("lv")),
    ("ro", dict!("ro")),
    ("is", dict!("is")),
];

/// A hyphenator for one language. Clones share the patterns (loaded once); each keeps the
/// breaks of the words it has hyphenated (words repeat: a paragraph is set at several
/// widths, an issue is laid out more than once).
#[derive(Clone)]
pub struct Hyphen {
    dict: Option<std::sync::Arc<Standard>>,
    memo: std::cell::RefCell<std::collections::HashMap<String, Vec<usize>>>,
    /// Capitalised words are hyphenated too: the language capitalises its nouns (German),
    /// so a capital does not mark a name there.
    capitalised: bool,
}

/// Languages that capitalise every noun.
const NOUN_CAPITALS: &[&str] = &["de"];

impl Hyphen {
    /// Load the dictionary for a language tag; `None` inside if the language has none.
    pub fn for_language(tag: &str) -> Hyphen {
        let tag = tag.to_ascii_lowercase();
        let found = DICTS.iter().find(|(prefix, _)| tag == *prefix || tag.starts_with(&format!("{prefix}-")));
        let dict = found.and_then(|(_, bytes)| Standard::any_from_reader(&mut &bytes[..]).ok()).map(std::sync::Arc::new);
        let capitalised = NOUN_CAPITALS.iter().any(|p| tag == *p || tag.starts_with(&format!("{p}-")));
        Hyphen { dict, memo: Default::default(), capitalised }
    }

    pub fn none() -> Hyphen {
        Hyphen { dict: None, memo: Default::default(), capitalised: false }
    }

    pub fn available(&self) -> bool {
        self.dict.is_some()
    }

    /// Byte offsets inside `word` where it may be hyphenated. Words with digits, capitals
    /// (names, acronyms), or fewer than 6 letters are not hyphenated; in a language that
    /// capitalises its nouns (German) a capitalised word is, by the patterns of its
    /// lower-case form (acronyms and camel case still are not).
    pub fn points(&self, word: &str) -> Vec<usize> {
        if self.dict.is_none() {
            return Vec::new();
        }
        if let Some(p) = self.memo.borrow().get(word) {
            return p.clone();
        }
        let pts = self.points_uncached(word);
        self.memo.borrow_mut().insert(word.to_string(), pts.clone());
        pts
    }

    fn points_uncached(&self, word: &str) -> Vec<usize> {
        let Some(dict) = &self.dict else { return Vec::new() };
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 6 || !word.chars().all(|c| c.is_alphabetic() || c == '\'' || c == '’') {
            return Vec::new();
        }
        let initial = word.chars().next().is_some_and(|c| c.is_uppercase());
        if word.chars().skip(1).any(|c| c.is_uppercase()) || (initial && !self.capitalised) {
            return Vec::new();
        }
        let lower = word.to_lowercase();
        let mut pts: Vec<usize> = if lower.len() == word.len() && lower.chars().count() == word.chars().count() {
            dict.hyphenate(&lower).breaks
        } else {
            // Lower case changed the byte lengths: map each break by its character count.
            let starts: Vec<usize> = word.char_indices().map(|(i, _)| i).collect();
            dict.hyphenate(&lower).breaks.into_iter().filter_map(|b| starts.get(lower[..b].chars().count()).copied()).collect()
        };
        // At least 2 letters before and 3 after a break.
        pts.retain(|&b| word[..b].chars().count() >= 2 && word[b..].chars().count() >= 3 && !word[b..].starts_with(['\'', '’']));
        pts
    }
}
