//! Set a paragraph: styled runs → shaped boxes, glue and penalties → broken, positioned lines.

use super::breaker::{self, Item, Params, FIL, INFINITE};
use super::fonts::{FaceId, FontBook, Shaper, ShapedGlyph, Style};
use super::hyph::Hyphen;
use crate::brand::Rgb;
use crate::inline::Run;

/// How a paragraph is set.
#[derive(Debug, Clone)]
pub struct ParaStyle {
    pub family: usize,
    pub size: f32,
    /// Baseline to baseline, in points.
    pub leading: f32,
    pub colour: Rgb,
    pub link_colour: Rgb,
    pub justify: bool,
    pub hyphenate: bool,
    /// Force bold / italic on every run (headings, captions).
    pub bold: bool,
    pub italic: bool,
    /// The cost of breaking a line at a hyphen (Knuth–Plass penalty).
    pub hyphen_penalty: f32,
    /// Lines more (or fewer) than the best breaking, for paragraphs of at least
    /// [`LOOSENESS_MIN_LINES`] lines (see [`breaker::Params::looseness`]).
    pub looseness: i32,
    /// Which paragraphs the looseness applies to: 0 every one, 1 or 2 only those whose text
    /// hashes odd or even (another draw of the page breaks for copyfitting).
    pub looseness_half: u8,
}

/// Only paragraphs this long are set looser or tighter: a short one changes too visibly.
pub const LOOSENESS_MIN_LINES: usize = 4;
/// Nor paragraphs longer than this: the breaker keeps a node per line count with a
/// looseness, which grows with the paragraph, and a long one has page breaks enough inside.
pub const LOOSENESS_MAX_LINES: usize = 30;

/// A glyph placed in a run; `x` from the run's start, in points.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub gid: u16,
    pub x: f32,
    pub dy: f32,
    /// The text this glyph stands for ("" for the second glyph of a cluster).
    pub text: GlyphText,
}

/// The text one glyph stands for: almost always a character or two, so kept inline (no
/// allocation per glyph, cheap to copy onto pages); a longer cluster is shared.
#[derive(Clone, PartialEq, Eq)]
pub enum GlyphText {
    Inline { len: u8, bytes: [u8; GLYPH_TEXT_INLINE] },
    Shared(std::sync::Arc<str>),
}

/// Bytes kept inline: four characters of any script, a ligature's letters.
pub const GLYPH_TEXT_INLINE: usize = 22;

impl GlyphText {
    pub fn new(s: &str) -> GlyphText {
        if s.len() <= GLYPH_TEXT_INLINE {
            let mut bytes = [0u8; GLYPH_TEXT_INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            GlyphText::Inline { len: s.len() as u8, bytes }
        } else {
            GlyphText::Shared(s.into())
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            // (Only ever filled from a whole `&str`.)
            GlyphText::Inline { len, bytes } => std::str::from_utf8(&bytes[..*len as usize]).unwrap_or(""),
            GlyphText::Shared(s) => s,
        }
    }
}

impl Default for GlyphText {
    fn default() -> Self {
        GlyphText::new("")
    }
}

impl std::ops::Deref for GlyphText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for GlyphText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for GlyphText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for GlyphText {
    fn from(s: &str) -> Self {
        GlyphText::new(s)
    }
}

impl PartialEq<str> for GlyphText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for GlyphText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A run of glyphs in one face, size and colour on one line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineRun {
    pub face: FaceId,
    pub size: f32,
    pub x: f32,
    pub width: f32,
    pub colour: Rgb,
    pub glyphs: Vec<Glyph>,
    pub link: Option<String>,
    /// Which link of the paragraph (see [`crate::inline::Run::link_seq`]).
    pub link_seq: u32,
    /// The hyphen added at a line end (extracts as a soft hyphen).
    pub hyphen: bool,
    /// Drawn invisibly: the soft hyphen at a break inside a word of an address, which shows
    /// no hyphen (a reader might type it) but extracts as U+00AD so the word joins again.
    pub invisible: bool,
}

/// One set line.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub runs: Vec<LineRun>,
    /// Width used by the glyphs.
    pub width: f32,
    /// The measure it was set to.
    pub measure: f32,
    pub hyphenated: bool,
    /// Broken inside a word too wide for the measure (a hyphen shown, not a hyphenation point).
    pub forced: bool,
    /// Adjustment ratio of the word spaces (justified) or 0.
    pub ratio: f32,
    /// Word-space stretch factor actually used (1 = natural).
    pub space_factor: f32,
}

