//! The brand: colours, fonts, logos, page and type settings, every field defaulted (SPEC §3).

use crate::error::{InputError, InputErrors};
use crate::model::{Doc, PageSize};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The default brand, compiled in.
pub const DEFAULT_BRAND: &str = include_str!("../assets/default-brand.json");

/// A brand file as written.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct BrandFile {
    /// The JSON Schema the file follows, for editors; Folio ignores it.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The organisation: the PDF's author.
    pub name: Option<String>,
    pub colours: Colours,
    pub fonts: Fonts,
    /// Logo shown in the masthead band (PNG or JPEG; PNG transparency kept).
    pub logo: Option<String>,
    /// The logo's alt text (default: the brand name).
    pub logo_alt: Option<String>,
    /// Funders' logos, shown in the contact footer.
    pub funder_logos: Vec<LogoRef>,
    pub page: BrandPage,
    #[serde(rename = "type")]
    pub type_: TypeSizes,
    /// Justify body text (only where the column holds about 40 characters or more).
    pub justify: Option<bool>,
    /// Hyphenate body text (default true).
    pub hyphenate: Option<bool>,
    /// Profile photo frame: "portrait" (default) or "circle".
    pub profile_photo: Option<PhotoShape>,
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PhotoShape {
    Portrait,
    Circle,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoRef {
    pub path: String,
    pub alt: String,
}

/// Colours as `#RRGGBB` or `#RGB`, or `{ "rgb": "#RRGGBB", "cmyk": [c, m, y, k] }` to
/// give the print edition's inks (percent) rather than have them converted.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Colours {
    /// Masthead band, headings.
    pub primary: Option<ColourSpec>,
    /// Rules, heading marks, quote and callout bars.
    pub accent: Option<ColourSpec>,
    /// Body text.
    pub text: Option<ColourSpec>,
    /// Captions, roles, running footer.
    pub muted: Option<ColourSpec>,
    /// Panels: profile, callout, contact footer.
    pub tint: Option<ColourSpec>,
    /// Text on the primary band.
    pub on_primary: Option<ColourSpec>,
    /// Links.
    pub link: Option<ColourSpec>,
}

/// A brand colour: its screen colour, and optionally the inks the print edition uses for it.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ColourSpec {
    Rgb(String),
    /// The screen colour and the print inks, each 0 to 100 percent (cyan, magenta, yellow, black).
    Both { rgb: String, cmyk: [f32; 4] },
}

impl ColourSpec {
    fn rgb(&self) -> &str {
        match self {
            ColourSpec::Rgb(s) | ColourSpec::Both { rgb: s, .. } => s,
        }
    }
}

