//! A seeded generator of varied issues for testing layout on issues nobody tuned for.

use serde_json::{json, Map, Value};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// One generated issue in this many (with three sections or more) opens with an "In this
/// issue" box.
const CONTENTS_EVERY: u64 = 4;

/// One generated issue: where its JSON is, and a short description of its shape (for messages).
pub struct Generated {
    pub path: PathBuf,
    pub summary: String,
}

/// Write issue number `seed` (deterministic: same seed → same bytes) into `dir` (created if needed):
/// `dir/issue-SEED.json`, plus its photos and (for some seeds) a brand file and logo in subfolders of `dir`.
/// Photos are shared between seeds by file name where possible (write a photo only if it does not exist yet).
pub fn generate(seed: u64, dir: &Path) -> io::Result<Generated> {
    let plan = plan(seed);
    std::fs::create_dir_all(dir)?;
    for photo in &plan.photos {
        write_once(&dir.join(&photo.name), || photo.encode())?;
    }
    if let Some(b) = &plan.brand {
        let brand_file = dir.join(&b.path);
        let brand_dir = brand_file.parent().unwrap_or(dir).to_path_buf();
        for logo in &b.logos {
            write_once(&brand_dir.join(&logo.name), || logo.encode())?;
        }
        write_atomic(&brand_file, &to_bytes(&b.json))?;
    }
    let path = dir.join(format!("issue-{seed}.json"));
    write_atomic(&path, &to_bytes(&plan.issue))?;
    Ok(Generated { path, summary: plan.summary })
}

/// The issue JSON alone (no files written); photo paths are relative names like "photos/p-4x3-1.jpg".
pub fn issue_json(seed: u64) -> Value {
    plan(seed).issue
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// SplitMix64: tiny, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0xF011_0C0D_E5EE_D5A1)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// 0 ..< n.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// lo ..= hi.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// An index into `weights`, chosen in proportion to them.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as usize) as u32;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
    /// A number from lo to hi in steps of `step` (so the JSON holds short decimals).
    fn stepped(&mut self, lo: f64, hi: f64, step: f64) -> f64 {
        let n = ((hi - lo) / step).round() as usize;
        let k = self.below(n + 1) as f64;
        ((lo + k * step) * 100.0).round() / 100.0
    }
}

// ---------------------------------------------------------------------------------------------
// Languages, names and other raw material

struct Lang {
    tags: &'static [&'static str],
    words: &'static str,
    long: &'static str,
    months: &'static str,
    issue: &'static str,
    kickers: &'static [&'static str],
    orgs: &'static [&'static str],
}

const LANG_WEIGHTS: [u32; 12] = [6, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1];

const LANGS: [Lang; 12] = [
    Lang {
        tags: &["en-GB"],
        words: "the and of to in for with our we this that new from community members project team year report update support funding local volunteers meeting partners event programme research results study training children families service residents housing council library garden summer autumn winter spring evening weekend committee annual information available contact welcome thank everyone together progress important particularly neighbourhood organisation colour centre",
        long: "communication accommodation responsibilities internationalisation characteristically representatives straightforward interdisciplinary questionnaire incomprehensibility counterrevolutionary telecommunications",
        months: "January February March April May June July August September October November December",
        issue: "Issue",
        kickers: &["Newsletter", "Members' bulletin", "Study update", "Quarterly news"],
        orgs: &["Riverside Community Food Bank", "Tyne Amateur Rowing Club", "Maple Court Housing Association", "Alström Syndrome Family Network", "Friends of Hebden Bridge Library"],
    },
    Lang {
        tags: &["en-US"],
        words: "the and of to in for with our we this that new from community members project team year report update support funding local volunteers meeting partners event program research results school training children families service residents neighborhood organization color center fall winter spring summer evening weekend committee annual information available contact welcome thank everyone together progress important",
        long: "accommodation responsibilities internationalization characteristically representatives interdisciplinary questionnaire extracurricular telecommunications",
        months: "January February March April May June July August September October November December",
        issue: "Issue",
        kickers: &["Newsletter", "PTA News", "Monthly update"],
        orgs: &["Lincoln Elementary School PTA", "Eastside Tenants' Union", "Cascadia Marine Mammal Rescue"],
    },
    Lang {
        tags: &["de", "de-DE", "de-AT", "de-CH"],
        words: "und der die das mit für wir unsere neue Projekt Mitglieder Jahr Bericht Veranstaltung Förderung Ergebnisse Forschung Zusammenarbeit Stadt Gemeinde Herbst Winter Sommer Frühling Treffen Vortrag Labor Messungen Proben Daten Auswertung über zwischen außerdem jedoch besonders wichtig gemeinsam herzlich Dank alle wissenschaftlichen selbstverständlich voraussichtlich",
        long: "Donaudampfschifffahrtsgesellschaftskapitän Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz Forschungsförderungsgesellschaft Wissenschaftskommunikation Mitgliederversammlung Hochdurchsatzsequenzierung Datenschutzgrundverordnung außergewöhnlich unterschiedlichsten verantwortungsbewusst datenschutzrechtlichen gesundheitspolitischen forschungsbezogenen",
        months: "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
        issue: "Ausgabe",
        kickers: &["Rundbrief", "Mitteilungen", "Neues aus dem Labor"],
        orgs: &["Arbeitsgruppe Biophysik der Zellmembran", "Forschungslabor für Mikrobielle Ökologie", "Kleingartenverein Sonnenhügel e. V."],
    },
    Lang {
        tags: &["fr", "fr-FR", "fr-BE", "fr-CA"],
        words: "et le la les des une pour avec nos nouvelle bibliothèque lecteurs année rapport rencontre atelier enfants jeunesse prêt ouvrage exposition été automne hiver printemps à où très déjà également médiathèque numérique patrimoine bénévoles remerciements fonctionnement lecture conte",
        long: "anticonstitutionnellement intergouvernementalisation désenchantement particulièrement établissement réorganisation extraordinairement internationalisation",
        months: "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
        issue: "Numéro",
        kickers: &["Lettre d'information", "Les nouvelles", "Bulletin"],
        orgs: &["Bibliothèque municipale de Saint-Étienne-du-Rouvray", "Association des Parents d'Élèves du Collège Jean-Moulin"],
    },
    Lang {
        tags: &["es", "es-ES", "es-419"],
        words: "y el la los las de una para con nuestra nueva asociación vecinos año informe reunión taller barrio niños fiesta verano otoño invierno primavera también además especialmente agradecimiento participación ayuntamiento convocatoria inscripción alimentos voluntarios",
        long: "electroencefalografista desafortunadamente responsabilidades internacionalización otorrinolaringólogo establecimientos anticonstitucionalmente",
        months: "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
        issue: "Número",
        kickers: &["Boletín", "Noticias del barrio"],
        orgs: &["Asociación Vecinal de Lavapiés", "Banco de Alimentos de Zaragoza"],
    },
    Lang {
        tags: &["nl", "nl-NL", "nl-BE"],
        words: "en de het van een voor met onze nieuwe leden fietsen route tocht zondag vereniging jaar verslag bijeenkomst gemeente fietspad wind regen samen dank iedereen ook maar veel mooie woning bewoners",
        long: "fietsenstallingen verkeersveiligheidsmaatregelen ledenvergadering vrijwilligersorganisatie arbeidsongeschiktheidsverzekering hoogwaterbeschermingsprogramma kinderdagverblijven wielrennerskampioenschappen aansprakelijkheidsverzekering",
        months: "januari februari maart april mei juni juli augustus september oktober november december",
        issue: "Nummer",
        kickers: &["Nieuwsbrief", "Ledenblad"],
        orgs: &["Fietsgroep De Trapkrachten Utrecht", "Woningcorporatie Het Zonnehuis"],
    },
    Lang {
        tags: &["cy", "cy-GB"],
        words: "a ac y yr o i ar gyda ein newydd cyngor sir blwyddyn adroddiad cyfarfod digwyddiad plant ysgol cymuned haf hydref gaeaf gwanwyn diolch pawb hefyd ond llyfrgell gwasanaeth trigolion datblygu ŵyl tŷ dŵr cân gwên",
        long: "cyfrifoldebau gwasanaethau cynaliadwyedd llywodraethiant trawsnewidiadau amgylcheddol cydweithredol Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
        months: "Ionawr Chwefror Mawrth Ebrill Mai Mehefin Gorffennaf Awst Medi Hydref Tachwedd Rhagfyr",
        issue: "Rhifyn",
        kickers: &["Cylchlythyr", "Newyddion y Cyngor"],
        orgs: &["Cyngor Sir Ceredigion", "Côr Meibion Llanelli"],
    },
    Lang {
        tags: &["it", "it-IT"],
        words: "e il la le di una per con nostra nuova biblioteca lettori anno relazione incontro laboratorio bambini estate autunno inverno primavera anche inoltre ringraziamenti partecipazione città è più già perché volontari",
        long: "precipitevolissimevolmente internazionalizzazione responsabilità particolarmente sovrintendenza consapevolezza",
        months: "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
        issue: "Numero",
        kickers: &["Notiziario", "Notizie dalla biblioteca"],
        orgs: &["Biblioteca Civica di Bergamo Alta", "Associazione Italiana Malattie Rare dell'Infanzia"],
    },
    Lang {
        tags: &["pl", "pl-PL"],
        words: "i w na z do dla nasze nowe stowarzyszenie członkowie rok sprawozdanie spotkanie wydarzenie dzieci lato jesień zima wiosna także również szczególnie dziękujemy wszystkim kolej pociąg wycieczka łódź źródło żółw",
        long: "konstantynopolitańczykowianeczka współpracownikami niezapomnianych przedsiębiorstwo najprawdopodobniej dziewięćdziesięciu",
        months: "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia",
        issue: "Numer",
        kickers: &["Biuletyn", "Wiadomości"],
        orgs: &["Stowarzyszenie Miłośników Kolei w Łodzi", "Fundacja Pomocy Dzieciom z Chorobami Rzadkimi"],
    },
    Lang {
        tags: &["sv", "sv-SE"],
        words: "och i på av för med våra nya förening medlemmar år rapport möte utflykt fåglar skog sjö sommar höst vinter vår också även särskilt tack alla rodd båt",
        long: "fågelskådarföreningen naturvårdsverket sjukvårdsförsäkring forskningsfinansiering kommunfullmäktigeledamot realisationsvinstbeskattning flaggstångsknoppsputsare",
        months: "januari februari mars april maj juni juli augusti september oktober november december",
        issue: "Nummer",
        kickers: &["Nyhetsbrev", "Medlemsblad"],
        orgs: &["Göteborgs Fågelskådarförening", "Roddklubben Djurgården"],
    },
    // Right to left: set in the bundled fallback faces, the pages mirrored.
    Lang {
        tags: &["he", "he-IL"],
        words: "ו של את על עם זה זו החדש הפרויקט החברים השנה דוח פגישה ילדים קיץ סתיו חורף אביב גם תודה לכולם המחקר הבריאות הקהילה המתנדבים התוצאות בית ספר משפחות שירות העירייה הספרייה מפגש",
        long: "האינטרדיסציפלינריים והאוניברסיטאיים שבהתנדבותם ולהתפתחותם",
        months: "ינואר פברואר מרץ אפריל מאי יוני יולי אוגוסט ספטמבר אוקטובר נובמבר דצמבר",
        issue: "גיליון",
        kickers: &["עלון", "חדשות המחקר"],
        orgs: &["מרכז המחקר לבריאות הלב", "עמותת שכונת הדר"],
    },
    Lang {
        tags: &["ar", "ar-EG"],
        words: "و في من على إلى مع هذا هذه الجديد المشروع الأعضاء السنة تقرير اجتماع الأطفال الصيف الخريف الشتاء الربيع أيضا شكرا للجميع البحث الصحة المجتمع المتطوعين النتائج الدراسة المدرسة العائلات الخدمة المكتبة",
        long: "والاستراتيجيات بالمسؤوليات والاجتماعيين المستشفيات",
        months: "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر",
        issue: "العدد",
        kickers: &["نشرة", "أخبار البحث"],
        orgs: &["مركز أبحاث صحة القلب", "جمعية أصدقاء المكتبة"],
    },
];