impl Line {
    /// The line's text (for tests and reports).
    pub fn text(&self) -> String {
        let mut s = String::new();
        let mut last_end: Option<f32> = None;
        for r in &self.runs {
            if let Some(e) = last_end {
                if r.x > e + 0.5 && !s.ends_with(' ') {
                    s.push(' ');
                }
            }
            for g in &r.glyphs {
                s.push_str(&g.text);
            }
            last_end = Some(r.x + r.width);
        }
        s.trim_end().to_string()
    }
}

#[derive(Debug, Clone)]
struct Piece {
    face: FaceId,
    size: f32,
    colour: Rgb,
    link: Option<String>,
    link_seq: u32,
    glyphs: Vec<ShapedGlyph>,
    texts: Vec<GlyphText>,
    /// Its bidirectional embedding level (odd: right to left).
    level: u8,
}

/// What each item stands for when the lines are built.
#[derive(Debug, Clone)]
enum Content {
    Piece(usize),
    /// A word space, with its bidirectional level.
    Space(u8),
    Other,
    Hyphen { face: FaceId, size: f32, colour: Rgb, visible: bool },
}

/// Whether a break before glyph `to` falls inside a word (after a letter, digit or `_`),
/// where extraction would otherwise split the word in two.
fn joins_word(texts: &[GlyphText], to: usize) -> bool {
    to > 0 && texts.get(to - 1).and_then(|t| t.chars().last()).is_some_and(|c| c.is_alphanumeric() || c == '_')
}

fn is_atomic_link(run: &Run) -> bool {
    match &run.link {
        Some(l) => {
            let t = run.text.trim();
            !t.contains(' ') && (l.ends_with(t) || l.starts_with("mailto:") || t.contains("://") || t.starts_with("www."))
        }
        None => false,
    }
}

/// The cost of breaking inside a word too wide for the measure, where no hyphenation
/// point or punctuation helps (it also marks such a break).
const FORCED_BREAK: f32 = 8000.0;
/// The cost of a hyphenation point inside such a word (clearly preferred to an arbitrary
/// break: the squared penalties differ by more than a loose line's badness).
const FORCED_HYPHEN: f32 = 4000.0;
/// An arbitrary break inside a word leaves at least this many characters before it and
/// after it (unless the word is more than twice the measure, where every place may be needed).
const FORCED_MIN_HEAD: usize = 2;
const FORCED_MIN_TAIL: usize = 3;

