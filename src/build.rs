//! Build an issue end to end: model → brand → fonts → images → layout → PDF.

use crate::brand::{self, Theme};
use crate::error::{InputError, InputErrors, Warnings};
use crate::images::{self, ImageProfile, Probe};
use crate::layout::{self, Laid};
use crate::model::{self, Doc, Item, SectionBody};
use crate::pdf::{self, PdfOptions};
use crate::text::fonts::{FamilySource, FontBook};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Which edition to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Small, for e-mail: 150 ppi photos.
    Screen,
    /// For the print shop: 300 ppi, bleed, K-only text.
    Print,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub profile: Profile,
    pub marks: bool,
    pub brand: Option<PathBuf>,
    /// Folder for prepared images (None: no cache).
    pub cache: Option<PathBuf>,
    /// The project folder: every file the issue or its brand names must be inside it
    /// (None: [`crate::files::default_root`] of the issue).
    pub root: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options { profile: Profile::Screen, marks: false, brand: None, cache: None, root: None }
    }
}

/// The result of a build.
pub struct Built {
    pub pdf: Vec<u8>,
    pub warnings: Warnings,
    pub laid: Laid,
    pub doc: Doc,
    pub theme: Theme,
    /// Every file the build read: the issue, its brand, photos, logos, fonts.
    pub inputs: Vec<PathBuf>,
}

/// Why a build failed.
#[derive(Debug)]
pub enum BuildError {
    Input(InputErrors),
    Internal(String),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Input(e) => write!(f, "{e}"),
            BuildError::Internal(m) => write!(f, "internal error: {m} (please report this with the issue file)"),
        }
    }
}

impl From<InputErrors> for BuildError {
    fn from(e: InputErrors) -> Self {
        BuildError::Input(e)
    }
}

impl From<InputError> for BuildError {
    fn from(e: InputError) -> Self {
        BuildError::Input(InputErrors(vec![e]))
    }
}

/// Image files an issue uses, with where each is named (for messages).
fn image_refs(doc: &Doc, theme: &Theme) -> Vec<(PathBuf, PathBuf, String)> {
    let mut v = Vec::new();
    for s in &doc.sections {
        if let SectionBody::Profile { photo: Some(p), .. } = &s.kind {
            v.push((p.path.clone(), doc.file.clone(), format!("{}: {}", p.json_path, p.written)));
        }
        for it in &s.items {
            if let Item::Image(i) = it {
                v.push((i.path.clone(), doc.file.clone(), format!("{}: {}", i.json_path, i.written)));
            }
        }
    }
    if let Some((p, _)) = &theme.logo {
        v.push((p.clone(), theme.file.clone(), format!("logo: {}", p.display())));
    }
    for (i, (p, _)) in theme.funder_logos.iter().enumerate() {
        v.push((p.clone(), theme.file.clone(), format!("funder_logos[{i}].path: {}", p.display())));
    }
    v
}

/// Columns narrower than this (points, about 18 mm) are refused: a box inside one would hold
/// a word or two a line.
const COLUMN_MIN_W: f32 = 50.0;
/// Columns narrower than this (about 32 mm, some 20 characters) are set with a warning.
const COLUMN_NARROW_W: f32 = 90.0;

/// Missing characters listed by name in one warning; the rest are counted.
const MISSING_SHOWN: usize = 6;

/// The script of a character the fonts lack, for the hint ("" for a stray symbol).
fn script_of(c: char) -> &'static str {
    match c as u32 {
        0x0590..=0x05FF | 0xFB1D..=0xFB4F => "Hebrew",
        0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => "Arabic",
        0x0900..=0x097F => "Devanagari",
        0x0980..=0x09FF => "Bengali",
        0x0E00..=0x0E7F => "Thai",
        0x3040..=0x30FF => "Japanese",
        0xAC00..=0xD7AF | 0x1100..=0x11FF => "Korean",
        0x4E00..=0x9FFF | 0x3400..=0x4DBF => "CJK",
        _ => "",
    }
}

