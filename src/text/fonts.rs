//! Font faces (bundled or from files), metrics and shaping with harfrust.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Bundled families: name and the four style files (regular, bold, italic, bold italic).
const BUNDLED: &[(&str, [&[u8]; 4])] = &[(
    "Noto Sans",
    [
        include_bytes!("../../fonts/NotoSans-Regular.ttf"),
        include_bytes!("../../fonts/NotoSans-Bold.ttf"),
        include_bytes!("../../fonts/NotoSans-Italic.ttf"),
        include_bytes!("../../fonts/NotoSans-BoldItalic.ttf"),
    ],
)];

/// Bundled fallback faces for scripts the text families lack: name, script and the regular
/// and bold files. A character the chosen face has no glyph for is set in the first of
/// these that has one (italic styles use the upright faces: these scripts have no italic).
const FALLBACKS: &[(&str, [&[u8]; 2])] = &[
    ("NotoSansHebrew", [include_bytes!("../../fonts/NotoSansHebrew-Regular.ttf"), include_bytes!("../../fonts/NotoSansHebrew-Bold.ttf")]),
    ("NotoSansArabic", [include_bytes!("../../fonts/NotoSansArabic-Regular.ttf"), include_bytes!("../../fonts/NotoSansArabic-Bold.ttf")]),
];

/// The bundled family a name refers to (case-insensitive).
pub fn bundled_family(name: &str) -> Option<usize> {
    BUNDLED.iter().position(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
}

/// The bundled family names, for messages.
pub fn bundled_names() -> String {
    BUNDLED.iter().map(|(n, _)| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}

/// Style index: 0 regular, 1 bold, 2 italic, 3 bold italic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Style {
    pub bold: bool,
    pub italic: bool,
}

impl Style {
    pub const REGULAR: Style = Style { bold: false, italic: false };
    pub const BOLD: Style = Style { bold: true, italic: false };
    pub const ITALIC: Style = Style { bold: false, italic: true };
    fn index(self) -> usize {
        (self.bold as usize) | ((self.italic as usize) << 1)
    }
}

/// Index of a face in the [`FontBook`].
pub type FaceId = usize;

/// A font file's bytes, shared: the bundled fonts are the binary's own (never copied),
/// a brand's font file is read once.
pub type FontBytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// One font file, parsed.
pub struct Face {
    /// A PostScript-safe name for the PDF.
    pub name: String,
    pub data: FontBytes,
    font: harfrust::Font,
    pub upem: f32,
    /// Ascender and descender (negative) in em.
    pub ascender: f32,
    pub descender: f32,
    pub cap_height: f32,
    /// A glyph for U+00AD distinct from the hyphen's, for line-end hyphens that extract as soft hyphens.
    pub soft_hyphen: Option<u16>,
    pub hyphen: Option<u16>,
    /// Natural advance of every glyph, in font units (worked out when first asked for: the
    /// PDF writer needs them, the fallback faces of most issues are never used).
    advances: std::sync::OnceLock<Vec<i32>>,
    /// A bold face (picks the bold fallback face).
    pub bold: bool,
    /// The character map for the Basic Multilingual Plane, in blocks of 256 characters,
    /// each read from the font the first time a character of it is asked for (a paragraph
    /// asks for every character's glyph more than once).
    bmp: Box<[std::sync::OnceLock<Box<[u16; 256]>>]>,
}

impl Face {
    pub fn from_bytes(name: &str, data: FontBytes) -> Option<Face> {
        let font = harfrust::Font::new(read_fonts_blob(data.clone()), 0)?;
        let upem = font.units_per_em() as f32;
        if upem <= 0.0 {
            return None;
        }
        let m = font.metrics();
        let (asc, desc) = match (m.typo_line, m.hhea_line) {
            (Some(t), _) if m.use_typo_metrics => (t.ascender.to_f32(), t.descender.to_f32()),
            (_, Some(h)) => (h.ascender.to_f32(), h.descender.to_f32()),
            (Some(t), None) => (t.ascender.to_f32(), t.descender.to_f32()),
            _ => (upem * 0.8, -upem * 0.2),
        };
        let cap = m.cap_height.map(|c| c.to_f32()).unwrap_or(upem * 0.7);
        let cmap = font.charmap();
        let hyphen = cmap.map_unicode('-' as u32).map(|g| g.to_u32() as u16);
        let soft = cmap.map_unicode(0xAD_u32).map(|g| g.to_u32() as u16).filter(|g| Some(*g) != hyphen);
        let name = name.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect::<String>();
        let advances = std::sync::OnceLock::new();
        let bmp = (0..256).map(|_| std::sync::OnceLock::new()).collect();
        Some(Face { name, data, font, upem, ascender: asc / upem, descender: desc / upem, cap_height: cap / upem, soft_hyphen: soft, hyphen, advances, bold: false, bmp })
    }

    /// The font file's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.data.as_ref().as_ref()
    }

    /// The glyph for a character, if the font has one.
    pub fn glyph(&self, c: char) -> Option<u16> {
        let u = c as u32;
        let g = match self.bmp.get((u >> 8) as usize) {
            Some(block) => {
                let block = block.get_or_init(|| {
                    let cmap = self.font.charmap();
                    let base = u & !0xFF;
                    Box::new(std::array::from_fn(|i| cmap.map_unicode(base + i as u32).map_or(0, |g| g.to_u32().min(u16::MAX as u32) as u16)))
                });
                block[(u & 0xFF) as usize]
            }
            None => self.font.charmap().map_unicode(u).map_or(0, |g| g.to_u32().min(u16::MAX as u32) as u16),
        };
        (g != 0).then_some(g)
    }

    /// The glyph's natural advance in em (what a PDF viewer uses before TJ adjustments).
    pub fn advance(&self, gid: u16) -> f32 {
        let advances = self.advances.get_or_init(|| {
            let sf = harfrust::ShaperFont::new(&self.font);
            (0..self.font.metrics().num_glyphs.min(65_535)).map(|g| sf.glyph_h_advance(harfrust::GlyphId::new(g))).collect()
        });
        advances.get(gid as usize).copied().unwrap_or(0) as f32 / self.upem
    }

    pub fn has_char(&self, c: char) -> bool {
        c.is_whitespace() || c.is_control() || self.glyph(c).is_some() || matches!(c, '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}')
    }
}