/// Set `runs` as a paragraph with line `n` measuring `measure(n)` points.
pub fn set(shaper: &mut Shaper, hyph: &Hyphen, runs: &[Run], style: &ParaStyle, measure: &dyn Fn(usize) -> f32) -> Vec<Line> {
    let mut full = String::new();
    let mut run_at: Vec<(usize, usize, usize)> = Vec::new(); // (start, end, run index)
    let mut hard_breaks: Vec<usize> = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        let start = full.len();
        full.push_str(&r.text);
        run_at.push((start, full.len(), i));
        if r.hard_break {
            hard_breaks.push(full.len());
        }
    }
    // Collapse leading/trailing whitespace.
    if full.trim().is_empty() {
        return Vec::new();
    }
    let run_of = |b: usize| -> usize { run_at.iter().find(|(s, e, _)| b >= *s && b < *e).map(|x| x.2).unwrap_or(runs.len().saturating_sub(1)) };
    let atomic: Vec<(usize, usize)> = run_at.iter().filter(|(_, _, i)| is_atomic_link(&runs[*i])).map(|(s, e, _)| (*s, *e)).collect();
    let mut opps: Vec<(usize, bool)> = unicode_linebreak::linebreaks(&full)
        .filter(|(b, _)| !atomic.iter().any(|(s, e)| b > s && b < e))
        .map(|(b, o)| (b, o == unicode_linebreak::BreakOpportunity::Mandatory))
        .collect();
    for hb in &hard_breaks {
        if let Some(o) = opps.iter_mut().find(|(b, _)| b == hb) {
            o.1 = true;
        } else {
            opps.push((*hb, true));
        }
    }
    opps.sort();
    opps.dedup_by_key(|o| o.0);

    // Bidirectional levels (Unicode's algorithm), only for text that can need them.
    let base_rtl_language = shaper.rtl_language();
    let bidi = (base_rtl_language || full.chars().any(may_be_rtl)).then(|| unicode_bidi::BidiInfo::new(&full, base_rtl_language.then(unicode_bidi::Level::rtl)));
    let level_at = |b: usize| -> u8 { bidi.as_ref().and_then(|bi| bi.levels.get(b)).map_or(0, |l| l.number()) };
    let base_rtl = bidi.as_ref().and_then(|bi| bi.paragraphs.first()).is_some_and(|p| p.level.is_rtl());

    let min_measure = (0..4).map(measure).fold(f32::INFINITY, f32::min).max(1.0);
    let face_of = |run: &Run| -> FaceId { shaper.book.face(style.family, Style { bold: run.bold || style.bold, italic: run.italic || style.italic }) };
    let faces: Vec<FaceId> = runs.iter().map(face_of).collect();
    let space_w: Vec<f32> = faces.iter().map(|f| shaper.width(*f, " ") * style.size).collect();

    let mut items: Vec<Item> = Vec::new();
    let mut contents: Vec<Content> = Vec::new();
    let mut pieces: Vec<Piece> = Vec::new();
    let hyphen_penalty = style.hyphen_penalty;
    // Ragged right: each break carries its own stretch, cancelled when not taken (Knuth–Plass).
    let rag = if style.justify { 0.0 } else { style.size * 2.0 };

    let mut prev = 0usize;
    for (oi, &(end, mandatory)) in opps.iter().enumerate() {
        let seg = &full[prev..end];
        let seg_start = prev;
        prev = end;
        let word_len = seg.trim_end().len();
        let (word, space) = seg.split_at(word_len);
        // The word: pieces per run.
        let mut w_off = 0;
        let mut soft_hyphen_end = false;
        while w_off < word.len() {
            let abs = seg_start + w_off;
            let ri = run_of(abs);
            let run_end = run_at[ri].1.min(seg_start + word.len());
            let mut text = &full[abs..run_end];
            w_off += text.len();
            if w_off >= word.len() && text.ends_with('\u{AD}') {
                text = &text[..text.len() - '\u{AD}'.len_utf8()];
                soft_hyphen_end = true;
            }
            let run = &runs[ri];
            // One piece per face and direction: characters the run's face lacks are set in
            // a fallback face, or shown as a replacement mark (the build warns).
            for (text, face, level) in segments(shaper.book, faces[ri], text, abs, &level_at) {
            let rtl = level % 2 == 1;
            let colour = if run.link.is_some() { style.link_colour } else { style.colour };
            let glyphs = shaper.shape_dir(face, &text, rtl);
            let texts = cluster_texts(&shaper.book.faces[face], &glyphs, &text);
            let width: f32 = glyphs.iter().map(|g| g.advance).sum::<f32>() * style.size;
            // Hyphenation points, mapped to safe glyph boundaries.
            let mut splits: Vec<(usize, f32, bool)> = Vec::new(); // (glyph index, penalty, flagged)
            // (A word too wide for the line breaks at its hyphenation points first, even in
            // text that is not hyphenated: a heading, a title.)
            if (style.hyphenate || width > min_measure * 0.92) && !is_atomic_link(run) && !rtl {
                let core_start = text.find(|c: char| c.is_alphabetic()).unwrap_or(0);
                let core_end = text.rfind(|c: char| c.is_alphabetic()).map(|i| i + text[i..].chars().next().map_or(1, |c| c.len_utf8())).unwrap_or(text.len());
                if core_start < core_end {
                    for p in hyph.points(&text[core_start..core_end]) {
                        let b = core_start + p;
                        if let Some(j) = glyphs.iter().position(|g| g.cluster as usize == b) {
                            if j > 0 && !glyphs[j].unsafe_to_break && glyphs[j - 1].cluster as usize != b {
                                splits.push((j, hyphen_penalty, true));
                            }
                        }
                    }
                }
            }
            let mut address = false;
            if width > min_measure * 0.92 {
                // Too wide for the column: allow breaks anywhere, best after URL punctuation
                // (there without a hyphen, as addresses are broken); inside a word a break
                // shows a hyphen, so the word reads (and extracts) whole.
                address = is_atomic_link(run) || text.contains(['/', '@', ':']) || run.link.is_some();
                if address {
                    splits.clear();
                }
                // Its hyphenation points come first, but they are forced breaks too.
                for sp in splits.iter_mut() {
                    sp.1 = FORCED_HYPHEN;
                }
                for j in 1..glyphs.len() {
                    let c = glyphs[j].cluster as usize;
                    if glyphs[j - 1].cluster as usize == c || glyphs[j].unsafe_to_break || splits.iter().any(|s| s.0 == j) {
                        continue;
                    }
                    let before = text[..c].chars().last().unwrap_or(' ');
                    let punct = "/.-_?&=@#:".contains(before);
                    // Not a letter or two from either end of a word (a lone "g" on a line).
                    // (Counted only up to the limits: this runs for every glyph of a long word.)
                    let short = |s: &str, n: usize| s.chars().take(n).count() < n;
                    if !punct && (short(&text[..c], FORCED_MIN_HEAD) || short(&text[c..], FORCED_MIN_TAIL)) && width < min_measure * 2.0 {
                        continue;
                    }
                    let pen = if punct { 200.0 } else { FORCED_BREAK };
                    splits.push((j, pen, !address && before.is_alphabetic()));
                }
                splits.sort_by_key(|s| s.0);
            }
            let mut from = 0;
            splits.push((glyphs.len(), 0.0, false));
            for (k, &(to, pen, flagged)) in splits.iter().enumerate() {
                let g: Vec<ShapedGlyph> = glyphs[from..to].to_vec();
                let t: Vec<GlyphText> = texts[from..to].to_vec();
                let w: f32 = g.iter().map(|x| x.advance).sum::<f32>() * style.size;
                pieces.push(Piece { face, size: style.size, colour, link: run.link.clone(), link_seq: run.link_seq, glyphs: g, texts: t, level });
                items.push(Item::Box { width: w });
                contents.push(Content::Piece(pieces.len() - 1));
                if k + 1 < splits.len() {
                    let hw = if flagged { shaper.width(face, "-") * style.size } else { 0.0 };
                    // Inside a word of an address: no hyphen shown, an invisible soft one
                    // extracted, so a copied or searched address reads whole.
                    let mid_word = !flagged && address && joins_word(&texts, to);
                    let c = if flagged || mid_word { Content::Hyphen { face, size: style.size, colour: style.colour, visible: flagged } } else { Content::Other };
                    push_break(&mut items, &mut contents, hw, pen, flagged, c, rag);
                }
                from = to;
            }
            }
        }
        let last = oi + 1 == opps.len();
        if last || mandatory {
            items.push(Item::Glue { width: 0.0, stretch: FIL, shrink: 0.0 });
            contents.push(Content::Other);
            items.push(Item::Penalty { width: 0.0, penalty: -INFINITE, flagged: false });
            contents.push(Content::Other);
            continue;
        }
        if space.is_empty() {
            // A break without a space: after a hyphen, dash or slash.
            if soft_hyphen_end {
                let face = faces[run_of(seg_start)];
                let hw = shaper.width(face, "-") * style.size;
                push_break(&mut items, &mut contents, hw, hyphen_penalty, true, Content::Hyphen { face, size: style.size, colour: style.colour, visible: true }, rag);
            } else if !word.is_empty() {
                let flagged = word.ends_with(['-', '\u{2010}']);
                push_break(&mut items, &mut contents, 0.0, if flagged { hyphen_penalty } else { 50.0 }, flagged, Content::Other, rag);
            }
            continue;
        }
        let sw = space_w[run_of(seg_start + word_len)];
        let space_level = level_at(seg_start + word_len);
        if style.justify {
            items.push(Item::Glue { width: sw, stretch: sw * 0.6, shrink: sw * 0.3 });
            contents.push(Content::Space(space_level));
        } else {
            items.push(Item::Glue { width: 0.0, stretch: rag, shrink: 0.0 });
            contents.push(Content::Other);
            items.push(Item::Penalty { width: 0.0, penalty: 0.0, flagged: false });
            contents.push(Content::Other);
            items.push(Item::Glue { width: sw, stretch: -rag, shrink: 0.0 });
            contents.push(Content::Space(space_level));
        }
    }
    if items.is_empty() {
        return Vec::new();
    }
    let mut params = Params { max_ratio: if style.justify { 2.0 } else { 3.0 }, ..Params::default() };
    let mut breaks = breaker::break_lines(&items, measure, &params);
    let chosen = match style.looseness_half {
        0 => true,
        h => (full.bytes().fold(0x811c_9dc5u32, |a, b| (a ^ b as u32).wrapping_mul(0x0100_0193)) & 1) as u8 + 1 == h,
    };
    if style.looseness != 0 && chosen && (LOOSENESS_MIN_LINES..=LOOSENESS_MAX_LINES).contains(&breaks.len()) {
        let loose = Params { looseness: style.looseness, ..params };
        let fitted = breaker::break_lines(&items, measure, &loose);
        // (Only as loose as a line may be anyway, and never overfull; the last line's fill aside.)
        let n = fitted.len();
        if fitted.len() != breaks.len() && fitted.iter().take(n.saturating_sub(1)).all(|b| b.ratio >= -1.0 && b.ratio <= params.max_ratio) {
            breaks = fitted;
            params = loose;
        }
    }
    // Too many lines ending in a hyphen read badly: the paragraph is broken again with
    // dearer hyphens, looser lines accepted, while that lowers the count. (Breaks inside
    // words too wide for the measure are forced, and neither counted nor repriced.)
    let soft: Vec<usize> = (0..items.len()).filter(|&i| matches!(items[i], Item::Penalty { penalty, flagged: true, .. } if penalty > 0.0 && penalty < FORCED_HYPHEN)).collect();
    let hyphens = |b: &[breaker::Break]| b.iter().rev().skip(1).filter(|x| soft.binary_search(&x.index).is_ok()).count();
    for scale in HYPHEN_RETRY_SCALES {
        let now = hyphens(&breaks);
        if now as f32 <= HYPHEN_SHARE_MAX * breaks.len() as f32 {
            break;
        }
        for &i in &soft {
            if let Item::Penalty { penalty, .. } = &mut items[i] {
                *penalty = (*penalty * scale).min(HYPHEN_PENALTY_MAX);
            }
        }
        let again = breaker::break_lines(&items, measure, &params);
        if hyphens(&again) < now {
            breaks = again;
        }
    }
    build_lines(shaper, &items, &contents, &pieces, &breaks, measure, style, base_rtl)
}