const NAMES: &[&str] = &[
    "Zoë Łukasiewicz", "José Núñez", "Søren Kierkegård", "Ngozi Okonjo-Iweala", "François Gérard", "Siân Llewelyn",
    "Małgorzata Wiśniewska", "Jürgen Großmann", "Björn Ångström", "Chiara Dell'Acqua", "Anneke van der Berg-Ouwehand",
    "Rhodri ap Gwynfor", "Priya Raghunathan", "Kwame Mensah", "Aoife Ní Bhriain", "Marie-Hélène Lefèvre-Dubois", "Li Wei", "Dr. Amaka Eze",
];

const ROLES: &[&str] = &[
    "Chair", "Volunteer coordinator", "Treasurer", "Head coach", "Research assistant", "Librarian",
    "Senior Research Fellow in Computational Microbiology and Environmental Genomics, Faculty of Life Sciences",
    "Co-founder, trustee and (since 2019) honorary secretary of the parents' association",
];

const EMAILS: &[&str] = &[
    "info@example.org", "z.lukasiewicz@example.pl", "jose.nunez@asociacion.example.es", "siân.llewelyn@cyngor.example.cymru",
    "hello@food-bank.example.org.uk", "rowing@tyne-arc.example.com",
];

const LONG_EMAILS: &[&str] = &[
    "alexandra.catherine.montgomery-smythe@school-of-population-health.university.example.ac.uk",
    "firstname.middlename.lastname@department.university.example.ac.uk",
    "forschungsgruppe.mikrobielle.oekologie.sekretariat@institut.universitaet-beispiel.example.de",
];

const PHONES: &[&str] = &["+44 29 2000 0123", "(555) 010-4477", "+49 30 1234 5678-90", "01632 960 123", "+33 1 23 45 67 89", "+48 42 000 00 00"];

const URLS: &[&str] = &[
    "https://example.org/news", "https://www.example.com/events/2024", "https://example.net/members/join",
    "https://example.org/donate?ref=newsletter", "http://example.cymru/digwyddiadau", "https://example.de/labor/team",
];

const SLUGS: &str = "annual-review reports 2024 appendix-c full-tables methods members newsletter download archive events volunteers data";
const PARAMS: &str = "utm_source utm_medium utm_campaign lang format page section ref session_id filter sort";

const FUNDERS: &[&str] = &[
    "Funded by the National Lottery Community Fund", "Gefördert durch die Deutsche Forschungsgemeinschaft",
    "Avec le soutien de la Région Normandie", "Cyllidwyd gan Lywodraeth Cymru",
];

/// primary, accent, text, muted, tint, on_primary, link: all pass WCAG AA together.
const PALETTES: &[[&str; 7]] = &[
    ["#1B4332", "#D4A017", "#1A1A1A", "#4A4A4A", "#EAF4EC", "#FFFFFF", "#1B5E3B"],
    ["#3C1053", "#E07A5F", "#111111", "#505050", "#F3EEF7", "#FFFFFF", "#5B2A86"],
    ["#7A1F1F", "#2A6F97", "#1C1C1C", "#555", "#FBF1EE", "#FFF", "#8B1E1E"],
    ["#0B3954", "#FF6F59", "#101820", "#4D5560", "#EDF5FA", "#FFFFFF", "#0B5394"],
    ["#222222", "#E4B100", "#222", "#595959", "#F2F2F2", "#FFD24C", "#005A9C"],
    ["#004D40", "#C2185B", "#1A1A1A", "#4F4F4F", "#E6F2F0", "#FFFFFF", "#00695C"],
    ["#036", "#F60", "#111", "#555", "#EEF", "#FFF", "#036"],
];

const SHARED_BRANDS: &[&str] = &["Folio Test Collective", "Shared Services Partnership", "Gemeinsame Geschäftsstelle"];

// ---------------------------------------------------------------------------------------------
// Page sizes and the column rule

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Size {
    A4,
    A5,
    Letter,
}

impl Size {
    fn name(self) -> &'static str {
        match self {
            Size::A4 => "A4",
            Size::A5 => "A5",
            Size::Letter => "Letter",
        }
    }
    fn width_pt(self) -> f64 {
        match self {
            Size::A4 => 595.276,
            Size::A5 => 419.528,
            Size::Letter => 612.0,
        }
    }
    fn max_columns(self) -> u32 {
        if self == Size::A5 { 3 } else { 4 }
    }
}

const ALL_PAGES: [(Size, u32); 11] = [
    (Size::A4, 1), (Size::A4, 2), (Size::A4, 3), (Size::A4, 4), (Size::Letter, 1), (Size::Letter, 2),
    (Size::Letter, 3), (Size::Letter, 4), (Size::A5, 1), (Size::A5, 2), (Size::A5, 3),
];

const MM: f64 = 72.0 / 25.4;

/// The column width in points, as Folio computes it (margins and gutter in mm).
fn column_width(size: Size, cols: u32, left: f64, right: f64, gutter: f64) -> f64 {
    (size.width_pt() - (left + right) * MM - (cols as f64 - 1.0) * gutter * MM) / cols as f64
}

/// Folio refuses columns under 90 pt; keep a little slack for f32 rounding.
fn fits(size: Size, cols: u32, left: f64, right: f64, gutter: f64) -> bool {
    column_width(size, cols, left, right, gutter) >= 90.5
}

// ---------------------------------------------------------------------------------------------
// Pictures: photos and logos, drawn from their names alone so seeds can share them

#[derive(Clone, Copy, Debug, PartialEq)]
enum Look {
    Jpeg,
    Png,
    PngAlpha,
    Logo,
}