/// The JSON path of the first string in `v` that holds `c`.
fn path_with_char(v: &serde_json::Value, c: char, at: String) -> Option<String> {
    match v {
        serde_json::Value::String(s) => s.contains(c).then_some(at),
        serde_json::Value::Array(a) => a.iter().enumerate().find_map(|(i, x)| path_with_char(x, c, format!("{at}[{i}]"))),
        serde_json::Value::Object(m) => m.iter().find_map(|(k, x)| path_with_char(x, c, if at.is_empty() { k.clone() } else { format!("{at}.{k}") })),
        _ => None,
    }
}

/// Whether the body font draws U+FFFD (else a missing character shows as "?").
fn has_replacement(book: &crate::text::fonts::FontBook, family: usize) -> bool {
    book.faces[book.face(family, crate::text::fonts::Style::REGULAR)].has_char('\u{FFFD}')
}

/// Photos an issue names that are missing, unreadable or outside the project, found from
/// its JSON alone (when it does not validate, so every problem shows in one pass).
/// The photos and images an issue names, read from its JSON even when the issue does not
/// validate: each one's JSON path, the path as written, and the file it names.
pub fn named_photos(issue: &Path) -> Vec<(String, String, PathBuf)> {
    let Ok(text) = crate::files::read_text(issue) else { return Vec::new() };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&crate::source::forgive(&text)) else { return Vec::new() };
    let base = issue.parent().unwrap_or(Path::new("."));
    let mut named = Vec::new();
    let mut add = |path: String, p: &str| named.push((path, p.to_string(), base.join(p)));
    for (si, s) in v.get("sections").and_then(|s| s.as_array()).into_iter().flatten().enumerate() {
        if let Some(p) = s.get("photo").and_then(|p| p.as_str()) {
            add(format!("sections[{si}].photo"), p);
        }
        for (bi, b) in s.get("body").and_then(|b| b.as_array()).into_iter().flatten().enumerate() {
            if let Some(p) = b.get("image").and_then(|p| p.as_str()) {
                add(format!("sections[{si}].body[{bi}].image"), p);
            }
        }
    }
    named
}

fn photo_problems(issue: &Path, root: &Path) -> Vec<InputError> {
    let mut out = Vec::new();
    for (path, written, file) in named_photos(issue) {
        if model::is_blank(&written) {
            continue; // (validation reports it)
        }
        let problem = crate::files::check_inside(&file, root).err().or_else(|| crate::files::check_regular(&file, crate::files::MAX_IMAGE).err().map(|m| format!("{written}: {m}")));
        if let Some(m) = problem {
            out.push(InputError::new(issue, path, m));
        }
    }
    out
}

/// The font files a brand names, with their JSON paths.
fn font_files(theme: &Theme) -> Vec<(String, &Path)> {
    let mut v = Vec::new();
    for (field, choice) in [("fonts.body", &theme.body_font), ("fonts.heading", &theme.heading_font)] {
        if let brand::FontChoice::Files { regular, bold, italic, bold_italic } = choice {
            v.push((field.to_string(), regular.as_path()));
            v.extend([bold, italic, bold_italic].into_iter().flatten().map(|p| (field.to_string(), p.as_path())));
        }
    }
    v
}

/// With `FOLIO_TIMINGS` set, each stage of a build and its wall time on standard error
/// (a developer's view of where the time goes; `benches/bench.py` measures whole builds).
struct Laps {
    on: bool,
    t: std::time::Instant,
}

impl Laps {
    fn new() -> Laps {
        Laps { on: std::env::var_os("FOLIO_TIMINGS").is_some(), t: std::time::Instant::now() }
    }

    fn lap(&mut self, stage: &str) {
        if self.on {
            eprintln!("  {stage:<10} {:7.2} ms", self.t.elapsed().as_secs_f64() * 1000.0);
            self.t = std::time::Instant::now();
        }
    }
}