/// Whether a character may be right to left (Hebrew, Arabic, Syriac, Thaana, NKo,
/// Samaritan, Mandaic, their presentation forms, or a directional control): a paragraph
/// without one needs no bidirectional analysis.
fn may_be_rtl(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}' | '\u{200F}' | '\u{202B}' | '\u{202E}' | '\u{2067}' | '\u{10800}'..='\u{10FFF}' | '\u{1E800}'..='\u{1EFFF}')
}

/// Split a word's text (starting at byte `start` of the paragraph) into pieces set alike:
/// one face (the chosen one, or a fallback for characters it lacks) and one bidirectional
/// level. Soft hyphens are dropped; characters no face has become U+FFFD.
fn segments(book: &FontBook, face: FaceId, text: &str, start: usize, level_at: &dyn Fn(usize) -> u8) -> Vec<(String, FaceId, u8)> {
    let mut out: Vec<(String, FaceId, u8)> = Vec::new();
    let primary = &book.faces[face];
    for (i, c) in text.char_indices() {
        if c == '\u{AD}' {
            continue;
        }
        let level = level_at(start + i);
        let (c, f) = match out.last() {
            // Marks, digits and punctuation stay in the fallback face of the letters they follow.
            Some((_, f, l)) if *l == level && *f != face && !c.is_alphabetic() && book.faces[*f].has_char(c) => (c, *f),
            _ => match book.face_for(face, c) {
                Some(f) => (c, f),
                None => (if primary.has_char('\u{FFFD}') { '\u{FFFD}' } else { '?' }, face),
            },
        };
        match out.last_mut() {
            Some((s, lf, ll)) if *lf == f && *ll == level => s.push(c),
            _ => out.push((c.to_string(), f, level)),
        }
    }
    out
}