/// Fonts: a bundled family name ("Noto Sans") or a path to a TTF/OTF file; or an object of four paths.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Fonts {
    pub body: Option<FontSpec>,
    pub heading: Option<FontSpec>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum FontSpec {
    /// A bundled family name or a path to one font file (used for every style).
    Name(String),
    /// Paths to each style's file; missing styles fall back to `regular`.
    Files {
        regular: String,
        #[serde(default)]
        bold: Option<String>,
        #[serde(default)]
        italic: Option<String>,
        #[serde(default)]
        bold_italic: Option<String>,
    },
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct BrandPage {
    pub size: Option<PageSize>,
    pub columns: Option<u32>,
    pub margins_mm: Option<Margins>,
    pub gutter_mm: Option<f32>,
    /// Bleed for the print edition (default 3 mm).
    pub bleed_mm: Option<f32>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Margins {
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
    pub left: f32,
}

/// Type sizes in points; leading as a multiple of the body size.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TypeSizes {
    pub body_pt: Option<f32>,
    pub leading: Option<f32>,
    pub heading_pt: Option<f32>,
    pub title_pt: Option<f32>,
    pub intro_pt: Option<f32>,
    pub small_pt: Option<f32>,
    /// Word spaces may stretch to this multiple of their natural width before a line counts as loose.
    pub max_stretch: Option<f32>,
}

/// An RGB colour, components 0–1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

impl Rgb {
    /// Relative luminance (WCAG 2.1).
    pub fn luminance(self) -> f32 {
        fn ch(c: f32) -> f32 {
            if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        }
        0.2126 * ch(self.0) + 0.7152 * ch(self.1) + 0.0722 * ch(self.2)
    }
    pub fn contrast(self, other: Rgb) -> f32 {
        let (a, b) = (self.luminance(), other.luminance());
        let (hi, lo) = if a > b { (a, b) } else { (b, a) };
        (hi + 0.05) / (lo + 0.05)
    }
    pub fn hex(self) -> String {
        format!("#{:02X}{:02X}{:02X}", (self.0 * 255.0).round() as u8, (self.1 * 255.0).round() as u8, (self.2 * 255.0).round() as u8)
    }
}

/// Parse `#RRGGBB` or `#RGB`.
pub fn parse_colour(s: &str) -> Option<Rgb> {
    let h = s.trim().strip_prefix('#')?;
    if !h.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let v: Vec<f32> = match h.len() {
        6 => (0..3).map(|i| u8::from_str_radix(&h[i * 2..i * 2 + 2], 16).map(|x| x as f32 / 255.0)).collect::<Result<_, _>>().ok()?,
        3 => h.chars().map(|c| c.to_digit(16).map(|d| (d * 17) as f32 / 255.0)).collect::<Option<_>>()?,
        _ => return None,
    };
    Some(Rgb(v[0], v[1], v[2]))
}

/// Which font file(s) a family resolves to.
#[derive(Debug, Clone, PartialEq)]
pub enum FontChoice {
    Bundled(String),
    Files { regular: PathBuf, bold: Option<PathBuf>, italic: Option<PathBuf>, bold_italic: Option<PathBuf> },
}

/// The resolved brand: concrete values the layout uses.
#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    pub primary: Rgb,
    pub accent: Rgb,
    pub text: Rgb,
    pub muted: Rgb,
    pub tint: Rgb,
    pub on_primary: Rgb,
    pub link: Rgb,
    /// Inks the brand gives for its colours (0 to 1 each), used by the print edition
    /// instead of converting them.
    pub cmyk: Vec<(Rgb, [f32; 4])>,
    pub body_font: FontChoice,
    pub heading_font: FontChoice,
    pub logo: Option<(PathBuf, String)>,
    pub funder_logos: Vec<(PathBuf, String)>,
    pub page_size: PageSize,
    pub columns: u32,
    /// top, right, bottom, left in points.
    pub margins: [f32; 4],
    pub gutter: f32,
    pub bleed: f32,
    pub body_pt: f32,
    pub leading: f32,
    pub heading_pt: f32,
    pub title_pt: f32,
    pub intro_pt: f32,
    pub small_pt: f32,
    pub max_stretch: f32,
    pub justify: bool,
    pub hyphenate: bool,
    pub circle_photo: bool,
    /// The brand file, for messages.
    pub file: PathBuf,
}

pub const MM: f32 = 72.0 / 25.4;

/// Load a brand file (or the built-in default when `path` is None) and resolve it for `doc`.
pub fn load(path: Option<&Path>, doc: &Doc) -> Result<Theme, InputErrors> {
    let one = |e: InputError| InputErrors(vec![e]);
    let default: BrandFile = serde_json::from_str(DEFAULT_BRAND).map_err(|e| one(InputError::new(Path::new("<built-in brand>"), "", e.to_string())))?;
    let (file, brand) = match path {
        Some(p) => {
            let text = crate::files::read_text(p).map_err(|m| one(InputError::new(p, "", format!("cannot read the brand file: {m}"))))?;
            match crate::model::parse_json::<BrandFile>(p, &text) {
                (Some(b), errs) if errs.is_empty() => (p.to_path_buf(), b),
                (Some(b), mut errs) => {
                    // Unknown fields set aside: the rest of the brand is checked in the same pass.
                    if let Err(more) = resolve(p, &b, &default, doc) {
                        errs.extend(more.0);
                    }
                    return Err(InputErrors(errs));
                }
                (None, errs) => return Err(InputErrors(errs)),
            }
        }
        None => (PathBuf::from("<built-in brand>"), default.clone()),
    };
    resolve(&file, &brand, &default, doc)
}

