//! Previews: the pages of a PDF Folio wrote, rendered to PNG (hayro, a Rust rasterizer),
//! and a contact sheet of them all, so what the team looks at is what it sends.

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::Pdf;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::vello_cpu::peniko::ImageAlphaType;
use hayro::{render, PixmapSettings, RenderCache, RenderSettings};
use image::{Rgb, RgbImage};

/// The resolutions a preview may be asked for: below 10 ppi a page is a smudge; above 600
/// an A3 page is over 7,000 pixels a side (the rasterizer's limit is 65,535).
pub const DPI_RANGE: std::ops::RangeInclusive<f32> = 10.0..=600.0;

/// Pages across on the contact sheet (a row of four reads like a spread and a half).
const SHEET_ACROSS: usize = 4;
/// Each page on the contact sheet is this many pixels wide: small enough that a 12-page
/// issue fits an e-mail, large enough to see the columns and photos.
const SHEET_PAGE_W: u32 = 240;
/// The grey between and around pages on the contact sheet, in pixels.
const SHEET_GAP: u32 = 12;

/// Every page of `pdf` rendered at `dpi` pixels per inch on white.
pub fn render_pages(pdf: &[u8], dpi: f32) -> Result<Vec<RgbImage>, String> {
    let dpi = dpi.clamp(*DPI_RANGE.start(), *DPI_RANGE.end());
    let doc = Pdf::new(pdf.to_vec()).map_err(|e| format!("cannot read the PDF back to render it: {e:?}"))?;
    let cache = RenderCache::new();
    let settings = InterpreterSettings::default();
    let scale = dpi / 72.0;
    let pix = PixmapSettings { x_scale: scale, y_scale: scale, bg_color: WHITE };
    let mut out = Vec::new();
    for page in doc.pages().iter() {
        let p = render(page, &cache, &settings, &RenderSettings::default(), &pix);
        let (w, h) = (u32::from(p.width()), u32::from(p.height()));
        let rgba = p.take_rgba8(ImageAlphaType::AlphaPremultiplied);
        // On an opaque white background every pixel is opaque: drop the alpha.
        let rgb: Vec<u8> = rgba.chunks_exact(4).flat_map(|c| [c[0], c[1], c[2]]).collect();
        out.push(RgbImage::from_raw(w, h, rgb).ok_or("the rendered page has the wrong size")?);
    }
    Ok(out)
}

/// All pages side by side, [`SHEET_ACROSS`] to a row, each scaled to [`SHEET_PAGE_W`]
/// pixels wide, on grey.
pub fn contact_sheet(pages: &[RgbImage]) -> RgbImage {
    let thumbs: Vec<RgbImage> = pages
        .iter()
        .map(|p| {
            let h = (p.height() as f32 * SHEET_PAGE_W as f32 / p.width().max(1) as f32).round().max(1.0) as u32;
            image::imageops::resize(p, SHEET_PAGE_W, h, image::imageops::FilterType::Triangle)
        })
        .collect();
    let across = thumbs.len().clamp(1, SHEET_ACROSS) as u32;
    let rows: Vec<&[RgbImage]> = thumbs.chunks(SHEET_ACROSS).collect();
    let row_h: Vec<u32> = rows.iter().map(|r| r.iter().map(|t| t.height()).max().unwrap_or(0)).collect();
    let w = across * SHEET_PAGE_W + (across + 1) * SHEET_GAP;
    let h = row_h.iter().sum::<u32>() + (rows.len() as u32 + 1) * SHEET_GAP;
    let mut sheet = RgbImage::from_pixel(w, h.max(SHEET_GAP), Rgb([128, 128, 128]));
    let mut y = SHEET_GAP;
    for (r, rh) in rows.iter().zip(&row_h) {
        let mut x = SHEET_GAP;
        for t in *r {
            image::imageops::replace(&mut sheet, t, i64::from(x), i64::from(y));
            x += SHEET_PAGE_W + SHEET_GAP;
        }
        y += rh + SHEET_GAP;
    }
    sheet
}

/// An image as PNG bytes.
pub fn png(img: &RgbImage) -> Result<Vec<u8>, String> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).map_err(|e| format!("cannot encode a PNG: {e}"))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contact_sheet_holds_every_page_in_rows_of_four() {
        let page = RgbImage::from_pixel(100, 141, Rgb([255, 255, 255]));
        let sheet = contact_sheet(&vec![page; 6]);
        let th = (141.0f32 * SHEET_PAGE_W as f32 / 100.0).round() as u32;
        assert_eq!(sheet.width(), 4 * SHEET_PAGE_W + 5 * SHEET_GAP);
        assert_eq!(sheet.height(), 2 * th + 3 * SHEET_GAP);
        // The sixth page is white, the place of a seventh grey.
        let (x6, x7, y2) = (SHEET_GAP + (SHEET_PAGE_W + SHEET_GAP) + 5, SHEET_GAP + 2 * (SHEET_PAGE_W + SHEET_GAP) + 5, 2 * SHEET_GAP + th + 5);
        assert_eq!(sheet.get_pixel(x6, y2), &Rgb([255, 255, 255]));
        assert_eq!(sheet.get_pixel(x7, y2), &Rgb([128, 128, 128]));
    }
}