/// The gap between two touching pieces of a reordered line, in points (invisible).
const BIDI_HAIR: f32 = 0.02;

/// How far a glue item advances on a set line.
fn glue_advance(item: &Item, ratio: f32, justify: bool) -> f32 {
    match *item {
        Item::Glue { width, stretch, shrink } => {
            let w = if ratio >= 0.0 { width + ratio * stretch } else { width + ratio * shrink };
            let w = if justify { w } else { width };
            w.max(0.0).min(if stretch >= FIL { 0.0 } else { f32::INFINITY })
        }
        _ => 0.0,
    }
}

/// The x of each item of a line (`start..end`, then the line-end hyphen at `end`) after
/// the bidirectional reordering of its level runs (rule L2 of Unicode's algorithm): `None`
/// when the whole line is left to right, where each item simply follows the last.
fn visual_positions(items: &[Item], contents: &[Content], pieces: &[Piece], start: usize, end: usize, ratio: f32, justify: bool) -> Option<Vec<f32>> {
    // (item, advance, level) for the items that take room.
    let mut elems: Vec<(usize, f32, u8)> = Vec::new();
    for i in start..=end.min(items.len() - 1) {
        let last_level = elems.last().map_or(0, |e| e.2);
        match (&items[i], &contents[i]) {
            (Item::Box { width }, Content::Piece(p)) if i < end => elems.push((i, *width, pieces[*p].level)),
            (Item::Glue { .. }, c) if i < end => elems.push((i, glue_advance(&items[i], ratio, justify), if let Content::Space(l) = c { *l } else { last_level })),
            (Item::Penalty { width, .. }, Content::Hyphen { .. }) if i == end => elems.push((i, *width, last_level)),
            _ => {}
        }
    }
    let max = elems.iter().map(|e| e.2).max().unwrap_or(0);
    let min_odd = elems.iter().map(|e| e.2).filter(|l| l % 2 == 1).min()?;
    let mut order: Vec<usize> = (0..elems.len()).collect();
    for level in (min_odd..=max).rev() {
        let mut k = 0;
        while k < order.len() {
            if elems[order[k]].2 >= level {
                let s = k;
                while k < order.len() && elems[order[k]].2 >= level {
                    k += 1;
                }
                order[s..k].reverse();
            } else {
                k += 1;
            }
        }
    }
    let mut xs = vec![0.0f32; end + 1 - start];
    let mut x = 0.0;
    let mut prev_face: Option<FaceId> = None;
    for &e in &order {
        let (i, w, _) = elems[e];
        let face = match (&items[i], &contents[i]) {
            (Item::Box { .. }, Content::Piece(p)) => Some(pieces[*p].face),
            _ => None,
        };
        // Two pieces in different faces that touch (a word and its punctuation) are drawn
        // out of reading order: a hair between them keeps them from reading as overprinted.
        if face.is_some() && prev_face.is_some() && face != prev_face {
            x += BIDI_HAIR;
        }
        prev_face = face;
        xs[i - start] = x;
        x += w;
    }
    Some(xs)
}

