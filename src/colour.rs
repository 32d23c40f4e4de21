//! Colour management of photos: pixels converted to sRGB from the ICC profile embedded in the
//! photo (with `moxcms`); CMYK JPEGs converted by their profile or, without one, by the
//! usual formula, with Adobe's inverted storage undone.

use image::{DynamicImage, RgbImage};
use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};

/// The print edition's output condition: a CMYK characterisation of offset printing on
/// coated paper, built from the FOGRA39 measurement data (see `assets/README.md`).
pub const CMYK_PROFILE: &[u8] = include_bytes!("../assets/icc/folio-fogra39.icc");
/// The registered name of that condition, for the PDF/X output intent.
pub const CMYK_CONDITION: &str = "FOGRA39";
/// sRGB (IEC 61966-2-1), the space of every photo Folio writes: the print edition tags its
/// images with it, so the print shop converts them to its inks.
pub const SRGB_PROFILE: &[u8] = include_bytes!("../assets/icc/sRGB.icc");

/// sRGB to the print condition's inks, made once.
fn to_cmyk() -> Option<&'static std::sync::Arc<moxcms::Transform8BitExecutor>> {
    static T: std::sync::OnceLock<Option<std::sync::Arc<moxcms::Transform8BitExecutor>>> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let cmyk = ColorProfile::new_from_slice(CMYK_PROFILE).ok()?;
        ColorProfile::new_srgb().create_transform_8bit(Layout::Rgb, &cmyk, Layout::Rgba, TransformOptions::default()).ok()
    })
    .as_ref()
}

/// An sRGB colour (0–1 each) as CMYK ink amounts (0–1 each) on the print condition, by its
/// profile; by the usual formula should the profile not load.
pub fn srgb_to_cmyk(rgb: [f32; 3]) -> [f32; 4] {
    let px = rgb.map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8);
    if let Some(t) = to_cmyk() {
        let mut out = [0u8; 4];
        if t.transform(&px, &mut out).is_ok() {
            return out.map(|v| v as f32 / 255.0);
        }
    }
    let k = 1.0 - rgb.iter().cloned().fold(0.0, f32::max).clamp(0.0, 1.0);
    if k >= 1.0 {
        return [0.0, 0.0, 0.0, 1.0];
    }
    let c = |v: f32| ((1.0 - v.clamp(0.0, 1.0) - k) / (1.0 - k)).max(0.0);
    [c(rgb[0]), c(rgb[1]), c(rgb[2]), k]
}

/// `img` in sRGB: converted from `icc` when that is an RGB profile other than sRGB (an
/// Adobe RGB or Display P3 photo would otherwise print and show duller or wrong).
pub fn to_srgb(img: DynamicImage, icc: Option<&[u8]>) -> DynamicImage {
    let Some(src) = icc.and_then(|b| ColorProfile::new_from_slice(b).ok()) else { return img };
    if src.color_space != DataColorSpace::Rgb || is_srgb(&src) {
        return img;
    }
    let srgb = ColorProfile::new_srgb();
    let has_alpha = img.color().has_alpha();
    let layout = if has_alpha { Layout::Rgba } else { Layout::Rgb };
    let Ok(t) = src.create_transform_8bit(layout, &srgb, layout, TransformOptions::default()) else { return img };
    if has_alpha {
        let mut px = img.into_rgba8();
        let (w, h) = px.dimensions();
        let mut out = vec![0u8; px.len()];
        if t.transform(&px, &mut out).is_ok() {
            px = image::RgbaImage::from_raw(w, h, out).unwrap_or(px);
        }
        DynamicImage::ImageRgba8(px)
    } else {
        let mut px = img.into_rgb8();
        let (w, h) = px.dimensions();
        let mut out = vec![0u8; px.len()];
        if t.transform(&px, &mut out).is_ok() {
            px = RgbImage::from_raw(w, h, out).unwrap_or(px);
        }
        DynamicImage::ImageRgb8(px)
    }
}

/// Whether a profile is sRGB already (by its description; converting it would be a no-op).
fn is_srgb(p: &ColorProfile) -> bool {
    let d = format!("{:?}", p.description).to_ascii_lowercase();
    d.contains("srgb") || d.contains("iec61966-2")
}

