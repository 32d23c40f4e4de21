//! Imposition: a finished PDF's pages placed two to a sheet side, as a saddle-stitched
//! booklet or two-up for cutting, without laying anything out again.

use lopdf::{dictionary, Document, Object, ObjectId, Stream};

/// How pages go onto sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imposition {
    /// Saddle-stitch spreads in duplex order (flip on the short edge), blank pages added
    /// at the end to make a multiple of four.
    Booklet,
    /// Two copies of each page on a sheet, to cut in half.
    TwoUp,
    /// Two consecutive pages on a sheet (1 and 2, 3 and 4, ...), to cut in half.
    TwoUpPages,
}

impl Imposition {
    /// The file-name suffix of the imposed PDF.
    pub fn suffix(self) -> &'static str {
        match self {
            Imposition::Booklet => "booklet",
            Imposition::TwoUp => "2up",
            Imposition::TwoUpPages => "2up-pages",
        }
    }
}

/// One side of a sheet: the page (0-based) on its left and on its right half, `None` for
/// a blank.
pub type Side = [Option<usize>; 2];

/// The sheet sides, in printing order, for `n` pages.
pub fn sides(n: usize, how: Imposition) -> Vec<Side> {
    match how {
        Imposition::Booklet => {
            let total = n.div_ceil(4).max(1) * 4;
            let page = |i: usize| (i < n).then_some(i);
            let mut out = Vec::new();
            for s in 0..total / 4 {
                // Front: the outer pair (last, first); back: the inner pair (second, one before last).
                out.push([page(total - 1 - 2 * s), page(2 * s)]);
                out.push([page(2 * s + 1), page(total - 2 - 2 * s)]);
            }
            out
        }
        Imposition::TwoUp => (0..n).map(|i| [Some(i), Some(i)]).collect(),
        Imposition::TwoUpPages => (0..n).step_by(2).map(|i| [Some(i), (i + 1 < n).then_some(i + 1)]).collect(),
    }
}

/// The blank pages a booklet of `n` pages needs.
pub fn booklet_blanks(n: usize) -> usize {
    n.div_ceil(4).max(1) * 4 - n
}

/// What was imposed.
pub struct Imposed {
    pub pdf: Vec<u8>,
    /// Sheets of paper: printed on both sides for a booklet, on one for two-up.
    pub sheets: usize,
    pub blanks: usize,
}

/// The box a page is cut to (TrimBox, else MediaBox): x0, y0, x1, y1.
fn trim_box(doc: &Document, page: ObjectId) -> Option<[f32; 4]> {
    let d = doc.get_dictionary(page).ok()?;
    let arr = d.get(b"TrimBox").or_else(|_| d.get(b"MediaBox")).ok()?;
    let arr = match arr {
        Object::Reference(r) => doc.get_object(*r).ok()?,
        o => o,
    };
    let v: Vec<f32> = arr.as_array().ok()?.iter().filter_map(|o| o.as_float().ok().or_else(|| o.as_i64().ok().map(|i| i as f32))).collect();
    (v.len() == 4).then(|| [v[0], v[1], v[2], v[3]])
}