/// A shaped glyph; lengths in em.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShapedGlyph {
    pub gid: u16,
    /// Byte offset of the cluster in the shaped text.
    pub cluster: u32,
    pub advance: f32,
    pub dx: f32,
    pub dy: f32,
    /// Breaking the text before this glyph would change the shaping.
    pub unsafe_to_break: bool,
}

/// All faces used by one document; families map styles to faces.
#[derive(Default)]
pub struct FontBook {
    pub faces: Vec<Face>,
    families: Vec<(String, [FaceId; 4])>,
    by_source: HashMap<String, FaceId>,
    /// The fallback faces, regular and bold (see [`FALLBACKS`]).
    fallbacks: Vec<[FaceId; 2]>,
}

/// Where a family's four style files come from.
pub enum FamilySource<'a> {
    Bundled(&'a str),
    Files([Option<&'a Path>; 4]),
}

impl FontBook {
    /// Add a family; returns its index. Missing styles reuse the regular face.
    pub fn add_family(&mut self, source: FamilySource) -> Result<usize, String> {
        let mut ids = [0usize; 4];
        match source {
            FamilySource::Bundled(name) => {
                let fam = bundled_family(name).ok_or_else(|| format!("no bundled font \"{name}\""))?;
                let (fname, files) = BUNDLED[fam];
                let styles = ["Regular", "Bold", "Italic", "BoldItalic"];
                for i in 0..4 {
                    let key = format!("bundled:{fname}:{i}");
                    ids[i] = match self.by_source.get(&key) {
                        Some(&id) => id,
                        None => {
                            let mut face = Face::from_bytes(&format!("{}-{}", fname.replace(' ', ""), styles[i]), Arc::new(files[i]))
                                .ok_or_else(|| format!("the bundled font {fname} {} cannot be read", styles[i]))?;
                            face.bold = i & 1 == 1;
                            self.faces.push(face);
                            self.by_source.insert(key, self.faces.len() - 1);
                            self.faces.len() - 1
                        }
                    };
                }
                self.families.push((fname.to_string(), ids));
            }
            FamilySource::Files(paths) => {
                let regular = paths[0].ok_or("a font family needs a regular file")?;
                for i in 0..4 {
                    let path = paths[i].unwrap_or(regular);
                    let key = format!("file:{}", path.display());
                    ids[i] = match self.by_source.get(&key) {
                        Some(&id) => id,
                        None => {
                            let data = crate::files::read_regular(path, crate::files::MAX_FONT).map_err(|m| format!("{}: cannot read the font: {m}", path.display()))?;
                            let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "Font".into());
                            let mut face = load_font_file(path, &stem, data)?;
                            face.bold = i & 1 == 1;
                            self.faces.push(face);
                            self.by_source.insert(key, self.faces.len() - 1);
                            self.faces.len() - 1
                        }
                    };
                }
                self.families.push((regular.display().to_string(), ids));
            }
        }
        Ok(self.families.len() - 1)
    }

    pub fn face(&self, family: usize, style: Style) -> FaceId {
        self.families[family].1[style.index()]
    }

    /// Load the bundled fallback faces (only the ones a document uses are embedded).
    pub fn add_fallbacks(&mut self) -> Result<(), String> {
        for (name, files) in FALLBACKS {
            let mut ids = [0usize; 2];
            for (i, data) in files.iter().enumerate() {
                let style = if i == 0 { "Regular" } else { "Bold" };
                let mut face = Face::from_bytes(&format!("{name}-{style}"), Arc::new(*data)).ok_or_else(|| format!("the bundled font {name} {style} cannot be read"))?;
                face.bold = i == 1;
                self.faces.push(face);
                ids[i] = self.faces.len() - 1;
            }
            self.fallbacks.push(ids);
        }
        Ok(())
    }

    /// The face to set `c` in when `face` is the chosen one: `face` itself when it has the
    /// character, else the first fallback face (of the same weight) that has it.
    pub fn face_for(&self, face: FaceId, c: char) -> Option<FaceId> {
        let f = &self.faces[face];
        if f.has_char(c) {
            return Some(face);
        }
        self.fallbacks.iter().map(|ids| ids[f.bold as usize]).find(|&id| self.faces[id].glyph(c).is_some())
    }

    /// Whether some face (the chosen one or a fallback) has `c`.
    pub fn covers(&self, face: FaceId, c: char) -> bool {
        self.face_for(face, c).is_some()
    }
}

/// Shapes text with a per-document cache (words repeat a lot). Each face's shaping tables,
/// each (face, direction, script)'s shape plan and one glyph buffer are made once and kept:
/// building a plan costs far more than shaping a word with it.
pub struct Shaper<'a> {
    pub book: &'a FontBook,
    language: Option<harfrust::Language>,
    rtl: bool,
    /// Per face and direction: text → its glyphs (looked up by `&str`, no key to allocate).
    cache: HashMap<(FaceId, bool), HashMap<String, Arc<Vec<ShapedGlyph>>>>,
    fonts: Vec<Option<harfrust::ShaperFont<'a, 'a>>>,
    plans: HashMap<(FaceId, bool, Option<harfrust::Script>), harfrust::ShapePlan>,
    buffer: Option<harfrust::Buffer>,
}