/// A paragraph with more than this share of its lines hyphenated is broken again with
/// dearer hyphens (the page rule allows 10% over the issue; this keeps a margin).
const HYPHEN_SHARE_MAX: f32 = 0.08;
/// Dearer hyphens stay below this, so a hyphen is still a legal break where nothing else fits.
const HYPHEN_PENALTY_MAX: f32 = 3000.0;
/// The successive factors on the hyphen penalty for those new tries (cumulative).
const HYPHEN_RETRY_SCALES: [f32; 4] = [2.0, 2.0, 2.0, 2.0];

/// A break inside or after a word; ragged lines get the stretch a line end needs.
fn push_break(items: &mut Vec<Item>, contents: &mut Vec<Content>, width: f32, penalty: f32, flagged: bool, content: Content, rag: f32) {
    if rag > 0.0 {
        // The ragged-right stretch comes before the break, but must not be a break itself
        // (a glue after a box is one): that would split the word at no cost and with no
        // hyphen. Only the penalty is.
        items.push(Item::Penalty { width: 0.0, penalty: INFINITE, flagged: false });
        contents.push(Content::Other);
        items.push(Item::Glue { width: 0.0, stretch: rag, shrink: 0.0 });
        contents.push(Content::Other);
        items.push(Item::Penalty { width, penalty, flagged });
        contents.push(content);
        items.push(Item::Glue { width: 0.0, stretch: -rag, shrink: 0.0 });
        contents.push(Content::Other);
    } else {
        items.push(Item::Penalty { width, penalty, flagged });
        contents.push(content);
    }
}

/// Whether a break at `i` is at a word space (not after a hyphen or slash).
fn i_is_space_break(items: &[Item], contents: &[Content], i: usize) -> bool {
    match items[i] {
        Item::Glue { .. } => matches!(contents[i], Content::Space(_)) || contents.get(i + 1).is_some_and(|c| matches!(c, Content::Other)) && contents.get(i + 2).is_some_and(|c| matches!(c, Content::Space(_))),
        Item::Penalty { .. } => contents.get(i + 1).is_some_and(|c| matches!(c, Content::Space(_))),
        _ => false,
    }
}

