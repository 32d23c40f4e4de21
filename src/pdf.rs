//! Write the display list as a PDF (printpdf), then finish it with lopdf: structure tree,
//! link annotations, language, XMP, page boxes. Knows nothing of newsletters.

use crate::brand::Rgb;
use crate::layout::display::{Clip, Document, ImageEncoding, Item, Mark, Rect, Role};
use crate::text::fonts::FontBook;
use crate::text::para::Glyph;
use lopdf::{dictionary, Object, ObjectId, StringFormat};
use printpdf::{
    Color, Cmyk, Codepoint, CurTransMat, DictItem, ExternalStream, ExternalXObject, FontId, Line, LinePoint, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Px, TextItem, TextMatrix, TextRenderingMode, WindingOrder,
    XObjectId, XObjectTransform,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How to write the PDF.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfOptions {
    /// Print edition: bleed, TrimBox/BleedBox, neutral text in K only.
    pub print: bool,
    /// Bleed in points (print edition).
    pub bleed: f32,
    /// Crop marks outside the trim (print edition).
    pub marks: bool,
    /// Seconds since the Unix epoch for the creation date.
    pub date: i64,
    /// Inks given for some colours (the brand's), used in print instead of converting them.
    pub cmyk: Vec<(Rgb, [f32; 4])>,
}

struct PageMarks {
    /// MCID → structure node.
    mcids: Vec<usize>,
    /// Annotations: rect (PDF coordinates), uri, link node.
    links: Vec<([f32; 4], String, usize, Option<(usize, f32)>)>,
}

/// A paint colour: RGB on screen; in print, CMYK of the output condition (PDF/X allows no
/// device RGB), neutral text (`text`) in black ink only.
fn colour(c: Rgb, opts: &PdfOptions, text: bool) -> Color {
    if !opts.print {
        return Color::Rgb(printpdf::Rgb { r: c.0, g: c.1, b: c.2, icc_profile: None });
    }
    if text && (c.0 - c.1).abs() < 0.02 && (c.1 - c.2).abs() < 0.02 {
        return Color::Cmyk(Cmyk { c: 0.0, m: 0.0, y: 0.0, k: 1.0 - c.0, icc_profile: None });
    }
    let given = opts.cmyk.iter().find(|(rgb, _)| *rgb == c).map(|(_, ink)| *ink);
    let [c, m, y, k] = given.unwrap_or_else(|| crate::colour::srgb_to_cmyk([c.0, c.1, c.2]));
    Color::Cmyk(Cmyk { c, m, y, k, icc_profile: None })
}

fn role_tag(role: Role) -> String {
    role.name().to_string()
}

/// Write `doc` to PDF bytes.
pub fn write(doc: &Document, book: &FontBook, opts: &PdfOptions) -> Result<Vec<u8>, String> {
    let mut pdf = PdfDocument::new(&doc.meta.title);
    // Fonts: subset each face to the glyphs used.
    let mut used: BTreeMap<usize, BTreeSet<u16>> = BTreeMap::new();
    for p in &doc.pages {
        for it in &p.items {
            if let Item::Text { face, glyphs, .. } = it {
                let set = used.entry(*face).or_default();
                for g in glyphs {
                    set.insert(g.gid);
                }
            }
        }
    }
    let mut fonts: HashMap<usize, (FontId, subsetter::GlyphRemapper)> = HashMap::new();
    let mut font_names: Vec<(String, String)> = Vec::new();
    for (face, gids) in &used {
        let f = &book.faces[*face];
        let mut remapper = subsetter::GlyphRemapper::new();
        for g in gids {
            remapper.remap(*g);
        }
        let bytes = subsetter::subset(f.bytes(), 0, &remapper).map_err(|e| format!("cannot subset font {}: {e:?}", f.name))?;
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(&bytes, 0, &mut warnings).ok_or_else(|| format!("cannot embed font {}", f.name))?;
        // Deterministic ids: printpdf's own come from a process-wide counter.
        let id = FontId(format!("F{}", font_names.len() + 1));
        pdf.resources.fonts.map.insert(id.clone(), printpdf::PdfFont::new(parsed));
        font_names.push((id.0.clone(), format!("{}+{}", subset_tag(gids), f.name)));
        fonts.insert(*face, (id, remapper));
    }
    // Images.
    let mut ximages: Vec<XObjectId> = Vec::new();
    let mut masks: Vec<(String, String)> = Vec::new();
    for img in &doc.images {
        let mut dict = BTreeMap::new();
        dict.insert("Type".to_string(), DictItem::Name(b"XObject".to_vec()));
        dict.insert("Subtype".to_string(), DictItem::Name(b"Image".to_vec()));
        dict.insert("Width".to_string(), DictItem::Int(img.width as i64));
        dict.insert("Height".to_string(), DictItem::Int(img.height as i64));
        dict.insert("BitsPerComponent".to_string(), DictItem::Int(8));
        let (grey, filter) = match img.encoding {
            ImageEncoding::Jpeg { grey } => (grey, "DCTDecode"),
            ImageEncoding::Flate { grey } => (grey, "FlateDecode"),
        };
        dict.insert("ColorSpace".to_string(), DictItem::Name(if grey { b"DeviceGray".to_vec() } else { b"DeviceRGB".to_vec() }));
        dict.insert("Filter".to_string(), DictItem::Name(filter.as_bytes().to_vec()));
        let x = ExternalXObject { stream: ExternalStream { dict: dict.clone(), content: img.data.clone(), compress: false }, width: Some(Px(img.width as usize)), height: Some(Px(img.height as usize)), dpi: Some(300.0) };
        let id = XObjectId(format!("Im{}", ximages.len() + masks.len() + 1));
        pdf.resources.xobjects.map.insert(id.clone(), printpdf::XObject::External(x));
        if let Some(alpha) = &img.alpha {
            let mut md = dict;
            md.insert("ColorSpace".to_string(), DictItem::Name(b"DeviceGray".to_vec()));
            md.insert("Filter".to_string(), DictItem::Name(b"FlateDecode".to_vec()));
            let m = ExternalXObject { stream: ExternalStream { dict: md, content: alpha.clone(), compress: false }, width: Some(Px(img.width as usize)), height: Some(Px(img.height as usize)), dpi: Some(300.0) };
            let mid = XObjectId(format!("Mask{}", ximages.len() + 1));
            pdf.resources.xobjects.map.insert(mid.clone(), printpdf::XObject::External(m));
            masks.push((id.0.clone(), mid.0.clone()));
        }
        ximages.push(id);
    }
    let b = if opts.print { opts.bleed } else { 0.0 };
    // With crop marks, a slug outside the bleed holds them.
    let off = b + slug(opts);
    let mut marks_per_page: Vec<PageMarks> = Vec::new();
    let mut pages = Vec::new();
    for page in &doc.pages {
        let (w, h) = (page.width, page.height);
        let mut ops: Vec<Op> = Vec::new();
        let mut pm = PageMarks { mcids: Vec::new(), links: Vec::new() };
        if off > 0.0 {
            ops.push(Op::SetTransformationMatrix { matrix: CurTransMat::Translate(Pt(off), Pt(off)) });
        }
        let mut open: Option<Mark> = None;
        let close = |ops: &mut Vec<Op>, open: &mut Option<Mark>| {
            if open.take().is_some() {
                ops.push(Op::EndMarkedContent);
            }
        };
        for it in &page.items {
            let mark = match it {
                Item::Text { mark, .. } | Item::Image { mark, .. } => *mark,
                Item::Box { .. } | Item::Rule { .. } => Mark::Artifact,
                Item::Link { rect, uri, node, dest } => {
                    pm.links.push(([rect.x + off, h - rect.bottom() + off, rect.right() + off, h - rect.y + off], uri.clone(), *node, *dest));
                    continue;
                }
            };
            if open != Some(mark) {
                close(&mut ops, &mut open);
                match mark {
                    Mark::Artifact => {
                        let mut map = BTreeMap::new();
                        map.insert("Type".to_string(), DictItem::Name(b"Layout".to_vec()));
                        ops.push(Op::BeginMarkedContentWithProperties { tag: "Artifact".into(), properties: DictItem::Dict { map } });
                    }
                    Mark::Node(n) => {
                        let mcid = pm.mcids.len();
                        pm.mcids.push(n);
                        let mut map = BTreeMap::new();
                        map.insert("MCID".to_string(), DictItem::Int(mcid as i64));
                        ops.push(Op::BeginMarkedContentWithProperties { tag: role_tag(doc.tree.nodes[n].role), properties: DictItem::Dict { map } });
                    }
                }
                open = Some(mark);
            }
            match it {
                Item::Text { face, size, colour: c, x, y, glyphs, invisible, .. } => {
                    let Some((fid, remap)) = fonts.get(face) else { continue };
                    let f = &book.faces[*face];
                    // Right-to-left glyphs (kept in logical order in the display list) are shown
                    // in visual order, left to right, as viewers and text extractors expect.
                    // (Extractors such as poppler put right-to-left text back in logical order.)
                    let visual: Vec<Glyph>;
                    let reordered = glyphs.windows(2).any(|w| w[1].x < w[0].x - 0.01);
                    let glyphs = if reordered {
                        let mut v = glyphs.clone();
                        v.sort_by(|a, b| a.x.total_cmp(&b.x));
                        visual = v;
                        &visual
                    } else {
                        glyphs
                    };
                    let mut cps = Vec::with_capacity(glyphs.len());
                    for (i, g) in glyphs.iter().enumerate() {
                        let natural = f.advance(g.gid) * size;
                        let next_x = glyphs.get(i + 1).map(|n| n.x).unwrap_or(g.x + natural);
                        let adj = (natural - (next_x - g.x)) / size * 1000.0;
                        let text = if g.text.is_empty() { "\u{200B}".to_string() } else { g.text.to_string() };
                        cps.push(Codepoint { gid: remap.get(g.gid).unwrap_or(0), offset: if adj.abs() < 0.05 { 0.0 } else { adj }, cid: Some(text) });
                    }
                    let x0 = x + glyphs.first().map(|g| g.x).unwrap_or(0.0);
                    ops.push(Op::StartTextSection);
                    ops.push(Op::SetFillColor { col: colour(*c, opts, true) });
                    ops.push(Op::SetFont { font: PdfFontHandle::External(fid.clone()), size: Pt(*size) });
                    ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(x0), Pt(h - y)) });
                    if *invisible {
                        ops.push(Op::SetTextRenderingMode { mode: TextRenderingMode::Invisible });
                    }
                    ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(cps)] });
                    if *invisible {
                        ops.push(Op::SetTextRenderingMode { mode: TextRenderingMode::Fill });
                    }
                    ops.push(Op::EndTextSection);
                }
                Item::Image { image, rect, clip, .. } => {
                    let Some(id) = ximages.get(*image) else { continue };
                    let img = &doc.images[*image];
                    ops.push(Op::SaveGraphicsState);
                    if *clip == Clip::Circle {
                        ops.push(Op::DrawPolygon { polygon: circle(rect, h) });
                    }
                    let sx = rect.w / (img.width as f32 * 72.0 / 300.0);
                    let sy = rect.h / (img.height as f32 * 72.0 / 300.0);
                    ops.push(Op::UseXobject {
                        id: id.clone(),
                        transform: XObjectTransform { translate_x: Some(Pt(rect.x)), translate_y: Some(Pt(h - rect.bottom())), rotate: None, scale_x: Some(sx), scale_y: Some(sy), dpi: Some(300.0), no_auto_scale: false },
                    });
                    ops.push(Op::RestoreGraphicsState);
                }
                Item::Box { rect, fill, stroke, bleed } => {
                    let mut r = *rect;
                    if *bleed && b > 0.0 {
                        // Extend bands that touch the trim edge into the bleed.
                        if r.x <= 0.01 {
                            r.x -= b;
                            r.w += b;
                        }
                        if r.right() >= w - 0.01 {
                            r.w += b;
                        }
                        if r.y <= 0.01 {
                            r.y -= b;
                            r.h += b;
                        }
                    }
                    if let Some(fc) = fill {
                        ops.push(Op::SetFillColor { col: colour(*fc, opts, false) });
                        ops.push(Op::DrawPolygon { polygon: rect_poly(&r, h, PaintMode::Fill) });
                    }
                    if let Some((sc, sw)) = stroke {
                        ops.push(Op::SetOutlineColor { col: colour(*sc, opts, false) });
                        ops.push(Op::SetOutlineThickness { pt: Pt(*sw) });
                        ops.push(Op::DrawPolygon { polygon: rect_poly(&r, h, PaintMode::Stroke) });
                    }
                }
                Item::Rule { x1, y1, x2, y2, colour: c, width } => {
                    ops.push(Op::SetOutlineColor { col: colour(*c, opts, false) });
                    ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                    ops.push(Op::DrawLine { line: Line { points: vec![pt(*x1, h - y1, false), pt(*x2, h - y2, false)], is_closed: false } });
                }
                Item::Link { .. } => {}
            }
        }
        close(&mut ops, &mut open);
        if opts.print && opts.marks {
            crop_marks(&mut ops, w, h, b, slug(opts));
        }
        pages.push(PdfPage::new(printpdf::Mm::from(Pt(w + 2.0 * off)), printpdf::Mm::from(Pt(h + 2.0 * off)), ops));
        marks_per_page.push(pm);
    }
    pdf.pages = pages;
    pdf.metadata.info.document_title = doc.meta.title.clone();
    pdf.metadata.info.author = doc.meta.author.clone();
    pdf.metadata.info.subject = doc.meta.subject.clone();
    pdf.metadata.info.creator = "Folio".into();
    pdf.metadata.info.producer = "Folio (printpdf, lopdf)".into();
    let date = date_from_epoch(opts.date);
    pdf.metadata.info.creation_date = date;
    pdf.metadata.info.modification_date = date;
    let save = PdfSaveOptions { optimize: false, subset_fonts: false, secure: true, image_optimization: None };
    let mut warnings = Vec::new();
    let mut lo = pdf.to_lopdf_document(&save, &mut warnings);
    finish(&mut lo, doc, &marks_per_page, &font_names, &masks, opts)?;
    let mut out = Vec::new();
    lo.save_to(&mut out).map_err(|e| format!("cannot write the PDF: {e}"))?;
    Ok(out)
}