/// Languages written right to left (primary subtags): their paragraphs start right to left.
const RTL_LANGUAGES: &[&str] = &["ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku", "ps", "sd", "syr", "ug", "ur", "yi"];

/// Whether a BCP 47 tag names a language written right to left.
pub fn is_rtl_language(tag: &str) -> bool {
    let primary = tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    RTL_LANGUAGES.contains(&primary.as_str()) || tag.to_ascii_lowercase().contains("-arab") || tag.to_ascii_lowercase().contains("-hebr")
}

impl<'a> Shaper<'a> {
    pub fn new(book: &'a FontBook, language: &str) -> Self {
        let fonts = (0..book.faces.len()).map(|_| None).collect();
        Shaper { book, language: language.parse().ok(), rtl: is_rtl_language(language), cache: HashMap::new(), fonts, plans: HashMap::new(), buffer: None }
    }

    /// Shape `text` with one face, left to right: kerning and ligatures on (the font's defaults).
    pub fn shape(&mut self, face: FaceId, text: &str) -> Arc<Vec<ShapedGlyph>> {
        self.shape_dir(face, text, false)
    }

    /// Shape `text` with one face in the given direction. The glyphs come back in logical
    /// order either way (for right-to-left text, the first glyph is the rightmost), so
    /// clusters only grow and breaks map to glyph boundaries alike in both directions.
    pub fn shape_dir(&mut self, face: FaceId, text: &str, rtl: bool) -> Arc<Vec<ShapedGlyph>> {
        if let Some(g) = self.cache.get(&(face, rtl)).and_then(|m| m.get(text)) {
            return g.clone();
        }
        let glyphs = Arc::new(self.shape_uncached(face, text, rtl));
        self.cache.entry((face, rtl)).or_default().insert(text.to_string(), glyphs.clone());
        glyphs
    }