#[derive(Clone, Debug)]
struct Picture {
    /// Relative to the issue folder (photos) or the brand folder (logos).
    name: String,
    w: u32,
    h: u32,
    hue: f32,
    look: Look,
}

/// Aspect ratios (width, height) of body images, and how often each is used.
const ASPECTS: [(u32, u32); 9] = [(3, 2), (4, 3), (1, 1), (2, 3), (16, 9), (3, 1), (4, 5), (10, 1), (1, 3)];
const BODY_ASPECT_WEIGHTS: [u32; 9] = [25, 20, 12, 12, 10, 8, 6, 4, 3];
const PROFILE_ASPECT_WEIGHTS: [u32; 9] = [10, 10, 25, 20, 0, 0, 35, 0, 0];

impl Picture {
    /// Photo `variant` (1–4) of an aspect ratio: 1–2 JPEG, 3 PNG, 4 PNG with transparency.
    fn photo(aspect: (u32, u32), variant: u32) -> Picture {
        let (a, b) = aspect;
        let (ext, look) = match variant {
            3 => ("png", Look::Png),
            4 => ("png", Look::PngAlpha),
            _ => ("jpg", Look::Jpeg),
        };
        let longest = 120 + ((a * 37 + b * 61 + variant * 113) * 7919) % 281;
        let short = ((longest * a.min(b)) as f32 / a.max(b) as f32).round().max(8.0) as u32;
        let (w, h) = if a >= b { (longest, short) } else { (short, longest) };
        let hue = ((a * 47 + b * 89 + variant * 131) % 360) as f32;
        Picture { name: format!("photos/p-{a}x{b}-{variant}.{ext}"), w, h, hue, look }
    }
    /// A masthead logo (`funder` false) or a funder's logo, PNG with transparency.
    fn logo(k: usize, funder: bool) -> Picture {
        let (stem, w, h) = if funder { ("funder", 240, 90) } else { ("logo", 300, 100) };
        Picture { name: format!("logos/{stem}-{k}.png"), w, h, hue: (k * 97 % 360) as f32, look: Look::Logo }
    }
    fn encode(&self) -> io::Result<Vec<u8>> {
        use image::codecs::{jpeg::JpegEncoder, png::PngEncoder};
        use image::{ExtendedColorType, ImageEncoder};
        let mut out = Vec::new();
        let (w, h) = (self.w, self.h);
        let result = match self.look {
            Look::Jpeg => JpegEncoder::new_with_quality(&mut out, 85).write_image(&self.rgb(), w, h, ExtendedColorType::Rgb8),
            Look::Png => PngEncoder::new(&mut out).write_image(&self.rgb(), w, h, ExtendedColorType::Rgb8),
            Look::PngAlpha | Look::Logo => PngEncoder::new(&mut out).write_image(&self.rgba(), w, h, ExtendedColorType::Rgba8),
        };
        result.map_err(io::Error::other)?;
        Ok(out)
    }
    fn rgb(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity((self.w * self.h * 3) as usize);
        for y in 0..self.h {
            for x in 0..self.w {
                v.extend_from_slice(&self.scene(x, y));
            }
        }
        v
    }
    fn rgba(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity((self.w * self.h * 4) as usize);
        for y in 0..self.h {
            for x in 0..self.w {
                let (rgb, a) = if self.look == Look::Logo { self.mark(x, y) } else { (self.scene(x, y), self.vignette(x, y)) };
                v.extend_from_slice(&rgb);
                v.push(a);
            }
        }
        v
    }
    /// A landscape: graded sky, a sun, and a zig-zag horizon over darker ground.
    fn scene(&self, x: u32, y: u32) -> [u8; 3] {
        let (fx, fy) = (x as f32 / self.w as f32, y as f32 / self.h as f32);
        let r = 0.22 * self.w.min(self.h) as f32;
        let (dx, dy) = (x as f32 - 0.3 * self.w as f32, y as f32 - 0.35 * self.h as f32);
        let tri = ((fx * 6.0).fract() - 0.5).abs();
        if fy > 0.62 + 0.12 * tri {
            hsv(self.hue + 150.0, 0.5, 0.55 - 0.3 * fy)
        } else if dx * dx + dy * dy < r * r {
            hsv(self.hue + 40.0, 0.45, 1.0)
        } else {
            hsv(self.hue, 0.25 + 0.4 * fy, 0.95 - 0.3 * fy)
        }
    }
    /// Opaque in the middle, fading to transparent in the corners.
    fn vignette(&self, x: u32, y: u32) -> u8 {
        let (fx, fy) = (x as f32 / self.w as f32 - 0.5, y as f32 / self.h as f32 - 0.5);
        let d = (fx * fx + fy * fy) * 4.0;
        (255.0 * (1.8 - 1.6 * d)).clamp(0.0, 255.0) as u8
    }
    /// A logo: a disc and three bars on a transparent ground.
    fn mark(&self, x: u32, y: u32) -> ([u8; 3], u8) {
        let (w, h) = (self.w as f32, self.h as f32);
        let (px, py) = (x as f32, y as f32);
        let r = 0.38 * h;
        let (dx, dy) = (px - 0.5 * h, py - 0.5 * h);
        if dx * dx + dy * dy < r * r {
            return (hsv(self.hue, 0.8, 0.55), 255);
        }
        let bar = ((py / h - 0.2) / 0.22).floor();
        let in_bar = px > 1.05 * h && (0.0..3.0).contains(&bar) && (py / h - 0.2) % 0.22 < 0.14 && px < w * (0.95 - 0.12 * bar);
        if in_bar { (hsv(self.hue + 200.0, 0.6, 0.35), 255) } else { ([255, 255, 255], 0) }
    }
}

fn hsv(h: f32, s: f32, v: f32) -> [u8; 3] {
    let h = (h % 360.0) / 60.0;
    let c = v * s;
    let x = c * (1.0 - ((h % 2.0) - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    [r, g, b].map(|t| ((t + m) * 255.0).round().clamp(0.0, 255.0) as u8)
}

// ---------------------------------------------------------------------------------------------
// Files

fn to_bytes(v: &Value) -> Vec<u8> {
    let mut b = serde_json::to_vec_pretty(v).unwrap_or_default();
    b.push(b'\n');
    b
}

/// Write `bytes` to `path` by way of a temporary file, so a reader never sees half a file.
fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn write_once(path: &Path, make: impl FnOnce() -> io::Result<Vec<u8>>) -> io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    write_atomic(path, &make()?)
}

// ---------------------------------------------------------------------------------------------
// The plan of one issue

#[derive(Clone, Copy, Debug, PartialEq)]
enum Extreme {
    LongHeading,
    LongCaption,
    LongDisclaimer,
    HugeParagraph,
    LongList,
    LongProfile,
    LongTitle,
    ManySections,
    LongQuote,
    Unbreakable,
    LongIntro,
    HugeFooter,
    LongSubheading,
}

const EXTREMES: [Extreme; 13] = [
    Extreme::LongHeading, Extreme::LongCaption, Extreme::LongDisclaimer, Extreme::HugeParagraph, Extreme::LongList,
    Extreme::LongProfile, Extreme::LongTitle, Extreme::ManySections, Extreme::LongQuote, Extreme::Unbreakable,
    Extreme::LongIntro, Extreme::HugeFooter, Extreme::LongSubheading,
];

impl Extreme {
    fn describe(self) -> &'static str {
        match self {
            Extreme::LongHeading => "a 400-word heading",
            Extreme::LongCaption => "a 300-word caption",
            Extreme::LongDisclaimer => "a 1,500-word footer disclaimer",
            Extreme::HugeParagraph => "a 3,000-word paragraph",
            Extreme::LongList => "a list of 120 items",
            Extreme::LongProfile => "a profile whose body is 2,500 words",
            Extreme::LongTitle => "a 40-word title",
            Extreme::ManySections => "40 sections",
            Extreme::LongQuote => "a 600-word pull quote",
            Extreme::Unbreakable => "a 300-letter word, a 500-character URL and a one-word 80-letter heading",
            Extreme::LongIntro => "a 1,500-word intro",
            Extreme::HugeFooter => "a footer with 30 contacts and 40 links",
            Extreme::LongSubheading => "a 150-word subheading",
        }
    }
}

/// Everything `generate` writes for one seed.
struct Plan {
    issue: Value,
    brand: Option<BrandPlan>,
    photos: Vec<Picture>,
    summary: String,
    size: Size,
    columns: u32,
    extreme: Option<Extreme>,
}

struct BrandPlan {
    /// Relative to the issue folder.
    path: String,
    json: Value,
    /// Relative to the brand file's folder.
    logos: Vec<Picture>,
    /// What the brand's own `page` says (the issue may override it).
    page: (Option<Size>, Option<u32>),
    funders: bool,
}

