//! Imposition (`folio build --impose`): the sheets hold the issue's pages in the order a
//! duplex printer needs, checked by rendering the sheets and the pages and comparing them.

use folio::build::{build, Options};
use folio::impose::{impose, sides, Imposition};
use image::RgbImage;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// How far apart two images of the same size are: the mean grey difference, 0 to 255.
fn distance(a: &RgbImage, b: &RgbImage) -> f32 {
    let b = image::imageops::resize(b, a.width(), a.height(), image::imageops::FilterType::Triangle);
    let sum: f32 = a.pixels().zip(b.pixels()).map(|(p, q)| (0..3).map(|k| (p.0[k] as f32 - q.0[k] as f32).abs()).sum::<f32>() / 3.0).sum();
    sum / (a.width() * a.height()).max(1) as f32
}

fn half(sheet: &RgbImage, right: bool) -> RgbImage {
    let w = sheet.width() / 2;
    image::imageops::crop_imm(sheet, if right { sheet.width() - w } else { 0 }, 0, w, sheet.height()).to_image()
}

/// Every half of every sheet shows the page `sides` says (or is blank), and no other page.
fn check(issue: &str, how: Imposition) {
    let b = build(&Path::new(ROOT).join(issue), &Options::default()).unwrap_or_else(|e| panic!("{issue}: {e:?}"));
    let n = b.laid.document.pages.len();
    let imposed = impose(&b.pdf, how, "Test (booklet)").unwrap();
    let doc = lopdf::Document::load_mem(&imposed.pdf).unwrap();
    let order = sides(n, how);
    assert_eq!(doc.get_pages().len(), order.len(), "{issue}: sheet sides");
    // The sheet is two trimmed pages wide.
    let (pw, ph) = (b.laid.document.pages[0].width, b.laid.document.pages[0].height);
    for (_, id) in doc.get_pages() {
        let mb: Vec<f32> = doc.get_dictionary(id).unwrap().get(b"MediaBox").unwrap().as_array().unwrap().iter().map(|o| o.as_float().unwrap_or_else(|_| o.as_i64().unwrap() as f32)).collect();
        assert!((mb[2] - 2.0 * pw).abs() < 0.1 && (mb[3] - ph).abs() < 0.1, "{issue}: sheet {mb:?} for pages {pw}x{ph}");
    }
    // Fonts are embedded once, however many times a page is placed.
    let descriptors = |d: &lopdf::Document| d.objects.values().filter(|o| o.as_dict().is_ok_and(|d| d.get(b"Type").and_then(|t| t.as_name()).is_ok_and(|t| t == b"FontDescriptor"))).count();
    assert_eq!(descriptors(&doc), descriptors(&lopdf::Document::load_mem(&b.pdf).unwrap()), "{issue}: font descriptors");
    let title = doc.trailer.get(b"Info").and_then(|i| i.as_reference()).and_then(|r| doc.get_dictionary(r)).and_then(|d| d.get(b"Title")).map(|t| t.as_str().map(|s| s.to_vec()).unwrap_or_default()).unwrap_or_default();
    assert_eq!(String::from_utf8_lossy(&title), "Test (booklet)");
    // Render both and match the halves to pages.
    let pages = folio::preview::render_pages(&b.pdf, 20.0).unwrap();
    let sheets = folio::preview::render_pages(&imposed.pdf, 20.0).unwrap();
    let white = RgbImage::from_pixel(pages[0].width(), pages[0].height(), image::Rgb([255, 255, 255]));
    for (s, (sheet, side)) in sheets.iter().zip(&order).enumerate() {
        for (slot, want) in side.iter().enumerate() {
            let h = half(sheet, slot == 1);
            let d_want = distance(&h, want.map_or(&white, |i| &pages[i]));
            assert!(d_want < 6.0, "{issue}: side {s} half {slot} is not page {want:?} ({d_want:.1})");
            // ... and is nearer that page than any other.
            for (j, p) in pages.iter().enumerate() {
                if Some(j) != *want && distance(&h, p) <= d_want {
                    panic!("{issue}: side {s} half {slot} looks as much like page {j} as like {want:?}");
                }
            }
        }
    }
}

#[test]
fn an_a5_handout_as_a_booklet() {
    // Three A5 pages on one A4 sheet: the front holds the blank back cover and page 1,
    // the back pages 2 and 3 (read in folding order: 1, 2, 3, blank).
    assert_eq!(sides(3, Imposition::Booklet), vec![[None, Some(0)], [Some(1), Some(2)]]);
    check("examples/a5-handout.json", Imposition::Booklet);
}

#[test]
fn a_seed_as_a_booklet_and_two_up() {
    check("issues/2023-12.json", Imposition::Booklet);
    check("issues/2022-06.json", Imposition::TwoUpPages);
    check("examples/a5-handout.json", Imposition::TwoUp);
}

#[test]
fn the_command_writes_the_booklet_beside_the_pdf_and_says_what_it_added() {
    let d = std::env::temp_dir().join(format!("folio-impose-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let out = d.join("handout.pdf");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_folio")).args(["build", "examples/a5-handout.json", "--impose", "booklet", "-o"]).arg(&out).current_dir(ROOT).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(out.exists() && d.join("handout-booklet.pdf").exists(), "{err}");
    assert!(err.contains("handout-booklet.pdf (") && err.contains("sheet"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}