    fn shape_uncached(&mut self, face: FaceId, text: &str, rtl: bool) -> Vec<ShapedGlyph> {
        let f: &'a Face = &self.book.faces[face];
        if text.is_empty() {
            return Vec::new();
        }
        let mut buffer = self.buffer.take().unwrap_or_default();
        buffer.clear();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let direction = if rtl { harfrust::Direction::RightToLeft } else { harfrust::Direction::LeftToRight };
        buffer.set_direction(direction);
        if let Some(l) = &self.language {
            buffer.set_language(Some(l.clone()));
        }
        if self.fonts.len() <= face {
            self.fonts.resize_with(face + 1, || None);
        }
        let shaper_font = self.fonts[face].get_or_insert_with(|| harfrust::ShaperFont::new(&f.font));
        let plan = self.plans.entry((face, rtl, buffer.script())).or_insert_with(|| harfrust::ShapePlan::new(&f.font, direction, buffer.script(), self.language.as_ref(), &[]));
        let shaped = harfrust::shape(shaper_font, &mut buffer, harfrust::ShapeOptions::new().plan(Some(plan)));
        let glyphs = if shaped.is_err() {
            // A font harfrust cannot shape with: fall back to nominal glyphs.
            text.char_indices().map(|(i, c)| ShapedGlyph { gid: f.glyph(c).unwrap_or(0), cluster: i as u32, advance: 0.5, dx: 0.0, dy: 0.0, unsafe_to_break: false }).collect()
        } else {
            glyphs_of(f, &buffer, rtl)
        };
        self.buffer = Some(buffer);
        glyphs
    }

    /// Whether the language is written right to left (its paragraphs' direction).
    pub fn rtl_language(&self) -> bool {
        self.rtl
    }

    /// Width of `text` in em.
    pub fn width(&mut self, face: FaceId, text: &str) -> f32 {
        self.shape(face, text).iter().map(|g| g.advance).sum()
    }
}

/// The shaped buffer's glyphs, in logical order, lengths in em.
fn glyphs_of(f: &Face, buffer: &harfrust::Buffer, rtl: bool) -> Vec<ShapedGlyph> {
    let upem = f.upem;
    let mut glyphs: Vec<ShapedGlyph> = buffer
        .glyph_infos()
        .iter()
        .zip(buffer.glyph_positions())
        .map(|(info, pos)| ShapedGlyph {
            gid: info.glyph_id.min(u16::MAX as u32) as u16,
            cluster: info.cluster,
            advance: pos.x_advance as f32 / upem,
            dx: pos.x_offset as f32 / upem,
            dy: pos.y_offset as f32 / upem,
            unsafe_to_break: info.unsafe_to_break(),
        })
        .collect();
    // Right-to-left glyphs come out in visual order: put them back in logical order.
    if rtl {
        glyphs.reverse();
    }
    glyphs
}

/// The bytes as read-fonts' shared blob (no copy).
fn read_fonts_blob(data: FontBytes) -> harfrust::font::Blob {
    harfrust::font::Blob::from(data)
}

/// A brand's font file, checked now so a bad one is an input error naming it, not a failure
/// when the PDF is written: one face (not a collection), parsed, and subset for a sample.
fn load_font_file(path: &Path, stem: &str, data: Vec<u8>) -> Result<Face, String> {
    if data.starts_with(b"ttcf") {
        return Err(format!("{}: a TrueType collection (.ttc) holds several fonts: Folio needs one font per file; export the face you want as .ttf or .otf", path.display()));
    }
    let face = Face::from_bytes(stem, Arc::new(data)).ok_or_else(|| format!("{}: not a TrueType or OpenType font (or a damaged one): use a .ttf or .otf file", path.display()))?;
    // Letters of the main scripts: a text font has some of them; one that has none is
    // damaged (its character map lost) or not a text font.
    let sample: Vec<u16> = "Aa1ΩωЖжאבابअक中文あア한".chars().filter_map(|c| face.glyph(c)).collect();
    if sample.is_empty() {
        return Err(format!("{}: the font has no letters Folio can use (its character map is empty or damaged): use another copy of the font", path.display()));
    }
    let mut remapper = subsetter::GlyphRemapper::new();
    remapper.remap(0);
    for g in sample {
        remapper.remap(g);
    }
    subsetter::subset(face.bytes(), 0, &remapper).map_err(|_| format!("{}: the font file is damaged (it cannot be embedded): use another copy of the font", path.display()))?;
    Ok(face)
}