fn pt(x: f32, y: f32, bezier: bool) -> LinePoint {
    LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier }
}

fn rect_poly(r: &Rect, h: f32, mode: PaintMode) -> Polygon {
    let (x0, y0, x1, y1) = (r.x, h - r.bottom(), r.right(), h - r.y);
    Polygon { rings: vec![PolygonRing { points: vec![pt(x0, y0, false), pt(x1, y0, false), pt(x1, y1, false), pt(x0, y1, false)] }], mode, winding_order: WindingOrder::NonZero }
}

fn circle(r: &Rect, h: f32) -> Polygon {
    let cx = r.x + r.w / 2.0;
    let cy = h - (r.y + r.h / 2.0);
    let rad = r.w.min(r.h) / 2.0;
    let k = 0.5523 * rad;
    let p = |x: f32, y: f32, b: bool| pt(x, y, b);
    let points = vec![
        p(cx + rad, cy, false),
        p(cx + rad, cy + k, true),
        p(cx + k, cy + rad, true),
        p(cx, cy + rad, false),
        p(cx - k, cy + rad, true),
        p(cx - rad, cy + k, true),
        p(cx - rad, cy, false),
        p(cx - rad, cy - k, true),
        p(cx - k, cy - rad, true),
        p(cx, cy - rad, false),
        p(cx + k, cy - rad, true),
        p(cx + rad, cy - k, true),
        p(cx + rad, cy, false),
    ];
    Polygon { rings: vec![PolygonRing { points }], mode: PaintMode::Clip, winding_order: WindingOrder::NonZero }
}