/// Parse, validate, lay out and write one issue. Writes nothing to disk.
pub fn build(issue: &Path, opts: &Options) -> Result<Built, BuildError> {
    let mut laps = Laps::new();
    let root = opts.root.clone().unwrap_or_else(|| crate::files::default_root(issue));
    let doc = model::load(issue).map_err(|mut e| {
        // Report the photos' problems in the same pass as the issue's.
        e.0.extend(photo_problems(issue, &root));
        e
    })?;
    // A brand named on the command line is the user's choice; one the issue names must be
    // inside the project, like every file the issue and brand name.
    if let (None, Some(b)) = (&opts.brand, &doc.brand) {
        crate::files::check_inside(b, &root).map_err(|m| InputError::new(&doc.file, "brand", m))?;
    }
    let brand_path = opts.brand.clone().or(doc.brand.clone());
    let theme = brand::load(brand_path.as_deref(), &doc)?;
    for (field, path) in font_files(&theme) {
        crate::files::check_inside(path, &root).map_err(|m| InputError::new(&theme.file, field, m))?;
    }
    laps.lap("parse");
    let mut warnings = Warnings::default();
    // Columns must be wide enough to hold words: narrow ones are set (with a warning),
    // ones that could hold only a few letters a line are refused.
    let col_w = layout::geometry::Geometry::new(&theme).col_w;
    if col_w < COLUMN_MIN_W {
        return Err(InputError::new(&doc.file, "page.columns", format!("{} columns on {:?} leave {:.0} mm per column, too narrow for text: use fewer columns, or a smaller gutter or margins in the brand", theme.columns, theme.page_size, col_w / brand::MM)).into());
    }
    if col_w < COLUMN_NARROW_W {
        warnings.push(&doc.file, "page.columns", format!("{} columns on {:?} leave {:.0} mm per column: lines of a few words, many hyphens and ragged spacing; fewer columns read better", theme.columns, theme.page_size, col_w / brand::MM));
    }
    // (Hebrew, Arabic and the other right-to-left scripts are not hyphenated at all.)
    if theme.hyphenate && !crate::text::hyph::Hyphen::for_language(&doc.language).available() && !crate::text::fonts::is_rtl_language(&doc.language) {
        warnings.push(&doc.file, "language", format!("no hyphenation patterns for \"{}\": text will not be hyphenated", doc.language));
    }

    // Fonts.
    let mut book = FontBook::default();
    let family = |book: &mut FontBook, choice: &brand::FontChoice, field: &str| -> Result<usize, InputError> {
        let r = match choice {
            brand::FontChoice::Bundled(n) => book.add_family(FamilySource::Bundled(n)),
            brand::FontChoice::Files { regular, bold, italic, bold_italic } => {
                book.add_family(FamilySource::Files([Some(regular.as_path()), bold.as_deref(), italic.as_deref(), bold_italic.as_deref()]))
            }
        };
        r.map_err(|m| InputError::new(&theme.file, format!("fonts.{field}"), m))
    };
    let body = family(&mut book, &theme.body_font, "body")?;
    let heading = family(&mut book, &theme.heading_font, "heading")?;
    book.add_fallbacks().map_err(|m| InputError::new(&theme.file, "fonts".to_string(), m))?;

    laps.lap("fonts");
    // Images: read and probe every file first; report all problems at once.
    let refs = image_refs(&doc, &theme);
    let cache = opts.cache.as_deref().map(images::Cache::new);
    let loaded: Vec<Result<(PathBuf, images::Photo), InputError>> = refs
        .par_iter()
        .map(|(path, file, what)| {
            let (jp, written) = what.split_once(": ").unwrap_or((what.as_str(), ""));
            let fail = |m: String| InputError::new(file, jp.to_string(), format!("{written}: {m}"));
            crate::files::check_inside(path, &root).map_err(|m| InputError::new(file, jp.to_string(), m))?;
            let photo = match &cache {
                Some(c) => c.photo(path),
                None => images::load(path),
            };
            Ok((path.clone(), photo.map_err(fail)?))
        })
        .collect();
    let mut errs = Vec::new();
    let mut photos: HashMap<PathBuf, images::Photo> = HashMap::new();
    for r in loaded {
        match r {
            Ok((p, photo)) => {
                photos.insert(p, photo);
            }
            Err(e) => {
                if !errs.iter().any(|x: &InputError| x.path == e.path) {
                    errs.push(e)
                }
            }
        }
    }
    if !errs.is_empty() {
        return Err(BuildError::Input(InputErrors(errs)));
    }
    let probes: HashMap<PathBuf, Probe> = photos.iter().map(|(p, ph)| (p.clone(), ph.probe.clone())).collect();
    laps.lap("read");
    let mut laid = layout::layout(&doc, &theme, &book, body, heading, &probes);
    laps.lap("layout");
    if !laid.errors.is_empty() {
        let errs = laid.errors.iter().map(|e| InputError::new(&doc.file, e.path.clone(), e.message.clone())).collect();
        return Err(BuildError::Input(InputErrors(errs)));
    }
    if !laid.missing_chars.is_empty() {
        let source = crate::files::read_text(&doc.file).ok().and_then(|t| serde_json::from_str::<serde_json::Value>(&crate::source::forgive(&t)).ok());
        let mark = if has_replacement(&book, body) { "\u{FFFD}" } else { "?" };
        // One warning per script (a Hebrew issue lacks 27 letters, not 27 problems).
        let mut by_script: Vec<(&'static str, Vec<char>)> = Vec::new();
        for &c in &laid.missing_chars {
            let s = script_of(c);
            match by_script.iter_mut().find(|(n, _)| *n == s) {
                Some((_, v)) => v.push(c),
                None => by_script.push((s, vec![c])),
            }
        }
        for (script, chars) in by_script {
            let path = source.as_ref().and_then(|v| path_with_char(v, chars[0], String::new())).unwrap_or_default();
            let shown: Vec<String> = chars.iter().take(MISSING_SHOWN).map(|c| format!("'{c}' (U+{:04X})", *c as u32)).collect();
            let more = if chars.len() > MISSING_SHOWN { format!(" and {} more", chars.len() - MISSING_SHOWN) } else { String::new() };
            let what = if chars.len() == 1 { "the character" } else { "the characters" };
            let hint = match script {
                "" => "use another character, or a brand font that has it".to_string(),
                s => format!("give the brand a font with {s} characters (e.g. a Noto Sans {s} font)"),
            };
            warnings.push(&doc.file, path, format!("{what} {}{more} {} not in the fonts: {} as {mark}; {hint}", shown.join(", "), if chars.len() == 1 { "is" } else { "are" }, if chars.len() == 1 { "it shows" } else { "they show" }));
        }
    }
    collect_warnings(&doc, &theme, &mut warnings);

    // Prepare images at their placed sizes, in parallel.
    let profile = match opts.profile {
        Profile::Screen => ImageProfile { ppi: 150.0, quality: 80 },
        Profile::Print => ImageProfile { ppi: 300.0, quality: 90 },
    };
    let prepared: Vec<Result<(crate::layout::display::ImageData, f32), InputError>> = laid
        .images
        .par_iter()
        .map(|req| {
            let photo = photos.get(&req.path).ok_or_else(|| InputError::new(&doc.file, req.source.clone(), "image not loaded"))?;
            let r = match (&cache, &photo.bytes) {
                (Some(c), _) => c.prepare(&req.path, photo, req.frame_w, req.frame_h, req.focus, profile, req.keep_alpha),
                (None, Some(data)) => images::prepare(data, req.frame_w, req.frame_h, req.focus, profile, req.keep_alpha),
                (None, None) => Err("internal error: the photo was not read".into()),
            };
            r.map_err(|m| InputError::new(&doc.file, req.source.clone(), m))
        })
        .collect();
    let mut errs = Vec::new();
    for (req, r) in laid.images.iter().zip(prepared) {
        match r {
            Ok((img, ppi)) => {
                if ppi < profile.ppi * 0.9 && !req.keep_alpha {
                    warnings.push(&doc.file, req.source.clone(), format!("{}: only {:.0} ppi at its printed size ({:.0} × {:.0} mm); the {} edition wants {:.0} ppi: use a larger photo", req.path.display(), ppi, req.frame_w / brand::MM, req.frame_h / brand::MM, if opts.profile == Profile::Print { "print" } else { "screen" }, profile.ppi));
                }
                laid.document.images.push(img);
            }
            Err(e) => errs.push(e),
        }
    }
    if !errs.is_empty() {
        return Err(BuildError::Input(InputErrors(errs)));
    }
    laps.lap("images");
    let date = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.parse::<i64>().ok()).unwrap_or(1_700_000_000);
    let popts = PdfOptions { print: opts.profile == Profile::Print, bleed: theme.bleed, marks: opts.marks, date, cmyk: theme.cmyk.clone() };
    let pdf = pdf::write(&laid.document, &book, &popts).map_err(BuildError::Internal)?;
    laps.lap("pdf");
    let mut inputs = vec![issue.to_path_buf(), theme.file.clone()];
    inputs.extend(refs.iter().map(|r| r.0.clone()));
    inputs.extend(font_files(&theme).into_iter().map(|(_, p)| p.to_path_buf()));
    Ok(Built { pdf, warnings, laid, doc, theme, inputs })
}