/// Impose `pdf`; the imposed file is titled `title`.
pub fn impose(pdf: &[u8], how: Imposition, title: &str) -> Result<Imposed, String> {
    let mut doc = Document::load_mem(pdf).map_err(|e| format!("cannot read the PDF back to impose it: {e}"))?;
    let pages: Vec<ObjectId> = doc.get_pages().values().copied().collect();
    let first = pages.first().ok_or("the PDF has no pages")?;
    let [x0, y0, x1, y1] = trim_box(&doc, *first).ok_or("the first page has no page box")?;
    let (w, h) = (x1 - x0, y1 - y0);
    // Each page becomes a form XObject: its content and resources, clipped to its trim box.
    let mut forms = Vec::new();
    for &p in &pages {
        let content = doc.get_page_content(p);
        let res = doc.get_dictionary(p).ok().and_then(|d| d.get(b"Resources").ok().cloned()).unwrap_or_else(|| Object::Dictionary(dictionary! {}));
        let b = trim_box(&doc, p).unwrap_or([x0, y0, x1, y1]);
        let form = Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![b[0].into(), b[1].into(), b[2].into(), b[3].into()], "Resources" => res },
            content,
        );
        forms.push((doc.add_object(form), b));
    }
    let pages_id = doc.catalog().and_then(|c| c.get(b"Pages")).and_then(|o| o.as_reference()).map_err(|e| format!("the PDF has no page tree: {e}"))?;
    let order = sides(pages.len(), how);
    let mut kids = Vec::new();
    for side in &order {
        let mut ops = String::new();
        let mut xobjects = lopdf::Dictionary::new();
        for (slot, page) in side.iter().enumerate() {
            let Some(i) = page else { continue };
            let (id, b) = forms[*i];
            let name = format!("P{i}");
            // Move the page's trim box to the left or right half of the sheet.
            ops.push_str(&format!("q 1 0 0 1 {:.3} {:.3} cm /{name} Do Q\n", slot as f32 * w - b[0], -b[1]));
            xobjects.set(name.into_bytes(), Object::Reference(id));
        }
        if how != Imposition::Booklet {
            // The cut line: a thin dashed grey rule down the middle.
            ops.push_str(&format!("q 0.6 G 0.3 w [3 3] 0 d {w:.3} 0 m {w:.3} {h:.3} l S Q\n"));
        }
        let content = doc.add_object(Stream::new(dictionary! {}, ops.into_bytes()));
        let page = dictionary! {
            "Type" => "Page", "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), (2.0 * w).into(), h.into()],
            "Resources" => dictionary! { "XObject" => xobjects },
            "Contents" => content,
        };
        kids.push(Object::Reference(doc.add_object(page)));
    }
    let count = kids.len() as i64;
    if let Ok(Object::Dictionary(tree)) = doc.get_object_mut(pages_id) {
        tree.set("Kids", Object::Array(kids));
        tree.set("Count", count);
        tree.remove(b"MediaBox");
    }
    // The tagged structure, outline and link annotations belong to the reading edition's
    // pages; the imposed file is for the printer.
    if let Ok(cat) = doc.catalog_mut() {
        for k in [&b"StructTreeRoot"[..], b"Outlines", b"MarkInfo", b"Metadata", b"Dests", b"OpenAction", b"PageMode"] {
            cat.remove(k);
        }
    }
    if let Ok(info) = doc.trailer.get(b"Info").and_then(|o| o.as_reference()) {
        if let Ok(Object::Dictionary(d)) = doc.get_object_mut(info) {
            d.set("Title", Object::string_literal(title));
        }
    }
    doc.prune_objects();
    doc.compress();
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| format!("cannot write the imposed PDF: {e}"))?;
    let blanks = if how == Imposition::Booklet { booklet_blanks(pages.len()) } else { 0 };
    // A booklet's sheets are printed on both sides; two-up sheets on one, then cut.
    let sheets = if how == Imposition::Booklet { order.len() / 2 } else { order.len() };
    Ok(Imposed { pdf: out, sheets, blanks })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fold the sheets of a booklet and read the pages in order: sheet by sheet, the front's
    /// right half, the back's left half (first half of the booklet), then back from the
    /// innermost sheet outwards, the back's right half and the front's left half.
    fn reading_order(s: &[Side]) -> Vec<Option<usize>> {
        let sheets: Vec<(&Side, &Side)> = s.chunks(2).map(|c| (&c[0], &c[1])).collect();
        let mut out = Vec::new();
        for (front, back) in &sheets {
            out.push(front[1]);
            out.push(back[0]);
        }
        for (front, back) in sheets.iter().rev() {
            out.push(back[1]);
            out.push(front[0]);
        }
        out
    }

    #[test]
    fn booklets_of_1_to_13_pages_read_in_order_when_folded() {
        for n in 1..=13 {
            let s = sides(n, Imposition::Booklet);
            let total = n.div_ceil(4) * 4;
            assert_eq!(s.len(), total / 2, "{n} pages: {} sides", s.len());
            let read = reading_order(&s);
            let expect: Vec<Option<usize>> = (0..total).map(|i| (i < n).then_some(i)).collect();
            assert_eq!(read, expect, "{n} pages");
            assert_eq!(booklet_blanks(n), total - n);
        }
        // Eight pages: 8|1, 2|7 on the first sheet, 6|3, 4|5 on the second.
        assert_eq!(sides(8, Imposition::Booklet), vec![[Some(7), Some(0)], [Some(1), Some(6)], [Some(5), Some(2)], [Some(3), Some(4)]]);
    }

    #[test]
    fn two_up_puts_each_page_twice_or_pairs_them() {
        assert_eq!(sides(2, Imposition::TwoUp), vec![[Some(0), Some(0)], [Some(1), Some(1)]]);
        assert_eq!(sides(3, Imposition::TwoUpPages), vec![[Some(0), Some(1)], [Some(2), None]]);
    }
}