fn plan(seed: u64) -> Plan {
    let mut rng = Rng::new(seed);
    let lang = &LANGS[rng.weighted(&LANG_WEIGHTS)];
    let mut g = Gen { rng, lang, photos: Vec::new() };
    let extreme = (seed % 10 == 3).then(|| EXTREMES[(seed / 10) as usize % EXTREMES.len()]);
    let (size, columns) = g.page_choice();
    let org = g.rng.pick(lang.orgs).to_string();
    let brand = g.rng.chance(1.0 / 3.0).then(|| g.brand(seed, size, columns, &org));
    let mut issue = Map::new();
    g.masthead(&mut issue, &org);
    if let Some(b) = &brand {
        issue.insert("brand".into(), json!(b.path));
    }
    if let Some(p) = g.page_field(size, columns, brand.as_ref().map_or((None, None), |b| b.page)) {
        issue.insert("page".into(), p);
    }
    if let Some(intro) = g.intro() {
        issue.insert("intro".into(), intro);
    }
    let n = g.section_count(extreme);
    issue.insert("sections".into(), Value::Array(g.sections(n)));
    // An "In this issue" box in one issue of four with a few sections (decided by the seed,
    // not the generator's draws, so the other issues stay as they were).
    if seed % CONTENTS_EVERY == 1 && n >= 3 {
        issue.insert("contents".into(), json!(true));
    }
    if let Some(f) = g.footer(brand.as_ref().is_some_and(|b| b.funders)) {
        issue.insert("footer".into(), f);
    }
    if let Some(x) = extreme {
        g.apply_extreme(x, &mut issue);
    }
    let mut plan = Plan { issue: Value::Object(issue), brand, photos: g.photos, summary: String::new(), size, columns, extreme };
    plan.summary = summarise(seed, &plan);
    plan
}

/// How many of each thing an issue holds (for the summary and the tests).
#[derive(Default, Debug)]
struct Census {
    plain: usize,
    full: usize,
    profiles: usize,
    callouts: usize,
    paragraphs: usize,
    lists: usize,
    images: usize,
    full_images: usize,
    quotes: usize,
    subheadings: usize,
    words: usize,
}

fn census(issue: &Value) -> Census {
    let mut c = Census { words: count_words(issue), ..Census::default() };
    for s in issue["sections"].as_array().into_iter().flatten() {
        match (s["type"].as_str(), s["span"].as_str()) {
            (Some("profile"), _) => c.profiles += 1,
            (Some("callout"), _) => c.callouts += 1,
            (_, Some("full")) => c.full += 1,
            _ => c.plain += 1,
        }
        for item in s["body"].as_array().into_iter().flatten() {
            match item {
                Value::String(_) => c.paragraphs += 1,
                v if v.get("list").is_some() => c.lists += 1,
                v if v.get("quote").is_some() => c.quotes += 1,
                v if v.get("subheading").is_some() => c.subheadings += 1,
                v => {
                    c.images += 1;
                    c.full_images += usize::from(v["width"] == "full");
                }
            }
        }
    }
    c
}

fn count_words(v: &Value) -> usize {
    match v {
        Value::String(s) => s.split_whitespace().count(),
        Value::Array(a) => a.iter().map(count_words).sum(),
        Value::Object(m) => m.values().map(count_words).sum(),
        _ => 0,
    }
}

fn summarise(seed: u64, plan: &Plan) -> String {
    let (issue, cols) = (&plan.issue, plan.columns);
    let c = census(issue);
    let lang = issue["language"].as_str().unwrap_or("en-GB (default)");
    let n = c.plain + c.full + c.profiles + c.callouts;
    let mut s = format!(
        "issue {seed}: {lang}, {} in {cols} column{}, {n} sections ({} column, {} full, {} profile, {} callout), {} images, ~{} words",
        plan.size.name(),
        if cols == 1 { "" } else { "s" },
        c.plain,
        c.full,
        c.profiles,
        c.callouts,
        c.images,
        c.words
    );
    if let Some(b) = &plan.brand {
        s.push_str(&format!(", brand {}", b.path));
    }
    if issue.get("footer").is_none() {
        s.push_str(", no footer");
    }
    if issue.get("contents").is_some() {
        s.push_str(", contents box");
    }
    if let Some(x) = plan.extreme {
        s.push_str(&format!("; extreme: {}", x.describe()));
    }
    s
}

// ---------------------------------------------------------------------------------------------
// The generator

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Column,
    Full,
    Profile,
    Callout,
}

struct Gen {
    rng: Rng,
    lang: &'static Lang,
    photos: Vec<Picture>,
}

/// Words-per-item ranges and their weights.
const PARAGRAPH_LENGTHS: [(usize, usize, u32); 4] = [(3, 8, 12), (20, 90, 60), (90, 200, 22), (200, 600, 6)];

impl Gen {
    // --- words -------------------------------------------------------------------------------