/// Refuse to write the PDF over one of the build's inputs (`-o` naming the issue, its
/// brand, a photo, a logo or a font).
pub fn check_output(out: &Path, inputs: &[PathBuf]) -> Result<(), String> {
    let same = |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => crate::files::absolute(a) == crate::files::absolute(b),
    };
    match inputs.iter().find(|i| same(out, i)) {
        Some(i) => Err(format!("{}: this is one of the build's inputs ({}), and writing the PDF would destroy it: give another output with -o", out.display(), i.display())),
        None => Ok(()),
    }
}

fn collect_warnings(doc: &Doc, theme: &Theme, w: &mut Warnings) {
    let file = &doc.file;
    // Links to "#" or empty, and link text that says nothing.
    let mut texts: Vec<(String, &str)> = Vec::new();
    for (i, p) in doc.intro.iter().enumerate() {
        texts.push((format!("intro[{i}]"), p));
    }
    for (si, s) in doc.sections.iter().enumerate() {
        for (bi, it) in s.items.iter().enumerate() {
            match it {
                Item::Paragraph(p) => texts.push((format!("sections[{si}].body[{bi}]"), p)),
                Item::List { items, .. } => {
                    for (li, t) in items.iter().enumerate() {
                        texts.push((format!("sections[{si}].body[{bi}].list[{li}]"), t));
                    }
                }
                _ => {}
            }
        }
    }
    if let Some(f) = &doc.footer {
        if let Some(t) = &f.text {
            for (i, p) in t.paragraphs().into_iter().enumerate() {
                texts.push((format!("footer.text[{i}]"), p));
            }
        }
        for (i, l) in f.links.iter().enumerate() {
            if let Err(why) = crate::inline::link_target(&l.url) {
                w.push(file, format!("footer.links[{i}].url"), format!("the link to \"{}\" is set as plain text: {why}", l.url.trim()));
            }
        }
    }
    for (path, t) in texts {
        for r in crate::inline::parse(t) {
            if let Some((target, why)) = &r.refused {
                let what = if r.text.trim() == target.trim() { format!("the address \"{}\"", target) } else { format!("the link \"{}\" to \"{}\"", r.text, target) };
                w.push(file, path.clone(), format!("{what} is set as plain text: {why}"));
            }
            if r.link.is_some() {
                let lower = r.text.trim().to_lowercase();
                if ["click here", "here", "link", "this link", "read more", "more"].contains(&lower.as_str()) {
                    w.push(file, path.clone(), format!("link text \"{}\" says nothing out of context: describe where it goes", r.text));
                }
                if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.") {
                    w.push(file, path.clone(), format!("the link text is a bare address ({}): a screen reader reads it out character by character; write [a description](address) instead", r.text.trim()));
                }
            }
        }
    }
    // Contrast (WCAG 2.1 AA).
    let white = brand::Rgb(1.0, 1.0, 1.0);
    let checks = [
        ("text", theme.text, "white", white, 4.5),
        ("text", theme.text, "tint", theme.tint, 4.5),
        ("muted", theme.muted, "white", white, 4.5),
        ("muted", theme.muted, "tint", theme.tint, 4.5),
        ("link", theme.link, "white", white, 4.5),
        ("link", theme.link, "tint", theme.tint, 4.5),
        ("primary", theme.primary, "white", white, 3.0),
        ("on_primary", theme.on_primary, "primary", theme.primary, 4.5),
    ];
    for (a, ca, b, cb, min) in checks {
        let c = ca.contrast(cb);
        if c < min {
            w.push(&theme.file, format!("colours.{a}"), format!("{} on {b} ({}) has contrast {c:.2}:1, below WCAG AA {min}:1: darken or lighten it", ca.hex(), cb.hex()));
        }
    }
    if theme.body_pt < 9.0 {
        w.push(&theme.file, "type.body_pt", format!("body text at {} pt is hard to read: use 9 pt or more", theme.body_pt));
    }
}