/// CMYK ink amounts (0 = none, 255 = full, four per pixel) to an sRGB image: by the CMYK
/// profile `icc` when there is one, else by the naive formula every viewer uses.
pub fn cmyk_to_rgb(ink: &[u8], w: u32, h: u32, icc: Option<&[u8]>) -> Option<RgbImage> {
    let profile = icc.and_then(|b| ColorProfile::new_from_slice(b).ok()).filter(|p| p.color_space == DataColorSpace::Cmyk);
    if let Some(src) = profile {
        if let Ok(t) = src.create_transform_8bit(Layout::Rgba, &ColorProfile::new_srgb(), Layout::Rgb, TransformOptions::default()) {
            let mut out = vec![0u8; ink.len() / 4 * 3];
            if t.transform(ink, &mut out).is_ok() {
                return RgbImage::from_raw(w, h, out);
            }
        }
    }
    let mut out = Vec::with_capacity(ink.len() / 4 * 3);
    for px in ink.chunks_exact(4) {
        let k = 255 - px[3] as u32;
        for &c in &px[..3] {
            out.push(((255 - c as u32) * k / 255) as u8);
        }
    }
    RgbImage::from_raw(w, h, out)
}

/// Whether a JPEG carries Adobe's APP14 marker (its CMYK is then stored inverted).
pub fn jpeg_is_adobe(bytes: &[u8]) -> bool {
    let mut i = 2;
    while i + 4 <= bytes.len() && bytes[i] == 0xFF {
        let marker = bytes[i + 1];
        if marker == 0xDA || marker == 0xD9 {
            break; // start of scan: no more header markers
        }
        let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        if marker == 0xEE && bytes.get(i + 4..i + 9) == Some(b"Adobe") {
            return true;
        }
        i += 2 + len;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adobe_rgb_photo_is_converted_to_srgb() {
        let icc = ColorProfile::new_adobe_rgb().encode().unwrap();
        // Adobe RGB's pure green is outside sRGB: it stays saturated green, clipped; a mid
        // grey stays grey; a muted Adobe RGB red becomes a more saturated sRGB red.
        let img = DynamicImage::ImageRgb8(RgbImage::from_raw(3, 1, vec![128, 128, 128, 0, 255, 0, 180, 60, 60]).unwrap());
        let out = to_srgb(img.clone(), Some(&icc)).into_rgb8();
        let px: Vec<[u8; 3]> = out.pixels().map(|p| p.0).collect();
        assert!(px[0].iter().all(|&c| (c as i32 - px[0][0] as i32).abs() <= 2), "grey stays grey: {:?}", px[0]);
        assert!(px[1][1] > 200 && px[1][0] < 60, "green stays green: {:?}", px[1]);
        assert!(px[2][0] > 180 && px[2][1] < 60, "red gets more saturated in sRGB numbers: {:?}", px[2]);
        assert_ne!(out.into_raw(), img.into_rgb8().into_raw(), "nothing converted");
    }

    #[test]
    fn srgb_and_missing_profiles_leave_pixels_alone() {
        let img = DynamicImage::ImageRgb8(RgbImage::from_raw(1, 1, vec![10, 200, 30]).unwrap());
        assert_eq!(to_srgb(img.clone(), None).into_rgb8().into_raw(), vec![10, 200, 30]);
        let srgb = ColorProfile::new_srgb().encode().unwrap();
        let out = to_srgb(img, Some(&srgb)).into_rgb8().into_raw();
        assert!(out.iter().zip([10u8, 200, 30]).all(|(a, b)| (*a as i32 - b as i32).abs() <= 1), "{out:?}");
        assert_eq!(to_srgb(DynamicImage::ImageRgb8(RgbImage::new(1, 1)), Some(b"not a profile")).into_rgb8().into_raw(), vec![0, 0, 0]);
    }

    #[test]
    fn srgb_converts_to_the_print_condition_s_inks() {
        assert!(to_cmyk().is_some(), "the bundled CMYK profile loads");
        // White is no ink; a saturated blue is mostly cyan and magenta; black is mostly K
        // (the profile's black generation), within the profile's total ink limit.
        let white = srgb_to_cmyk([1.0, 1.0, 1.0]);
        assert!(white.iter().all(|&v| v < 0.02), "{white:?}");
        let blue = srgb_to_cmyk([0.1, 0.25, 0.5]);
        assert!(blue[0] > 0.5 && blue[0] > blue[2], "{blue:?}");
        let black = srgb_to_cmyk([0.0, 0.0, 0.0]);
        assert!(black[3] > 0.7 && black.iter().sum::<f32>() <= 3.3, "{black:?}");
    }

    #[test]
    fn cmyk_without_a_profile_converts_by_the_formula() {
        // No ink is white, full black is black, full cyan is cyan.
        let ink = [0, 0, 0, 0, 0, 0, 0, 255, 255, 0, 0, 0];
        let rgb = cmyk_to_rgb(&ink, 3, 1, None).unwrap().into_raw();
        assert_eq!(rgb, vec![255, 255, 255, 0, 0, 0, 0, 255, 255]);
    }
}