    fn word(&mut self) -> &'static str {
        let pool = if self.rng.chance(0.07) { self.lang.long } else { self.lang.words };
        let n = pool.split_whitespace().count();
        pool.split_whitespace().nth(self.rng.below(n)).unwrap_or("a")
    }

    /// `n` plain words.
    fn words(&mut self, n: usize) -> String {
        (0..n.max(1)).map(|_| self.word()).collect::<Vec<_>>().join(" ")
    }

    fn words_in(&mut self, lo: usize, hi: usize) -> String {
        let n = self.rng.range(lo, hi);
        self.words(n)
    }

    fn prose_in(&mut self, lo: usize, hi: usize) -> String {
        let n = self.rng.range(lo, hi);
        self.prose(n)
    }

    /// A capitalised phrase without a full stop (titles, headings).
    fn phrase(&mut self, lo: usize, hi: usize) -> String {
        let n = self.rng.range(lo, hi);
        capitalise(&self.words(n))
    }

    fn length(&mut self, table: &[(usize, usize, u32)]) -> usize {
        let weights: Vec<u32> = table.iter().map(|t| t.2).collect();
        let (lo, hi, _) = table[self.rng.weighted(&weights)];
        self.rng.range(lo, hi)
    }

    /// Running text of about `n` words in sentences, with inline Markdown, links and names.
    fn prose(&mut self, n: usize) -> String {
        let mut out = Vec::new();
        let mut left = n.max(1);
        while left > 0 {
            let len = self.rng.range(4, 18).min(left);
            out.push(self.sentence(len));
            left -= len;
        }
        out.join(" ")
    }

    /// `n` words ending in a full stop (or another mark).
    fn sentence(&mut self, n: usize) -> String {
        let mut parts: Vec<String> = (0..n.max(1)).map(|_| if self.rng.chance(0.03) { self.inline() } else { self.word().to_string() }).collect();
        // Capitalise a plain first word only: "Https://…" would no longer be a link.
        if parts[0].chars().all(char::is_alphabetic) {
            parts[0] = capitalise(&parts[0]);
        }
        let end = *self.rng.pick(&[".", ".", ".", ".", "!", "?", ":", "…"]);
        format!("{}{end}", parts.join(" "))
    }

    fn inline(&mut self) -> String {
        match self.rng.weighted(&[3, 3, 1, 3, 1, 1, 1, 1, 1, 1, 3]) {
            0 => format!("**{}**", self.words_in(1, 3)),
            1 => format!("*{}*", self.words_in(1, 3)),
            2 => format!("***{}***", self.word()),
            3 => format!("[{}]({})", self.words_in(1, 4), self.url()),
            4 => self.url(),
            5 => self.long_url(150),
            6 => format!("<{}>", self.url()),
            7 => self.rng.pick(EMAILS).to_string(),
            8 => self.rng.pick(LONG_EMAILS).to_string(),
            9 => "www.example.org/volunteer".to_string(),
            _ => self.rng.pick(NAMES).to_string(),
        }
    }

    fn url(&mut self) -> String {
        self.rng.pick(URLS).to_string()
    }

    /// A URL of at least `min` characters, with a long path and query string.
    fn long_url(&mut self, min: usize) -> String {
        let slugs: Vec<&str> = SLUGS.split_whitespace().collect();
        let params: Vec<&str> = PARAMS.split_whitespace().collect();
        let mut u = String::from("https://data.example.org");
        for _ in 0..self.rng.range(3, 6) {
            u.push('/');
            let slug = *self.rng.pick(&slugs);
            u.push_str(slug);
        }
        let mut sep = '?';
        while u.len() < min {
            u.push(sep);
            let key = *self.rng.pick(&params);
            let value = *self.rng.pick(&slugs);
            u.push_str(&format!("{key}={value}"));
            sep = '&';
        }
        u
    }

    // --- masthead and page -------------------------------------------------------------------

    fn page_choice(&mut self) -> (Size, u32) {
        let size = [Size::A4, Size::Letter, Size::A5][self.rng.weighted(&[45, 25, 30])];
        let cols = (self.rng.weighted(&[20, 35, 30, 15]) as u32 + 1).min(size.max_columns());
        (size, cols)
    }

    /// The issue's `page`, given what the brand (or the default) already says.
    fn page_field(&mut self, size: Size, cols: u32, brand: (Option<Size>, Option<u32>)) -> Option<Value> {
        let mut m = Map::new();
        if brand.0.unwrap_or(Size::A4) != size || self.rng.chance(0.5) {
            m.insert("size".into(), json!(size.name()));
        }
        if brand.1.unwrap_or(2) != cols || self.rng.chance(0.5) {
            m.insert("columns".into(), json!(cols));
        }
        (!m.is_empty() || self.rng.chance(0.2)).then_some(Value::Object(m))
    }

    fn masthead(&mut self, m: &mut Map<String, Value>, org: &str) {
        let kicker = match self.rng.below(10) {
            0..=3 => Some(org.to_string()),
            4..=6 => Some(self.rng.pick(self.lang.kickers).to_string()),
            _ => None,
        };
        if let Some(k) = kicker {
            m.insert("kicker".into(), json!(k));
        }
        let title = match self.rng.weighted(&[40, 40, 20]) {
            0 => self.phrase(1, 4),
            1 => self.phrase(5, 9),
            _ => self.phrase(10, 15),
        };
        m.insert("title".into(), json!(title));
        m.insert("edition".into(), json!(self.edition()));
        let tag = *self.rng.pick(self.lang.tags);
        if tag != "en-GB" || self.rng.chance(0.5) {
            m.insert("language".into(), json!(tag));
        }
    }

    fn edition(&mut self) -> String {
        let months: Vec<&str> = self.lang.months.split_whitespace().collect();
        let month = *self.rng.pick(&months);
        let year = self.rng.range(2019, 2027);
        let n = self.rng.range(1, 140);
        match self.rng.below(5) {
            0 | 1 => format!("{month} {year}"),
            2 => format!("{} {n}", self.lang.issue),
            3 => format!("{} {n} · {month} {year}", self.lang.issue),
            _ => format!("{year}/{:02}", (year + 1) % 100),
        }
    }

    fn intro(&mut self) -> Option<Value> {
        match self.rng.weighted(&[25, 30, 30, 15]) {
            0 => None,
            1 => Some(json!(self.prose_in(8, 40))),
            2 => Some(Value::Array((0..self.rng.range(2, 3)).map(|_| json!(self.prose_in(20, 80))).collect())),
            _ => {
                let long = self.prose_in(300, 450);
                Some(if self.rng.chance(0.5) { json!(long) } else { json!([long]) })
            }
        }
    }

    // --- sections ----------------------------------------------------------------------------

    fn section_count(&mut self, extreme: Option<Extreme>) -> usize {
        if extreme == Some(Extreme::ManySections) {
            return 40;
        }
        match self.rng.weighted(&[8, 77, 15]) {
            0 => self.rng.range(1, 2),
            1 => self.rng.range(3, 12),
            _ => self.rng.range(25, 40),
        }
    }

    fn sections(&mut self, n: usize) -> Vec<Value> {
        let kinds = self.kinds(n);
        let small = n > 15;
        kinds.into_iter().map(|k| self.section(k, small)).collect()
    }

    /// Section kinds in order, with some awkward placements forced.
    fn kinds(&mut self, n: usize) -> Vec<Kind> {
        let all = [Kind::Column, Kind::Full, Kind::Profile, Kind::Callout];
        let mut v: Vec<Kind> = (0..n).map(|_| all[self.rng.weighted(&[62, 10, 14, 14])]).collect();
        let boxed = if self.rng.chance(0.5) { Kind::Profile } else { Kind::Callout };
        let last = n - 1;
        match self.rng.below(9) {
            0 => v[0] = Kind::Full,
            1 => v[last] = Kind::Full,
            2 if n >= 2 => {
                let i = self.rng.below(n - 1);
                v[i] = Kind::Full;
                v[i + 1] = Kind::Full;
            }
            3 => v[0] = boxed,
            4 => v[last] = boxed,
            5 if n >= 3 => {
                let i = self.rng.below(n - 2);
                v[i..i + 3].copy_from_slice(&[Kind::Profile, Kind::Callout, boxed]);
            }
            _ => {}
        }
        v
    }

    fn section(&mut self, kind: Kind, small: bool) -> Value {
        match kind {
            Kind::Column => self.plain_section(false, small),
            Kind::Full => self.plain_section(true, small),
            Kind::Profile => self.profile(small),
            Kind::Callout => self.callout(),
        }
    }

    fn heading(&mut self) -> String {
        match self.rng.weighted(&[70, 25, 5]) {
            0 => self.phrase(1, 6),
            1 => self.phrase(6, 14),
            _ => self.phrase(15, 25),
        }
    }

    fn plain_section(&mut self, full: bool, small: bool) -> Value {
        let mut m = Map::new();
        if self.rng.chance(0.1) {
            m.insert("type".into(), json!("section"));
        }
        if self.rng.chance(0.85) {
            m.insert("heading".into(), json!(self.heading()));
        }
        if full {
            m.insert("span".into(), json!("full"));
        } else if self.rng.chance(0.08) {
            m.insert("span".into(), json!("column"));
        }
        m.insert("body".into(), Value::Array(self.body(false, small)));
        Value::Object(m)
    }

    fn profile(&mut self, small: bool) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), json!("profile"));
        if self.rng.chance(0.6) {
            m.insert("heading".into(), json!(self.heading()));
        }
        let name = self.rng.pick(NAMES).to_string();
        m.insert("name".into(), json!(name));
        if self.rng.chance(0.75) {
            m.insert("role".into(), json!(self.rng.pick(ROLES)));
        }
        if self.rng.chance(0.7) {
            m.insert("photo".into(), json!(self.photo(&PROFILE_ASPECT_WEIGHTS)));
            m.insert("alt".into(), json!(format!("{name}: {}", self.words_in(2, 8))));
            if self.rng.chance(0.4) {
                m.insert("focus".into(), self.focus());
            }
        }
        match self.rng.weighted(&[12, 4, 10, 74]) {
            0 => {}
            1 => {
                m.insert("body".into(), json!([]));
            }
            2 => {
                m.insert("body".into(), self.long_body());
            }
            _ => {
                m.insert("body".into(), Value::Array(self.body(true, small)));
            }
        }
        Value::Object(m)
    }

    fn callout(&mut self) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), json!("callout"));
        if self.rng.chance(0.8) {
            m.insert("heading".into(), json!(self.heading()));
        }
        let body = if self.rng.chance(0.15) { self.long_body() } else { Value::Array(self.body(true, true)) };
        m.insert("body".into(), body);
        Value::Object(m)
    }

    /// Paragraphs (and a list) totalling 900–1,400 words: taller than any column.
    fn long_body(&mut self) -> Value {
        let mut total = self.rng.range(900, 1400);
        let mut v = Vec::new();
        while total > 0 {
            let n = self.rng.range(80, 400).min(total);
            v.push(json!(self.prose(n)));
            total -= n;
            if self.rng.chance(0.15) {
                v.push(self.list());
            }
        }
        Value::Array(v)
    }

    // --- body items --------------------------------------------------------------------------

    fn body(&mut self, in_box: bool, small: bool) -> Vec<Value> {
        if !in_box && self.rng.chance(0.05) {
            let full = self.rng.chance(0.4);
            return vec![self.image(full)];
        }
        let n = if small { self.rng.range(1, 4) } else { self.length(&[(1, 2, 25), (3, 6, 60), (7, 14, 15)]) };
        let mut v = Vec::new();
        while v.len() < n {
            let item = self.item(in_box);
            let twice = item.get("subheading").is_some() && self.rng.chance(0.25);
            v.push(item);
            if twice {
                v.push(self.subheading());
            }
        }
        self.awkward(&mut v, in_box);
        v
    }

    /// Put an image or a subheading where nobody would: first, or last.
    fn awkward(&mut self, v: &mut Vec<Value>, in_box: bool) {
        match self.rng.below(12) {
            0 => v.insert(0, self.image(false)),
            1 => v.insert(0, self.subheading()),
            2 => v.push(self.image(false)),
            3 => v.push(self.subheading()),
            4 if !in_box => v.insert(0, self.image(true)),
            _ => {}
        }
    }

    fn item(&mut self, in_box: bool) -> Value {
        let weights: [u32; 5] = if in_box { [70, 20, 4, 3, 3] } else { [50, 13, 15, 8, 10] };
        match self.rng.weighted(&weights) {
            0 => self.paragraph(),
            1 => self.list(),
            2 => {
                let full = !in_box && self.rng.chance(0.2);
                self.image(full)
            }
            3 => self.quote(),
            _ => self.subheading(),
        }
    }

    fn paragraph(&mut self) -> Value {
        let n = self.length(&PARAGRAPH_LENGTHS);
        json!(self.prose(n))
    }

    fn list_item(&mut self) -> String {
        match self.rng.weighted(&[70, 25, 5]) {
            0 => capitalise(&self.words_in(1, 10)),
            1 => self.prose_in(10, 40),
            _ => self.prose_in(40, 100),
        }
    }

    fn list(&mut self) -> Value {
        let n = self.length(&[(1, 1, 5), (2, 5, 50), (5, 10, 30), (10, 25, 15)]);
        self.list_of(n)
    }

    fn list_of(&mut self, n: usize) -> Value {
        let items: Vec<String> = (0..n).map(|_| self.list_item()).collect();
        let mut m = Map::new();
        m.insert("list".into(), json!(items));
        match self.rng.weighted(&[40, 15, 45]) {
            0 => {
                m.insert("numbered".into(), json!(true));
            }
            1 => {
                m.insert("numbered".into(), json!(false));
            }
            _ => {}
        }
        Value::Object(m)
    }

    /// A photo file for a new image, from the aspect-ratio weights; returns its relative path.
    fn photo(&mut self, aspect_weights: &[u32]) -> String {
        let aspect = ASPECTS[self.rng.weighted(aspect_weights)];
        let variant = self.rng.weighted(&[40, 35, 17, 8]) as u32 + 1;
        let p = Picture::photo(aspect, variant);
        let name = p.name.clone();
        if !self.photos.iter().any(|q| q.name == name) {
            self.photos.push(p);
        }
        name
    }

    fn focus(&mut self) -> Value {
        json!([self.rng.stepped(0.0, 1.0, 0.05), self.rng.stepped(0.0, 1.0, 0.05)])
    }

    fn image(&mut self, full: bool) -> Value {
        let mut m = Map::new();
        m.insert("image".into(), json!(self.photo(&BODY_ASPECT_WEIGHTS)));
        if self.rng.chance(0.12) {
            m.insert("decorative".into(), json!(true));
        } else {
            m.insert("alt".into(), json!(capitalise(&self.words_in(2, 15))));
            if self.rng.chance(0.1) {
                m.insert("decorative".into(), json!(false));
            }
        }
        if self.rng.chance(0.55) {
            let n = self.length(&[(1, 12, 70), (12, 40, 25), (40, 80, 5)]);
            m.insert("caption".into(), json!(self.prose(n)));
        }
        if full {
            m.insert("width".into(), json!("full"));
        } else if self.rng.chance(0.3) {
            m.insert("width".into(), json!("column"));
        }
        if self.rng.chance(0.25) {
            m.insert("focus".into(), self.focus());
        }
        Value::Object(m)
    }

    fn quote(&mut self) -> Value {
        let n = self.length(&[(5, 25, 60), (25, 70, 30), (70, 150, 10)]);
        let mut m = Map::new();
        m.insert("quote".into(), json!(self.prose(n)));
        if self.rng.chance(0.6) {
            let name = self.rng.pick(NAMES).to_string();
            let by = if self.rng.chance(0.3) { format!("{name}, {}", self.rng.pick(ROLES)) } else { name };
            m.insert("by".into(), json!(by));
        }
        Value::Object(m)
    }

    fn subheading(&mut self) -> Value {
        let n = self.length(&[(1, 1, 10), (2, 5, 70), (6, 10, 20)]);
        json!({ "subheading": capitalise(&self.words(n)) })
    }

    // --- footer ------------------------------------------------------------------------------

    fn footer(&mut self, needed: bool) -> Option<Value> {
        if !needed && self.rng.chance(0.15) {
            return None;
        }
        let mut m = Map::new();
        if self.rng.chance(0.5) {
            m.insert("heading".into(), json!(self.phrase(1, 6)));
        }
        if self.rng.chance(0.6) {
            let text = if self.rng.chance(0.5) { json!(self.prose_in(5, 40)) } else { self.paragraphs(1, 3, 40) };
            m.insert("text".into(), text);
        }
        if self.rng.chance(0.7) {
            let n = self.rng.range(0, 6);
            m.insert("contacts".into(), Value::Array((0..n).map(|_| self.contact()).collect()));
        }
        if self.rng.chance(0.6) {
            let n = self.rng.range(0, 8);
            m.insert("links".into(), Value::Array((0..n).map(|_| self.footer_link()).collect()));
        }
        if self.rng.chance(0.5) {
            m.insert("acknowledgements".into(), json!(self.prose_in(8, 60)));
        }
        if self.rng.chance(0.5) {
            let n = if self.rng.chance(0.3) { self.rng.range(150, 300) } else { self.rng.range(10, 60) };
            m.insert("disclaimer".into(), json!(self.prose(n)));
        }
        Some(Value::Object(m))
    }

    fn paragraphs(&mut self, lo: usize, hi: usize, words: usize) -> Value {
        Value::Array((0..self.rng.range(lo, hi)).map(|_| json!(self.prose_in(5, words))).collect())
    }

    fn contact(&mut self) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.rng.pick(NAMES)));
        if self.rng.chance(0.6) {
            m.insert("role".into(), json!(self.rng.pick(ROLES)));
        }
        if self.rng.chance(0.6) {
            let e = if self.rng.chance(0.3) { self.rng.pick(LONG_EMAILS) } else { self.rng.pick(EMAILS) };
            m.insert("email".into(), json!(e));
        }
        if self.rng.chance(0.5) {
            m.insert("phone".into(), json!(self.rng.pick(PHONES)));
        }
        Value::Object(m)
    }

    fn footer_link(&mut self) -> Value {
        let url = match self.rng.below(8) {
            0 => self.long_url(150),
            1 => format!("mailto:{}", self.rng.pick(EMAILS)),
            2 => "tel:+441632960123".to_string(),
            _ => self.url(),
        };
        json!({ "label": self.phrase(1, 7), "url": url })
    }

    // --- brand -------------------------------------------------------------------------------

    fn brand(&mut self, seed: u64, size: Size, cols: u32, org: &str) -> BrandPlan {
        if self.rng.chance(0.3) {
            return shared_brand(self.rng.below(SHARED_BRANDS.len()));
        }
        let page = match self.rng.weighted(&[35, 15, 10, 40]) {
            0 => (Some(size), Some(cols)),
            1 => {
                let (s, c) = *self.rng.pick(&ALL_PAGES);
                (Some(s), Some(c))
            }
            2 => (Some(size), None),
            _ => (None, None),
        };
        let (json, logos) = brand_json(&mut self.rng, org, page, &|l, r, g| fits(size, cols, l, r, g));
        let funders = logos.iter().any(|l| l.name.starts_with("logos/funder"));
        BrandPlan { path: format!("brands/brand-{seed}.json"), json, logos, page, funders }
    }

    // --- extremes ----------------------------------------------------------------------------

    fn apply_extreme(&mut self, x: Extreme, issue: &mut Map<String, Value>) {
        match x {
            Extreme::LongTitle => {
                issue.insert("title".into(), json!(capitalise(&self.words(40))));
            }
            Extreme::LongIntro => {
                issue.insert("intro".into(), self.paragraphs_of(1500));
            }
            Extreme::LongDisclaimer => {
                let d = json!(self.prose(1500));
                footer_mut(issue)["disclaimer"] = d;
            }
            Extreme::HugeFooter => self.huge_footer(issue),
            Extreme::ManySections => {}
            _ => {
                if let Some(Value::Array(sections)) = issue.get_mut("sections") {
                    self.extreme_sections(x, sections);
                }
            }
        }
    }

    fn extreme_sections(&mut self, x: Extreme, sections: &mut Vec<Value>) {
        match x {
            Extreme::LongHeading => {
                let i = self.rng.below(sections.len());
                sections[i]["heading"] = json!(capitalise(&self.words(400)));
            }
            Extreme::LongProfile => {
                let p = self.long_profile();
                let i = self.rng.range(0, sections.len());
                sections.insert(i, p);
            }
            Extreme::Unbreakable => self.unbreakable(sections),
            _ => {
                let item = self.extreme_item(x);
                self.insert_item(sections, item);
            }
        }
    }

    /// The one huge body item of an extreme issue.
    fn extreme_item(&mut self, x: Extreme) -> Value {
        match x {
            Extreme::LongCaption => {
                let full = self.rng.chance(0.3);
                let mut img = self.image(full);
                img["caption"] = json!(self.prose(300));
                img
            }
            Extreme::LongList => self.list_of(120),
            Extreme::LongQuote => json!({ "quote": self.prose(600), "by": self.rng.pick(NAMES) }),
            Extreme::LongSubheading => json!({ "subheading": capitalise(&self.words(150)) }),
            _ => json!(self.prose(3000)),
        }
    }

    /// Insert a body item into an ordinary column section (one is added if there is none).
    fn insert_item(&mut self, sections: &mut Vec<Value>, item: Value) {
        let plain: Vec<usize> = (0..sections.len()).filter(|&i| sections[i].get("type").is_none_or(|t| t == "section")).collect();
        let i = if plain.is_empty() {
            sections.push(json!({ "heading": self.heading(), "body": [] }));
            sections.len() - 1
        } else {
            *self.rng.pick(&plain)
        };
        if let Some(Value::Array(body)) = sections[i].get_mut("body") {
            let at = self.rng.range(0, body.len());
            body.insert(at, item);
        }
    }

    fn unbreakable(&mut self, sections: &mut Vec<Value>) {
        let mut giant = String::new();
        while giant.chars().count() < 300 {
            giant.push_str(&self.word().to_lowercase());
        }
        let para = format!("{} {giant} {} {}.", self.prose(20), self.long_url(500), self.words(10));
        self.insert_item(sections, json!(para));
        let word: String = giant.chars().take(80).collect();
        let i = self.rng.below(sections.len());
        sections[i]["heading"] = json!(capitalise(&word));
    }

    fn long_profile(&mut self) -> Value {
        let body = if self.rng.chance(0.5) {
            json!([self.prose(2500)])
        } else {
            self.paragraphs_of(2500)
        };
        let name = self.rng.pick(NAMES);
        json!({ "type": "profile", "heading": self.heading(), "name": name, "role": self.rng.pick(ROLES),
                "photo": self.photo(&PROFILE_ASPECT_WEIGHTS), "alt": format!("Portrait of {name}"), "body": body })
    }

    /// Paragraphs of 100–400 words totalling `total` words.
    fn paragraphs_of(&mut self, total: usize) -> Value {
        let mut left = total;
        let mut v = Vec::new();
        while left > 0 {
            let n = self.rng.range(100, 400).min(left);
            v.push(json!(self.prose(n)));
            left -= n;
        }
        Value::Array(v)
    }

    fn huge_footer(&mut self, issue: &mut Map<String, Value>) {
        let contacts: Vec<Value> = (0..30).map(|_| self.contact()).collect();
        let links: Vec<Value> = (0..40).map(|_| self.footer_link()).collect();
        let text = self.paragraphs(6, 6, 60);
        let f = footer_mut(issue);
        f["contacts"] = Value::Array(contacts);
        f["links"] = Value::Array(links);
        f["text"] = text;
    }
}