/// Write bytes to `path` atomically: a temporary file beside it, created exclusively with an
/// unpredictable name (never through a planted link), then renamed over `path`. On any
/// error (a full disk included) the temporary file is removed and `path` is untouched.
///
/// It does not wait for the disk (no fsync, like `cp` or a compiler writing its output):
/// that wait cost 7 ms, a fifth of a build. (ext4 and the other journalling file systems
/// flush a file renamed over another before the rename, so a crash leaves the old file or
/// the new one.)
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new().prefix(".folio-").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    // A new file is readable as any the user makes (the temporary one was private); a
    // replaced one keeps its permissions.
    let perms = match std::fs::metadata(path) {
        Ok(m) => m.permissions(),
        Err(_) => default_permissions(tmp.as_file())?,
    };
    tmp.as_file().set_permissions(perms)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn default_permissions(_: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions(f: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    Ok(f.metadata()?.permissions())
}

/// Where the bytes of a built PDF go: each photo, the fonts, the rest.
pub fn size_breakdown(b: &Built) -> Vec<String> {
    let mut out = Vec::new();
    let mut images_total = 0usize;
    for (req, img) in b.laid.images.iter().zip(&b.laid.document.images) {
        let n = img.data.len() + img.alpha.as_ref().map_or(0, |a| a.len());
        images_total += n;
        out.push(format!("{:>8} KB  {} ({}×{} px)", n.div_ceil(1024), req.path.display(), img.width, img.height));
    }
    let mut fonts = 0usize;
    if let Ok(doc) = lopdf::Document::load_mem(&b.pdf) {
        for obj in doc.objects.values() {
            if let Ok(d) = obj.as_dict() {
                for key in [b"FontFile2".as_slice(), b"FontFile3".as_slice(), b"FontFile".as_slice()] {
                    if let Ok(r) = d.get(key).and_then(|o| o.as_reference()) {
                        if let Ok(lopdf::Object::Stream(s)) = doc.get_object(r) {
                            fonts += s.content.len();
                        }
                    }
                }
            }
        }
    }
    out.push(format!("{:>8} KB  fonts", fonts.div_ceil(1024)));
    let rest = b.pdf.len().saturating_sub(images_total + fonts);
    out.push(format!("{:>8} KB  everything else (text, structure, metadata)", rest.div_ceil(1024)));
    out
}