fn slug(opts: &PdfOptions) -> f32 {
    if opts.print && opts.marks { 8.0 * 72.0 / 25.4 } else { 0.0 }
}

fn crop_marks(ops: &mut Vec<Op>, w: f32, h: f32, b: f32, slug: f32) {
    // Marks in the slug, from just outside the bleed outwards, in registration black.
    let start = b + 1.0;
    let len = (slug - 2.0).max(2.0);
    ops.push(Op::BeginMarkedContentWithProperties { tag: "Artifact".into(), properties: DictItem::Dict { map: BTreeMap::from([("Type".to_string(), DictItem::Name(b"Layout".to_vec()))]) } });
    ops.push(Op::SetOutlineColor { col: Color::Cmyk(Cmyk { c: 0.0, m: 0.0, y: 0.0, k: 1.0, icc_profile: None }) });
    ops.push(Op::SetOutlineThickness { pt: Pt(0.25) });
    for (x, y, dx, dy) in [(0.0, 0.0, -1.0, -1.0), (w, 0.0, 1.0, -1.0), (0.0, h, -1.0, 1.0), (w, h, 1.0, 1.0)] {
        ops.push(Op::DrawLine { line: Line { points: vec![pt(x + dx * start, y, false), pt(x + dx * (start + len), y, false)], is_closed: false } });
        ops.push(Op::DrawLine { line: Line { points: vec![pt(x, y + dy * start, false), pt(x, y + dy * (start + len), false)], is_closed: false } });
    }
    ops.push(Op::EndMarkedContent);
}