/// Text for each glyph: the first glyph of a cluster carries the cluster's text, except
/// that in a cluster of several glyphs (a letter and its marks) a glyph that is the font's
/// own glyph for one of the cluster's characters carries that character: each glyph then
/// stands for one text wherever it is used, as a PDF's ToUnicode map needs.
fn cluster_texts(face: &super::fonts::Face, glyphs: &[ShapedGlyph], text: &str) -> Vec<GlyphText> {
    let mut out = vec![String::new(); glyphs.len()];
    let mut i = 0;
    while i < glyphs.len() {
        let start = glyphs[i].cluster as usize;
        let mut j = i + 1;
        while j < glyphs.len() && glyphs[j].cluster == glyphs[i].cluster {
            j += 1;
        }
        let end = glyphs[j..].iter().map(|x| x.cluster as usize).find(|&c| c > start).unwrap_or(text.len());
        let cluster = text.get(start..end).unwrap_or("");
        if j - i == 1 {
            out[i] = cluster.to_string();
        } else {
            let mut rest = String::new();
            for c in cluster.chars() {
                match face.glyph(c).and_then(|g| (i..j).find(|&k| glyphs[k].gid == g && out[k].is_empty())) {
                    Some(k) => out[k].push(c),
                    None => rest.push(c),
                }
            }
            if !rest.is_empty() {
                let k = (i..j).find(|&k| out[k].is_empty()).unwrap_or(i);
                out[k].push_str(&rest);
            }
        }
        i = j;
    }
    out.iter().map(|t| GlyphText::new(t)).collect()
}

/// A measure at least this wide is a "natural width" measurement (a label), not a column:
/// right-to-left lines are not aligned to its far end.
const MEASURE_UNBOUNDED: f32 = 10_000.0;