fn footer_mut(issue: &mut Map<String, Value>) -> &mut Value {
    issue.entry("footer").or_insert_with(|| json!({}))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Brands

/// One of a few brands that many seeds share: it fits every page size and column count.
fn shared_brand(k: usize) -> BrandPlan {
    let mut rng = Rng::new(0xB4A7D ^ k as u64);
    let fits_all = |l, r, g| ALL_PAGES.iter().all(|&(s, c)| fits(s, c, l, r, g));
    let (json, logos) = brand_json(&mut rng, SHARED_BRANDS[k], (None, None), &fits_all);
    let funders = logos.iter().any(|l| l.name.starts_with("logos/funder"));
    BrandPlan { path: format!("brands/shared-{k}.json"), json, logos, page: (None, None), funders }
}

type Fits<'a> = &'a dyn Fn(f64, f64, f64) -> bool;

fn brand_json(rng: &mut Rng, name: &str, page: (Option<Size>, Option<u32>), fits: Fits) -> (Value, Vec<Picture>) {
    let mut m = Map::new();
    let mut logos = Vec::new();
    if rng.chance(0.8) {
        m.insert("name".into(), json!(name));
    }
    if let Some(c) = brand_colours(rng) {
        m.insert("colours".into(), c);
    }
    if rng.chance(0.2) {
        m.insert("fonts".into(), json!({ "body": "Noto Sans", "heading": "noto sans" }));
    }
    if rng.chance(0.5) {
        let logo = Picture::logo(rng.below(4), false);
        m.insert("logo".into(), json!(logo.name));
        if rng.chance(0.6) {
            m.insert("logo_alt".into(), json!(format!("{name} logo")));
        }
        logos.push(logo);
    }
    if rng.chance(0.3) {
        let funders = funder_logos(rng);
        m.insert("funder_logos".into(), Value::Array(funders.iter().map(|(p, alt)| json!({ "path": p.name, "alt": alt })).collect()));
        logos.extend(funders.into_iter().map(|(p, _)| p));
    }
    m.insert("page".into(), brand_page(rng, page, fits));
    if let Some(t) = brand_type(rng) {
        m.insert("type".into(), t);
    }
    for key in ["justify", "hyphenate"] {
        if rng.chance(0.5) {
            m.insert(key.into(), json!(rng.chance(0.5)));
        }
    }
    if rng.chance(0.5) {
        m.insert("profile_photo".into(), json!(*rng.pick(&["portrait", "circle"])));
    }
    (Value::Object(m), logos)
}

fn brand_colours(rng: &mut Rng) -> Option<Value> {
    let p = rng.pick(PALETTES);
    match rng.weighted(&[25, 25, 50]) {
        0 => None,
        1 => Some(json!({ "primary": p[0], "accent": p[1] })),
        _ => Some(json!({ "primary": p[0], "accent": p[1], "text": p[2], "muted": p[3], "tint": p[4], "on_primary": p[5], "link": p[6] })),
    }
}

fn funder_logos(rng: &mut Rng) -> Vec<(Picture, String)> {
    let first = rng.below(4);
    (0..rng.range(1, 3)).map(|i| (Picture::logo((first + i) % 4, true), rng.pick(FUNDERS).to_string())).collect()
}

/// The brand's `page`: margins and gutter chosen so the columns stay at least 90 pt wide.
fn brand_page(rng: &mut Rng, page: (Option<Size>, Option<u32>), fits: Fits) -> Value {
    let mut m = Map::new();
    if let Some(s) = page.0 {
        m.insert("size".into(), json!(s.name()));
    }
    if let Some(c) = page.1 {
        m.insert("columns".into(), json!(c));
    }
    let (set_margins, set_gutter) = (rng.chance(0.7), rng.chance(0.6));
    let (mut margins, mut gutter) = ([12.0, 12.0, 12.0, 12.0], 5.0);
    for _ in 0..64 {
        let trbl = [0; 4].map(|_| if set_margins { rng.stepped(10.0, 25.0, 0.5) } else { 16.0 });
        let g = if set_gutter { rng.stepped(4.0, 10.0, 0.5) } else { 7.0 };
        if fits(trbl[3], trbl[1], g) {
            (margins, gutter) = (trbl, g);
            break;
        }
    }
    if set_margins || margins[0] == 12.0 {
        m.insert("margins_mm".into(), json!({ "top": margins[0], "right": margins[1], "bottom": margins[2], "left": margins[3] }));
    }
    if set_gutter || gutter == 5.0 {
        m.insert("gutter_mm".into(), json!(gutter));
    }
    if rng.chance(0.3) {
        m.insert("bleed_mm".into(), json!(rng.stepped(0.0, 10.0, 0.5)));
    }
    Value::Object(m)
}

fn brand_type(rng: &mut Rng) -> Option<Value> {
    let fields: [(&str, f64, f64, f64); 7] = [
        ("body_pt", 8.5, 11.0, 0.25),
        ("leading", 1.2, 1.5, 0.01),
        ("heading_pt", 11.0, 22.0, 0.5),
        ("title_pt", 18.0, 44.0, 1.0),
        ("intro_pt", 10.0, 14.0, 0.5),
        ("small_pt", 6.5, 8.5, 0.5),
        ("max_stretch", 1.3, 2.5, 0.1),
    ];
    let mut m = Map::new();
    for (key, lo, hi, step) in fields {
        if rng.chance(0.5) {
            m.insert(key.into(), json!(rng.stepped(lo, hi, step)));
        }
    }
    (!m.is_empty()).then_some(Value::Object(m))
}

// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const SEEDS: std::ops::Range<u64> = 0..300;

    #[test]
    fn same_seed_same_bytes() {
        for seed in [0, 1, 3, 13, 42, 123, 299] {
            assert_eq!(to_bytes(&issue_json(seed)), to_bytes(&issue_json(seed)), "seed {seed}");
        }
        assert_ne!(issue_json(1), issue_json(2));
        let base = std::env::temp_dir().join(format!("folio-corpus-det-{}", std::process::id()));
        let (a, b) = (base.join("a"), base.join("b"));
        for seed in [3, 5, 8] {
            let (ga, gb) = (generate(seed, &a).unwrap(), generate(seed, &b).unwrap());
            assert_eq!(std::fs::read(&ga.path).unwrap(), std::fs::read(&gb.path).unwrap(), "seed {seed}");
            assert_eq!(ga.summary, gb.summary);
        }
        for p in plan(3).photos.iter().chain(plan(5).photos.iter()) {
            assert_eq!(std::fs::read(a.join(&p.name)).unwrap(), std::fs::read(b.join(&p.name)).unwrap(), "{}", p.name);
        }
        let _ = std::fs::remove_dir_all(&base);
    }

    #[derive(Default)]
    struct Tally {
        sizes: HashSet<&'static str>,
        columns: HashSet<u32>,
        languages: HashSet<String>,
        c: Census,
        extremes: usize,
        brands: usize,
        no_footer: usize,
        long_issues: usize,
    }

    fn tally() -> Tally {
        let mut t = Tally::default();
        for seed in SEEDS {
            let p = plan(seed);
            t.sizes.insert(p.size.name());
            t.columns.insert(p.columns);
            t.languages.insert(p.issue["language"].as_str().unwrap_or("en-GB").to_string());
            let c = census(&p.issue);
            let n = c.plain + c.full + c.profiles + c.callouts;
            t.long_issues += usize::from(n >= 25);
            for (total, x) in [
                (&mut t.c.plain, c.plain), (&mut t.c.full, c.full), (&mut t.c.profiles, c.profiles), (&mut t.c.callouts, c.callouts),
                (&mut t.c.paragraphs, c.paragraphs), (&mut t.c.lists, c.lists), (&mut t.c.images, c.images),
                (&mut t.c.full_images, c.full_images), (&mut t.c.quotes, c.quotes), (&mut t.c.subheadings, c.subheadings),
            ] {
                *total += x;
            }
            t.extremes += usize::from(p.extreme.is_some());
            t.brands += usize::from(p.brand.is_some());
            t.no_footer += usize::from(p.issue.get("footer").is_none());
        }
        t
    }

    #[test]
    fn seeds_vary() {
        let t = tally();
        assert_eq!(t.sizes.len(), 3, "sizes {:?}", t.sizes);
        assert_eq!(t.columns, (1..=4).collect(), "columns");
        assert!(t.languages.len() >= 10, "languages {:?}", t.languages);
        let c = &t.c;
        for (what, n) in [
            ("column sections", c.plain), ("full sections", c.full), ("profiles", c.profiles), ("callouts", c.callouts),
            ("paragraphs", c.paragraphs), ("lists", c.lists), ("images", c.images), ("full images", c.full_images),
            ("quotes", c.quotes), ("subheadings", c.subheadings),
        ] {
            assert!(n >= 20, "only {n} {what}");
        }
        assert!(t.extremes >= 20, "{} extreme issues", t.extremes);
        assert!((60..=140).contains(&t.brands), "{} brands", t.brands);
        assert!(t.no_footer >= 15, "{} issues without a footer", t.no_footer);
        assert!(t.long_issues >= 15, "{} long issues", t.long_issues);
    }

    /// Where the awkward placements happen, and in how many issues.
    fn awkward_counts(issue: &Value) -> Vec<(&'static str, bool)> {
        let secs = issue["sections"].as_array().unwrap();
        let full = |s: &Value| s["span"] == "full";
        let boxed = |s: &Value| s["type"] == "profile" || s["type"] == "callout";
        let bodies: Vec<(&Value, &Vec<Value>)> = secs.iter().filter_map(|s| s["body"].as_array().filter(|b| !b.is_empty()).map(|b| (s, b))).collect();
        let is = |v: &Value, k: &str| v.get(k).is_some();
        vec![
            ("full section first", full(&secs[0])),
            ("full section last", full(secs.last().unwrap())),
            ("two full sections in a row", secs.windows(2).any(|w| full(&w[0]) && full(&w[1]))),
            ("box first or last", boxed(&secs[0]) || boxed(secs.last().unwrap())),
            ("consecutive boxes", secs.windows(2).any(|w| boxed(&w[0]) && boxed(&w[1]))),
            ("body only an image", bodies.iter().any(|(_, b)| b.len() == 1 && is(&b[0], "image"))),
            ("image first", bodies.iter().any(|(_, b)| is(&b[0], "image"))),
            ("image last", bodies.iter().any(|(_, b)| is(b.last().unwrap(), "image"))),
            ("subheading first", bodies.iter().any(|(_, b)| is(&b[0], "subheading"))),
            ("subheading last", bodies.iter().any(|(_, b)| is(b.last().unwrap(), "subheading"))),
            ("two subheadings in a row", bodies.iter().any(|(_, b)| b.windows(2).any(|w| is(&w[0], "subheading") && is(&w[1], "subheading")))),
            ("full image after a heading", bodies.iter().any(|(s, b)| is(s, "heading") && b[0]["width"] == "full")),
            ("subheading without a heading", bodies.iter().any(|(s, b)| !is(s, "heading") && b.iter().any(|i| is(i, "subheading")))),
            ("decorative image", bodies.iter().any(|(_, b)| b.iter().any(|i| i["decorative"] == true && !is(i, "alt")))),
            ("profile without photo", secs.iter().any(|s| s["type"] == "profile" && !is(s, "photo"))),
            ("profile without body", secs.iter().any(|s| s["type"] == "profile" && s["body"].as_array().is_none_or(|b| b.is_empty()))),
        ]
    }

    #[test]
    fn awkward_placements_occur() {
        let mut seen: Vec<(&str, usize)> = Vec::new();
        for seed in SEEDS {
            for (i, (what, yes)) in awkward_counts(&issue_json(seed)).into_iter().enumerate() {
                if seen.len() <= i {
                    seen.push((what, 0));
                }
                seen[i].1 += usize::from(yes);
            }
        }
        for (what, n) in seen {
            assert!(n >= 5, "{what}: only in {n} issues");
        }
    }

    /// Every picture a validated issue names must exist and be readable.
    fn probe_all(doc: &crate::model::Doc, theme: &crate::brand::Theme, seed: u64) {
        let mut paths: Vec<PathBuf> = theme.logo.iter().chain(&theme.funder_logos).map(|(p, _)| p.clone()).collect();
        for s in &doc.sections {
            if let crate::model::SectionBody::Profile { photo: Some(p), .. } = &s.kind {
                paths.push(p.path.clone());
            }
            for it in &s.items {
                if let crate::model::Item::Image(i) = it {
                    paths.push(i.path.clone());
                }
            }
        }
        for p in paths {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("seed {seed}: {}: {e}", p.display()));
            let probe = crate::images::probe(&bytes).unwrap_or_else(|e| panic!("seed {seed}: {}: {e}", p.display()));
            assert!(probe.width.max(probe.height) <= 400, "seed {seed}: {} is large", p.display());
        }
    }

    fn check_theme(theme: &crate::brand::Theme, seed: u64) {
        let (pw, _) = theme.page_size.points();
        let text_w = pw - theme.margins[1] - theme.margins[3];
        let col_w = (text_w - (theme.columns as f32 - 1.0) * theme.gutter) / theme.columns as f32;
        assert!(col_w >= 90.0, "seed {seed}: {} columns on {:?} are {col_w} pt wide", theme.columns, theme.page_size);
        let white = crate::brand::Rgb(1.0, 1.0, 1.0);
        let pairs = [
            (theme.text, white, 4.5), (theme.text, theme.tint, 4.5), (theme.muted, white, 4.5), (theme.muted, theme.tint, 4.5),
            (theme.link, white, 4.5), (theme.link, theme.tint, 4.5), (theme.primary, white, 3.0), (theme.on_primary, theme.primary, 4.5),
        ];
        for (a, b, min) in pairs {
            assert!(a.contrast(b) >= min, "seed {seed}: {} on {} is below {min}:1", a.hex(), b.hex());
        }
    }

    #[test]
    fn every_seed_is_valid() {
        let dir = std::env::temp_dir().join(format!("folio-corpus-valid-{}", std::process::id()));
        for seed in SEEDS {
            let g = generate(seed, &dir).unwrap_or_else(|e| panic!("seed {seed}: cannot write: {e}"));
            let doc = crate::model::load(&g.path).unwrap_or_else(|e| panic!("seed {seed} ({}): {e}", g.summary));
            let theme = crate::brand::load(doc.brand.as_deref(), &doc).unwrap_or_else(|e| panic!("seed {seed} ({}): {e}", g.summary));
            let p = plan(seed);
            assert_eq!((format!("{:?}", theme.page_size), theme.columns), (p.size.name().to_string(), p.columns), "seed {seed}: page");
            check_theme(&theme, seed);
            probe_all(&doc, &theme, seed);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn extremes_are_extreme() {
        for seed in (3..300).step_by(10) {
            let p = plan(seed);
            let x = p.extreme.unwrap();
            assert!(p.summary.contains(x.describe()), "seed {seed}: {}", p.summary);
            let longest = longest_string(&p.issue);
            let big = matches!(x, Extreme::ManySections | Extreme::LongList | Extreme::HugeFooter | Extreme::LongIntro | Extreme::LongProfile);
            assert!(big || longest >= 40, "seed {seed}: {x:?} but the longest string has {longest} words");
        }
    }

    fn longest_string(v: &Value) -> usize {
        match v {
            Value::String(s) => s.split_whitespace().count(),
            Value::Array(a) => a.iter().map(longest_string).max().unwrap_or(0),
            Value::Object(m) => m.values().map(longest_string).max().unwrap_or(0),
            _ => 0,
        }
    }
}