fn resolve(file: &Path, b: &BrandFile, d: &BrandFile, doc: &Doc) -> Result<Theme, InputErrors> {
    let base = file.parent().unwrap_or_else(|| Path::new("."));
    // Every problem of the brand is collected (each field falls back to a default meanwhile),
    // so two bad colours are reported together.
    let errs: std::cell::RefCell<Vec<InputError>> = std::cell::RefCell::new(Vec::new());
    let fail = |e: InputError| errs.borrow_mut().push(e);
    let cmyk: std::cell::RefCell<Vec<(Rgb, [f32; 4])>> = std::cell::RefCell::new(Vec::new());
    let colour = |field: &str, v: &Option<ColourSpec>, dv: &Option<ColourSpec>| -> Rgb {
        let spec = v.as_ref().or(dv.as_ref());
        let s = spec.map(|s| s.rgb()).unwrap_or("#000000");
        let rgb = parse_colour(s).unwrap_or_else(|| {
            let path = if matches!(spec, Some(ColourSpec::Both { .. })) { format!("colours.{field}.rgb") } else { format!("colours.{field}") };
            fail(InputError::new(file, path, format!("\"{s}\" is not a colour: write it as #RRGGBB, e.g. \"#1F4E79\"")));
            Rgb(0.0, 0.0, 0.0)
        });
        if let Some(ColourSpec::Both { cmyk: ink, .. }) = spec {
            if ink.iter().all(|v| v.is_finite() && (0.0..=100.0).contains(v)) {
                cmyk.borrow_mut().push((rgb, ink.map(|v| v / 100.0)));
            } else {
                fail(InputError::new(file, format!("colours.{field}.cmyk"), format!("{ink:?} are not ink amounts: give four percentages from 0 to 100, e.g. [100, 70, 0, 20]")));
            }
        }
        rgb
    };
    let c = &b.colours;
    let dc = &d.colours;
    let font = |field: &str, v: &Option<FontSpec>, dv: &Option<FontSpec>| -> FontChoice {
        let spec = v.as_ref().or(dv.as_ref());
        let path_of = |s: &str| base.join(s);
        match spec {
            None => FontChoice::Bundled("Noto Sans".into()),
            Some(FontSpec::Name(n)) => {
                let lower = n.to_ascii_lowercase();
                if lower.ends_with(".ttf") || lower.ends_with(".otf") {
                    FontChoice::Files { regular: path_of(n), bold: None, italic: None, bold_italic: None }
                } else if crate::text::fonts::bundled_family(n).is_some() {
                    FontChoice::Bundled(n.clone())
                } else {
                    fail(InputError::new(file, format!("fonts.{field}"), format!("no bundled font family \"{n}\": use {} or a path to a .ttf/.otf file", crate::text::fonts::bundled_names())));
                    FontChoice::Bundled("Noto Sans".into())
                }
            }
            Some(FontSpec::Files { regular, bold, italic, bold_italic }) => FontChoice::Files {
                regular: path_of(regular),
                bold: bold.as_deref().map(path_of),
                italic: italic.as_deref().map(path_of),
                bold_italic: bold_italic.as_deref().map(path_of),
            },
        }
    };
    let num = |field: &str, v: Option<f32>, dv: Option<f32>, fallback: f32, lo: f32, hi: f32| -> f32 {
        let x = v.or(dv).unwrap_or(fallback);
        if !x.is_finite() || x < lo || x > hi {
            fail(InputError::new(file, field.to_string(), format!("{x} is out of range: use a value from {lo} to {hi}")));
            return fallback;
        }
        x
    };
    let t = &b.type_;
    let dt = &d.type_;
    let margins = b.page.margins_mm.or(d.page.margins_mm).unwrap_or(Margins { top: 16.0, right: 16.0, bottom: 18.0, left: 16.0 });
    for (n, v) in [("top", margins.top), ("right", margins.right), ("bottom", margins.bottom), ("left", margins.left)] {
        if !v.is_finite() || !(5.0..=60.0).contains(&v) {
            fail(InputError::new(file, format!("page.margins_mm.{n}"), format!("{v} mm is out of range: use 5 to 60 mm")));
        }
    }
    let columns = doc.page.columns.or(b.page.columns).or(d.page.columns).unwrap_or(2);
    if !(1..=4).contains(&columns) {
        fail(InputError::new(file, "page.columns", format!("{columns} columns: choose 1 to 4")));
    }
    let logo = match &b.logo {
        Some(l) => Some((base.join(l), b.logo_alt.clone().or(b.name.clone()).unwrap_or_else(|| "Logo".into()))),
        None => None,
    };
    let mut theme = Theme {
        cmyk: Vec::new(),
        name: b.name.clone().or(d.name.clone()).unwrap_or_default(),
        primary: colour("primary", &c.primary, &dc.primary),
        accent: colour("accent", &c.accent, &dc.accent),
        text: colour("text", &c.text, &dc.text),
        muted: colour("muted", &c.muted, &dc.muted),
        tint: colour("tint", &c.tint, &dc.tint),
        on_primary: colour("on_primary", &c.on_primary, &dc.on_primary),
        link: colour("link", &c.link, &dc.link),
        body_font: font("body", &b.fonts.body, &d.fonts.body),
        heading_font: font("heading", &b.fonts.heading, &d.fonts.heading),
        logo,
        funder_logos: b.funder_logos.iter().map(|l| (base.join(&l.path), l.alt.clone())).collect(),
        page_size: doc.page.size.or(b.page.size).or(d.page.size).unwrap_or(PageSize::A4),
        columns,
        margins: [margins.top * MM, margins.right * MM, margins.bottom * MM, margins.left * MM],
        gutter: num("page.gutter_mm", b.page.gutter_mm, d.page.gutter_mm, 6.0, 0.0, 30.0) * MM,
        bleed: num("page.bleed_mm", b.page.bleed_mm, d.page.bleed_mm, 3.0, 0.0, 10.0) * MM,
        body_pt: num("type.body_pt", t.body_pt, dt.body_pt, 9.5, 6.0, 16.0),
        leading: num("type.leading", t.leading, dt.leading, 1.38, 1.0, 2.5),
        heading_pt: num("type.heading_pt", t.heading_pt, dt.heading_pt, 14.0, 8.0, 36.0),
        title_pt: num("type.title_pt", t.title_pt, dt.title_pt, 26.0, 12.0, 72.0),
        intro_pt: num("type.intro_pt", t.intro_pt, dt.intro_pt, 11.5, 7.0, 24.0),
        small_pt: num("type.small_pt", t.small_pt, dt.small_pt, 7.5, 5.0, 12.0),
        max_stretch: num("type.max_stretch", t.max_stretch, dt.max_stretch, 1.6, 1.0, 4.0),
        justify: b.justify.or(d.justify).unwrap_or(false),
        hyphenate: b.hyphenate.or(d.hyphenate).unwrap_or(true),
        circle_photo: b.profile_photo.or(d.profile_photo) == Some(PhotoShape::Circle),
        file: file.to_path_buf(),
    };
    theme.cmyk = cmyk.into_inner();
    let errs = errs.into_inner();
    if errs.is_empty() { Ok(theme) } else { Err(InputErrors(errs)) }
}