#[allow(clippy::too_many_arguments)]
fn build_lines(shaper: &mut Shaper, items: &[Item], contents: &[Content], pieces: &[Piece], breaks: &[breaker::Break], measure: &dyn Fn(usize) -> f32, style: &ParaStyle, base_rtl: bool) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0usize;
    for (ln, br) in breaks.iter().enumerate() {
        // Skip discardable items at the line start.
        while start < br.index && !matches!(items[start], Item::Box { .. }) {
            start += 1;
        }
        let target = measure(ln);
        let ratio = if style.justify && br.ratio.is_finite() { br.ratio.clamp(-1.0, 3.0) } else { 0.0 };
        let mut x = 0.0f32;
        let mut runs: Vec<LineRun> = Vec::new();
        let mut space_total = 0.0;
        let mut space_nat = 0.0;
        let mut pending_space: Option<f32> = None;
        // Where each item stands once right-to-left runs are reordered (else where it follows).
        let visual = visual_positions(items, contents, pieces, start, br.index, ratio, style.justify);
        let at = |i: usize, x: f32| visual.as_ref().map_or(x, |v| v[i - start]);
        for i in start..br.index {
            let px = at(i, x);
            match (&items[i], &contents[i]) {
                (Item::Box { width }, Content::Piece(p)) => {
                    let pc = &pieces[*p];
                    let mut gx = 0.0;
                    let mut glyphs = Vec::with_capacity(pc.glyphs.len());
                    let rtl = pc.level % 2 == 1;
                    for (g, t) in pc.glyphs.iter().zip(&pc.texts) {
                        gx += if rtl { g.advance * pc.size } else { 0.0 };
                        // Right to left, the glyphs (in logical order) run leftwards from the piece's right end.
                        let gx0 = if rtl { width - gx } else { gx };
                        glyphs.push(Glyph { gid: g.gid, x: gx0 + g.dx * pc.size, dy: g.dy * pc.size, text: t.clone() });
                        gx += if rtl { 0.0 } else { g.advance * pc.size };
                    }
                    // A word space before this piece becomes a real space glyph (so text
                    // extraction and screen readers see word boundaries).
                    if let Some(sx) = pending_space.take() {
                        if let Some(r) = runs.last_mut() {
                            if let Some(sg) = shaper.book.faces[r.face].glyph(' ') {
                                r.glyphs.push(Glyph { gid: sg, x: sx - r.x, dy: 0.0, text: " ".into() });
                                if r.face == pc.face && r.colour == pc.colour && r.link == pc.link && r.link_seq == pc.link_seq && !r.hyphen && px > r.x {
                                    r.width = px - r.x;
                                }
                            }
                        }
                    }
                    // Merge with the previous run when contiguous and alike.
                    match runs.last_mut() {
                        Some(r) if r.face == pc.face && r.colour == pc.colour && r.link == pc.link && r.link_seq == pc.link_seq && (r.x + r.width - px).abs() < 0.01 && !r.hyphen && !rtl => {
                            let off = px - r.x;
                            for mut g in glyphs {
                                g.x += off;
                                r.glyphs.push(g);
                            }
                            r.width += width;
                        }
                        // Right to left, the next piece of a word stands just left of the run.
                        Some(r) if r.face == pc.face && r.colour == pc.colour && r.link == pc.link && r.link_seq == pc.link_seq && (px + width - r.x).abs() < 0.01 && !r.hyphen && rtl => {
                            let off = r.x - px;
                            for g in &mut r.glyphs {
                                g.x += off;
                            }
                            r.glyphs.extend(glyphs);
                            r.x = px;
                            r.width += width;
                        }
                        _ => runs.push(LineRun { face: pc.face, size: pc.size, x: px, width: *width, colour: pc.colour, glyphs, link: pc.link.clone(), link_seq: pc.link_seq, hyphen: false, invisible: false }),
                    }
                    x += width;
                }
                (Item::Glue { width, stretch, shrink }, content) => {
                    let w = if ratio >= 0.0 { width + ratio * stretch } else { width + ratio * shrink };
                    let w = if style.justify { w } else { *width };
                    if matches!(content, Content::Space(_)) {
                        space_total += w;
                        space_nat += width;
                        pending_space = Some(px);
                    }
                    x += glue_advance(&items[i], ratio, style.justify);
                }
                _ => {}
            }
        }
        let mut hyphenated = false;
        let forced = matches!(items[br.index], Item::Penalty { penalty, .. } if penalty == FORCED_BREAK || penalty == FORCED_HYPHEN);
        if let (Item::Penalty { width, .. }, Content::Hyphen { face, size, colour, visible }) = (&items[br.index], &contents[br.index]) {
            let f = &shaper.book.faces[*face];
            let (gid, text) = match (f.soft_hyphen, f.hyphen) {
                (Some(s), _) => (s, GlyphText::new("\u{AD}")),
                (None, Some(h)) => (h, GlyphText::new("-")),
                _ => (0, GlyphText::new("-")),
            };
            runs.push(LineRun { face: *face, size: *size, x: at(br.index, x), width: *width, colour: *colour, glyphs: vec![Glyph { gid, x: 0.0, dy: 0.0, text }], link: None, link_seq: 0, hyphen: true, invisible: !visible });
            x += width;
            hyphenated = *visible;
        }
        // A line ending in an explicit hyphen also counts as hyphenated.
        if !hyphenated && br.flagged {
            hyphenated = true;
        }
        // Lines that end between words carry a trailing space glyph for extraction.
        let last_line = ln + 1 == breaks.len();
        let ends_with_space = i_is_space_break(items, contents, br.index);
        if !hyphenated && !last_line && ends_with_space {
            if let Some(r) = runs.last_mut() {
                if let Some(sg) = shaper.book.faces[r.face].glyph(' ') {
                    r.glyphs.push(Glyph { gid: sg, x: r.width, dy: 0.0, text: " ".into() });
                }
            }
        }
        let space_factor = if space_nat > 0.0 { space_total / space_nat } else { 1.0 };
        // A right-to-left paragraph's lines end at the right edge of the measure.
        if base_rtl && target < MEASURE_UNBOUNDED && x < target {
            for r in &mut runs {
                r.x += target - x;
            }
        }
        // An issue in a right-to-left language has its pages mirrored once laid out
        // (`layout::mirror`), which moves each run as a whole: set each run where the mirror
        // takes it to its place, so the line reads right after it.
        if shaper.rtl_language() {
            let m = if target < MEASURE_UNBOUNDED { target } else { x };
            for r in &mut runs {
                r.x = m - r.x - r.width;
            }
        }
        lines.push(Line { runs, width: x, measure: target, hyphenated, forced, ratio, space_factor });
        start = br.index + 1;
    }
    lines.retain(|l| !l.runs.is_empty());
    lines
}