fn subset_tag(gids: &BTreeSet<u16>) -> String {
    let mut hsh: u32 = 2166136261;
    for g in gids {
        for b in g.to_be_bytes() {
            hsh ^= b as u32;
            hsh = hsh.wrapping_mul(16777619);
        }
    }
    (0..6).map(|i| (b'A' + ((hsh >> (i * 5)) % 26) as u8) as char).collect()
}

fn date_from_epoch(secs: i64) -> printpdf::OffsetDateTime {
    match printpdf::OffsetDateTime::from_unix_timestamp(secs.clamp(0, 4_000_000_000)) {
        Ok(d) => d,
        Err(_) => printpdf::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap_or_else(|_| printpdf::OffsetDateTime::now()),
    }
}

fn pdf_text(s: &str) -> Object {
    // UTF-16BE with BOM for anything beyond ASCII.
    if s.is_ascii() {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut v = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            v.extend_from_slice(&u.to_be_bytes());
        }
        Object::String(v, StringFormat::Hexadecimal)
    }
}

/// The lopdf finishing pass: tagging, annotations, metadata, boxes.
fn finish(lo: &mut lopdf::Document, doc: &Document, marks: &[PageMarks], font_names: &[(String, String)], masks: &[(String, String)], opts: &PdfOptions) -> Result<(), String> {
    lo.version = "1.7".into();
    link_soft_masks(lo, masks);
    if opts.print {
        pdfx(lo)?;
    }
    let page_ids: Vec<ObjectId> = lo.get_pages().values().copied().collect();
    if page_ids.len() != doc.pages.len() {
        return Err("internal error: page count changed while writing".into());
    }
    let tree = &doc.tree;
    // Structure elements: one object per node.
    let elem_ids: Vec<ObjectId> = (0..tree.nodes.len()).map(|_| lo.new_object_id()).collect();
    let root_id = lo.new_object_id();
    // Kids in emission order: content (page, mcid) and child elements as first reached.
    #[derive(Clone)]
    enum Kid {
        Mcr(usize, usize),
        Elem(usize),
        Objr(usize, ObjectId),
    }
    let mut kids: Vec<Vec<Kid>> = vec![Vec::new(); tree.nodes.len()];
    let mut attached = vec![false; tree.nodes.len()];
    attached[0] = true;
    let mut node_page: Vec<Option<usize>> = vec![None; tree.nodes.len()];
    fn attach(n: usize, tree: &crate::layout::display::Tree, kids: &mut [Vec<Kid>], attached: &mut [bool]) {
        if attached[n] {
            return;
        }
        attached[n] = true;
        if let Some(p) = tree.nodes[n].parent {
            attach(p, tree, kids, attached);
            kids[p].push(Kid::Elem(n));
        }
    }
    let mut parent_tree: Vec<(i64, Object)> = Vec::new();
    let mut next_key: i64 = 0;
    for (pi, pm) in marks.iter().enumerate() {
        let key = next_key;
        next_key += 1;
        let mut arr = Vec::new();
        for (mcid, &n) in pm.mcids.iter().enumerate() {
            attach(n, tree, &mut kids, &mut attached);
            kids[n].push(Kid::Mcr(pi, mcid));
            node_page[n].get_or_insert(pi);
            arr.push(Object::Reference(elem_ids[n]));
        }
        parent_tree.push((key, Object::Array(arr)));
        let page = lo.get_object_mut(page_ids[pi]).and_then(|o| o.as_dict_mut()).map_err(|e| e.to_string())?;
        page.set("StructParents", Object::Integer(key));
        // printpdf writes an ArtBox equal to the MediaBox; it must sit inside the trim.
        page.remove(b"ArtBox");
        page.set("Tabs", Object::Name(b"S".to_vec()));
        page.remove(b"Annots");
    }
    // Link annotations.
    for (pi, pm) in marks.iter().enumerate() {
        let mut annots = Vec::new();
        for (rect, uri, node, dest) in pm.links.iter().filter(|(_, uri, _, dest)| dest.is_some() || crate::inline::is_allowed(uri)) {
            let key = next_key;
            next_key += 1;
            let text = tree.nodes[*node].text.clone().unwrap_or_else(|| uri.clone());
            let action = match dest {
                // A place in the document: its page, scrolled to just above `y`.
                Some((page, y)) => {
                    let h = doc.pages.get(*page).map_or(0.0, |p| p.height);
                    let off = if opts.print { opts.bleed } else { 0.0 } + slug(opts);
                    let target = page_ids.get(*page).copied().unwrap_or(page_ids[0]);
                    dictionary! { "S" => "GoTo", "D" => vec![Object::Reference(target), "XYZ".into(), Object::Null, (h - y + off + 4.0).into(), Object::Null] }
                }
                None => dictionary! { "S" => "URI", "URI" => Object::String(uri.as_bytes().to_vec(), StringFormat::Literal) },
            };
            let annot = dictionary! {
                "Type" => "Annot",
                "Subtype" => "Link",
                "Rect" => vec![rect[0].into(), rect[1].into(), rect[2].into(), rect[3].into()],
                "Border" => vec![0.into(), 0.into(), 0.into()],
                "F" => 4,
                "A" => action,
                "Contents" => pdf_text(&text),
                "StructParent" => key,
                "P" => Object::Reference(page_ids[pi]),
            };
            let aid = lo.add_object(annot);
            annots.push(Object::Reference(aid));
            attach(*node, tree, &mut kids, &mut attached);
            kids[*node].push(Kid::Objr(pi, aid));
            node_page[*node].get_or_insert(pi);
            parent_tree.push((key, Object::Reference(elem_ids[*node])));
        }
        if !annots.is_empty() {
            let page = lo.get_object_mut(page_ids[pi]).and_then(|o| o.as_dict_mut()).map_err(|e| e.to_string())?;
            page.set("Annots", Object::Array(annots));
        }
    }
    // Elements that never received content (e.g. empty containers) are attached at the end.
    for n in 1..tree.nodes.len() {
        if !attached[n] && !tree.nodes[n].children.is_empty() {
            attach(n, tree, &mut kids, &mut attached);
        }
    }
    // Containers (Document, Sect, L…) list their elements in the issue's order, whatever
    // order the pages put them in; content order inside an element stays as drawn.
    for (n, node) in tree.nodes.iter().enumerate() {
        if !kids[n].is_empty() && kids[n].iter().all(|k| matches!(k, Kid::Elem(_))) {
            let pos = |c: usize| node.children.iter().position(|&x| x == c).unwrap_or(usize::MAX);
            kids[n].sort_by_key(|k| match k {
                Kid::Elem(c) => pos(*c),
                _ => usize::MAX,
            });
        }
    }
    for (n, node) in tree.nodes.iter().enumerate() {
        if !attached[n] {
            continue;
        }
        let mut karr = Vec::new();
        for k in &kids[n] {
            karr.push(match k {
                Kid::Mcr(pi, mcid) => {
                    if node_page[n] == Some(*pi) {
                        Object::Integer(*mcid as i64)
                    } else {
                        Object::Dictionary(dictionary! { "Type" => "MCR", "Pg" => Object::Reference(page_ids[*pi]), "MCID" => *mcid as i64 })
                    }
                }
                Kid::Elem(c) => Object::Reference(elem_ids[*c]),
                Kid::Objr(pi, aid) => Object::Dictionary(dictionary! { "Type" => "OBJR", "Pg" => Object::Reference(page_ids[*pi]), "Obj" => Object::Reference(*aid) }),
            });
        }
        let parent = match node.parent {
            Some(p) => elem_ids[p],
            None => root_id,
        };
        let mut d = dictionary! { "Type" => "StructElem", "S" => node.role.name(), "P" => Object::Reference(parent), "K" => karr };
        if let Some(p) = node_page[n] {
            d.set("Pg", Object::Reference(page_ids[p]));
        }
        if let Some(alt) = &node.alt {
            d.set("Alt", pdf_text(alt));
        }
        if node.role == Role::Link {
            if let Some(t) = &node.text {
                d.set("Alt", pdf_text(t));
            }
        }
        if node.role == Role::Figure {
            if let Some((_, r)) = node.bbox {
                let b = if opts.print { opts.bleed } else { 0.0 } + slug(opts);
                let h = doc.pages.first().map(|p| p.height).unwrap_or(0.0);
                d.set("A", dictionary! { "O" => "Layout", "BBox" => vec![(r.x + b).into(), (h - r.bottom() + b).into(), (r.right() + b).into(), (h - r.y + b).into()], "Placement" => "Block" });
            }
        }
        if n == 0 {
            d.set("Lang", pdf_text(&doc.meta.language));
        }
        lo.objects.insert(elem_ids[n], Object::Dictionary(d));
    }
    let nums: Vec<Object> = parent_tree.into_iter().flat_map(|(k, v)| [Object::Integer(k), v]).collect();
    let parent_tree_id = lo.add_object(dictionary! { "Nums" => nums });
    lo.objects.insert(root_id, Object::Dictionary(dictionary! {
        "Type" => "StructTreeRoot",
        "K" => vec![Object::Reference(elem_ids[0])],
        "ParentTree" => Object::Reference(parent_tree_id),
        "ParentTreeNextKey" => next_key,
    }));
    // Page boxes for print.
    if opts.print {
        let b = opts.bleed;
        let o = b + slug(opts);
        for (pi, id) in page_ids.iter().enumerate() {
            let (w, h) = (doc.pages[pi].width, doc.pages[pi].height);
            let page = lo.get_object_mut(*id).and_then(|o| o.as_dict_mut()).map_err(|e| e.to_string())?;
            page.set("TrimBox", vec![o.into(), o.into(), (w + o).into(), (h + o).into()]);
            page.set("BleedBox", vec![(o - b).into(), (o - b).into(), (w + o + b).into(), (h + o + b).into()]);
        }
    }
    // Subset tags on font names, wherever the dictionaries sit (the CIDFont is inline).
    fn rename(o: &mut Object, names: &[(String, String)]) {
        match o {
            Object::Dictionary(d) => {
                for key in [b"BaseFont".as_slice(), b"FontName".as_slice()] {
                    if let Ok(Object::Name(n)) = d.get(key) {
                        let n = String::from_utf8_lossy(n).to_string();
                        if let Some((_, tagged)) = names.iter().find(|(fid, _)| *fid == n) {
                            d.set(key, Object::Name(tagged.as_bytes().to_vec()));
                        }
                    }
                }
                for (_, v) in d.iter_mut() {
                    rename(v, names);
                }
            }
            Object::Array(a) => {
                for v in a.iter_mut() {
                    rename(v, names);
                }
            }
            _ => {}
        }
    }
    for (_, o) in lo.objects.iter_mut() {
        rename(o, font_names);
    }
    // The outline, in reading order (printpdf sorts bookmarks by title).
    if !doc.outline.is_empty() {
        let outline_id = lo.new_object_id();
        let ids: Vec<ObjectId> = doc.outline.iter().map(|_| lo.new_object_id()).collect();
        let off = if opts.print { opts.bleed } else { 0.0 } + slug(opts);
        for (i, bm) in doc.outline.iter().enumerate() {
            let page = page_ids.get(bm.page).copied().unwrap_or(page_ids[0]);
            let h = doc.pages.get(bm.page).map(|p| p.height).unwrap_or(0.0);
            let mut d = dictionary! {
                "Title" => pdf_text(&bm.title),
                "Parent" => Object::Reference(outline_id),
                "Dest" => vec![Object::Reference(page), "XYZ".into(), Object::Null, (h - bm.y + off + 4.0).into(), Object::Null],
            };
            if i > 0 {
                d.set("Prev", Object::Reference(ids[i - 1]));
            }
            if i + 1 < ids.len() {
                d.set("Next", Object::Reference(ids[i + 1]));
            }
            lo.objects.insert(ids[i], Object::Dictionary(d));
        }
        lo.objects.insert(outline_id, Object::Dictionary(dictionary! {
            "Type" => "Outlines",
            "First" => Object::Reference(ids[0]),
            "Last" => Object::Reference(ids[ids.len() - 1]),
            "Count" => ids.len() as i64,
        }));
        let cat_id = lo.trailer.get(b"Root").and_then(|o| o.as_reference()).map_err(|e| e.to_string())?;
        let cat = lo.get_object_mut(cat_id).and_then(|o| o.as_dict_mut()).map_err(|e| e.to_string())?;
        cat.set("Outlines", Object::Reference(outline_id));
    }
    // XMP metadata.
    let xmp = xmp(doc, opts);
    let mut meta_stream = lopdf::Stream::new(dictionary! { "Type" => "Metadata", "Subtype" => "XML" }, xmp.into_bytes());
    meta_stream.allows_compression = false;
    let meta_id = lo.add_object(meta_stream);
    let cat_id = lo.trailer.get(b"Root").and_then(|o| o.as_reference()).map_err(|e| e.to_string())?;
    let cat = lo.get_object_mut(cat_id).and_then(|o| o.as_dict_mut()).map_err(|e| e.to_string())?;
    cat.set("Lang", pdf_text(&doc.meta.language));
    cat.set("MarkInfo", dictionary! { "Marked" => true });
    cat.set("ViewerPreferences", dictionary! { "DisplayDocTitle" => true });
    cat.set("StructTreeRoot", Object::Reference(root_id));
    cat.set("Metadata", Object::Reference(meta_id));
    if cat.has(b"Outlines") {
        cat.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    } else {
        cat.remove(b"PageMode");
    }
    // Info strings as proper text strings (non-ASCII titles).
    if let Ok(info_id) = lo.trailer.get(b"Info").and_then(|o| o.as_reference()) {
        if let Ok(info) = lo.get_object_mut(info_id).and_then(|o| o.as_dict_mut()) {
            info.set("Title", pdf_text(&doc.meta.title));
            info.set("Author", pdf_text(&doc.meta.author));
            info.set("Subject", pdf_text(&doc.meta.subject));
            info.remove(b"Trapped");
            if opts.print {
                info.set("Trapped", Object::Name(b"False".to_vec()));
                info.set("GTS_PDFXVersion", Object::String(b"PDF/X-4".to_vec(), StringFormat::Literal));
            }
        }
    }
    // A file identifier from the content, so identical input gives identical bytes.
    {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(doc.meta.title.as_bytes());
        h.update(doc.meta.subject.as_bytes());
        h.update(doc.meta.language.as_bytes());
        for p in &doc.pages {
            h.update(format!("{}x{}:{}", p.width, p.height, p.items.len()).as_bytes());
        }
        h.update(format!("{:?}", opts).as_bytes());
        let id: Vec<u8> = h.finalize()[..16].to_vec();
        lo.trailer.set("ID", vec![Object::String(id.clone(), StringFormat::Hexadecimal), Object::String(id, StringFormat::Hexadecimal)]);
    }
    compress_streams(lo);
    Ok(())
}

/// Deflate level for the PDF's streams: level 9 is twice as slow for a file within a
/// fraction of a percent of the size (fonts and images are compressed already).
const DEFLATE_LEVEL: u32 = 6;

/// Compress every stream not compressed yet (as lopdf's `compress`, which uses level 9 one
/// stream at a time), in parallel at [`DEFLATE_LEVEL`]. The bytes do not depend on the
/// threads, so identical input still gives identical files.
fn compress_streams(lo: &mut lopdf::Document) {
    use rayon::prelude::*;
    use std::io::Write;
    let mut streams: Vec<&mut lopdf::Stream> = lo
        .objects
        .values_mut()
        .filter_map(|o| match o {
            Object::Stream(s) if s.allows_compression && s.dict.get(b"Filter").is_err() => Some(s),
            _ => None,
        })
        .collect();
    streams.par_iter_mut().for_each(|s| {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(DEFLATE_LEVEL));
        if e.write_all(&s.content).is_err() {
            return;
        }
        if let Ok(z) = e.finish() {
            if z.len() + 19 < s.content.len() {
                s.dict.set("Filter", "FlateDecode");
                s.set_content(z);
            }
        }
    });
}

/// Point each transparent image at its soft mask (printpdf has no API for /SMask).
fn link_soft_masks(lo: &mut lopdf::Document, masks: &[(String, String)]) {
    if masks.is_empty() {
        return;
    }
    // Resource name -> object, from every XObject dictionary in the file.
    let mut by_name: HashMap<Vec<u8>, ObjectId> = HashMap::new();
    let mut dicts: Vec<lopdf::Dictionary> = Vec::new();
    for obj in lo.objects.values() {
        if let Object::Dictionary(d) = obj {
            if let Ok(res) = d.get(b"Resources") {
                let res = match res {
                    Object::Reference(r) => lo.get_object(*r).and_then(|o| o.as_dict()).ok().cloned(),
                    Object::Dictionary(d) => Some(d.clone()),
                    _ => None,
                };
                if let Some(r) = res {
                    dicts.push(r);
                }
            }
        }
    }
    for r in dicts {
        let xo = match r.get(b"XObject") {
            Ok(Object::Dictionary(d)) => d.clone(),
            Ok(Object::Reference(id)) => lo.get_object(*id).and_then(|o| o.as_dict()).cloned().unwrap_or_default(),
            _ => continue,
        };
        for (k, v) in xo.iter() {
            if let Object::Reference(id) = v {
                by_name.insert(k.clone(), *id);
            }
        }
    }
    for (img, mask) in masks {
        if let (Some(i), Some(m)) = (by_name.get(img.as_bytes()), by_name.get(mask.as_bytes())) {
            let m = *m;
            if let Ok(Object::Stream(s)) = lo.get_object_mut(*i) {
                s.dict.set("SMask", Object::Reference(m));
            }
        }
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// PDF/X-4 for the print edition: the output intent (the CMYK condition Folio prints
/// for, with its profile) and every RGB image tagged sRGB (the print shop converts it to
/// its inks); vector colours are CMYK already ([`colour`]). The XMP says PDF/X-4 ([`xmp`]).
fn pdfx(lo: &mut lopdf::Document) -> Result<(), String> {
    let profile = |n: i64, bytes: &[u8]| lopdf::Stream::new(dictionary! { "N" => n }, bytes.to_vec());
    let srgb = lo.add_object(profile(3, crate::colour::SRGB_PROFILE));
    let cmyk = lo.add_object(profile(4, crate::colour::CMYK_PROFILE));
    for (_, o) in lo.objects.iter_mut() {
        if let Object::Stream(st) = o {
            let image = st.dict.get(b"Subtype").and_then(|v| v.as_name()).ok() == Some(b"Image".as_slice());
            if image && st.dict.get(b"ColorSpace").and_then(|v| v.as_name()).ok() == Some(b"DeviceRGB".as_slice()) {
                st.dict.set("ColorSpace", vec![Object::Name(b"ICCBased".to_vec()), Object::Reference(srgb)]);
            }
        }
    }
    let intent = dictionary! {
        "Type" => "OutputIntent",
        "S" => "GTS_PDFX",
        "OutputConditionIdentifier" => Object::String(crate::colour::CMYK_CONDITION.as_bytes().to_vec(), StringFormat::Literal),
        "OutputCondition" => Object::String(b"Offset printing on coated paper (ISO 12647-2), FOGRA39".to_vec(), StringFormat::Literal),
        "RegistryName" => Object::String(b"http://www.color.org".to_vec(), StringFormat::Literal),
        "Info" => Object::String(b"Coated FOGRA39 (ISO 12647-2:2004)".to_vec(), StringFormat::Literal),
        "DestOutputProfile" => Object::Reference(cmyk),
    };
    let cat_id = lo.trailer.get(b"Root").and_then(|o| o.as_reference()).map_err(|e| e.to_string())?;
    let cat = lo.get_object_mut(cat_id).and_then(|o| o.as_dict_mut()).map_err(|e| e.to_string())?;
    cat.set("OutputIntents", vec![Object::Dictionary(intent)]);
    Ok(())
}

/// An XMP date (UTC) for `secs` since the Unix epoch.
fn xmp_date(secs: i64) -> String {
    let secs = secs.clamp(0, 4_000_000_000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + (m <= 2) as i64;
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

fn xmp(doc: &Document, opts: &PdfOptions) -> String {
    let m = &doc.meta;
    let date = xmp_date(opts.date);
    // The print edition is PDF/X-4 too, with the dates and identifiers PDF/X asks for.
    let pdfx = if opts.print {
        format!(
            "\n   <pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>\n   <xmp:CreateDate>{date}</xmp:CreateDate>\n   <xmp:ModifyDate>{date}</xmp:ModifyDate>\n   <xmp:MetadataDate>{date}</xmp:MetadataDate>\n   <xmpMM:DocumentID>uuid:{id}</xmpMM:DocumentID>\n   <xmpMM:VersionID>1</xmpMM:VersionID>\n   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>",
            id = uuid_of(&[m.title.as_bytes(), m.subject.as_bytes(), date.as_bytes()])
        )
    } else {
        String::new()
    };
    format!(
        r#"<?xpacket begin="﻿" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
   <pdf:Producer>Folio (printpdf, lopdf)</pdf:Producer>
   <xmp:CreatorTool>Folio</xmp:CreatorTool>
   <pdfuaid:part>1</pdfuaid:part>{pdfx}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        title = xml_escape(&m.title),
        author = xml_escape(&m.author),
        subject = xml_escape(&m.subject),
        lang = xml_escape(&m.language)
    )
}

/// A UUID-shaped identifier from the document's content (identical input, identical bytes).
fn uuid_of(parts: &[&[u8]]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    let b = h.finalize();
    let x: String = b[..16].iter().map(|v| format!("{v:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &x[..8], &x[8..12], &x[12..16], &x[16..20], &x[20..32])
}
