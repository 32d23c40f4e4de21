//! Photos and logos: probe, decode safely, honour EXIF orientation, crop to the frame,
//! resample to the profile's resolution at placed size, encode for the PDF.

use crate::layout::display::{ImageData, ImageEncoding};
use image::{DynamicImage, GenericImageView, ImageDecoder, ImageReader, Limits};
use std::io::{Cursor, Write};
use std::path::Path;

/// Largest image accepted, in pixels (100 megapixels).
const MAX_PIXELS: u64 = 100_000_000;
const MAX_SIDE: u32 = 30_000;

/// What layout needs to know about a source image.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// Pixel size after EXIF orientation.
    pub width: u32,
    pub height: u32,
    pub has_alpha: bool,
}

/// Output profile for images.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageProfile {
    pub ppi: f32,
    pub quality: u8,
}

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(MAX_SIDE);
    l.max_image_height = Some(MAX_SIDE);
    l.max_alloc = Some(1 << 30);
    l
}

fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, String> {
    let mut r = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| format!("cannot read the image: {e}"))?;
    if r.format().is_none() {
        return Err("not an image this tool reads: use a JPEG, PNG or WebP file".into());
    }
    r.limits(limits());
    Ok(r)
}

/// Read the header only: size, orientation, alpha. Refuses decompression bombs.
pub fn probe(bytes: &[u8]) -> Result<Probe, String> {
    let r = reader(bytes)?;
    let mut dec = r.into_decoder().map_err(describe)?;
    let (w, h) = dec.dimensions();
    check_size(w, h)?;
    let orientation = dec.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let swap = matches!(
        orientation,
        image::metadata::Orientation::Rotate90 | image::metadata::Orientation::Rotate270 | image::metadata::Orientation::Rotate90FlipH | image::metadata::Orientation::Rotate270FlipH
    );
    let has_alpha = dec.color_type().has_alpha();
    let (width, height) = if swap { (h, w) } else { (w, h) };
    Ok(Probe { width, height, has_alpha })
}

fn check_size(w: u32, h: u32) -> Result<(), String> {
    if w == 0 || h == 0 {
        return Err("the image has no pixels".into());
    }
    if w as u64 * h as u64 > MAX_PIXELS || w > MAX_SIDE || h > MAX_SIDE {
        return Err(format!("the image claims {w}×{h} pixels, more than this tool will decode (100 megapixels): resize it"));
    }
    Ok(())
}

fn describe(e: image::ImageError) -> String {
    match e {
        image::ImageError::Limits(_) => "the image is too large to decode safely (over 100 megapixels or 1 GB): resize it".into(),
        image::ImageError::Unsupported(u) => format!("unsupported image: {u}"),
        other => format!("the image is damaged or truncated: {other}"),
    }
}

/// Decode fully, honouring EXIF orientation.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, String> {
    let r = reader(bytes)?;
    let mut dec = r.into_decoder().map_err(describe)?;
    let (w, h) = dec.dimensions();
    check_size(w, h)?;
    let orientation = dec.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(dec).map_err(describe)?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// Crop `img` to the aspect ratio `frame_w:frame_h` around `focus` (0–1 fractions).
pub fn crop_to(img: &DynamicImage, frame_w: f32, frame_h: f32, focus: [f32; 2]) -> DynamicImage {
    let (w, h) = img.dimensions();
    let target = frame_w / frame_h;
    let src = w as f32 / h as f32;
    let (cw, ch) = if src > target { (((h as f32) * target).round().max(1.0) as u32, h) } else { (w, ((w as f32) / target).round().max(1.0) as u32) };
    let cw = cw.min(w);
    let ch = ch.min(h);
    let cx = ((focus[0] * w as f32 - cw as f32 / 2.0).round().max(0.0) as u32).min(w - cw);
    let cy = ((focus[1] * h as f32 - ch as f32 / 2.0).round().max(0.0) as u32).min(h - ch);
    if cw == w && ch == h {
        img.clone()
    } else {
        img.crop_imm(cx, cy, cw, ch)
    }
}

/// Prepare an image for a frame of `frame_w × frame_h` points.
/// Returns the data and its effective resolution at that size (pixels per inch).
pub fn prepare(bytes: &[u8], frame_w: f32, frame_h: f32, focus: [f32; 2], profile: ImageProfile, keep_alpha: bool) -> Result<(ImageData, f32), String> {
    let img = decode(bytes)?;
    let img = crop_to(&img, frame_w, frame_h, focus);
    let (cw, _ch) = img.dimensions();
    let want_w = (frame_w / 72.0 * profile.ppi).round().max(1.0) as u32;
    let img = if cw > want_w {
        let want_h = ((want_w as f32) * frame_h / frame_w).round().max(1.0) as u32;
        img.resize_exact(want_w, want_h, image::imageops::FilterType::CatmullRom)
    } else {
        img
    };
    let (w, h) = img.dimensions();
    let ppi = w as f32 / (frame_w / 72.0);
    let grey = !img.color().has_color();
    let alpha = keep_alpha && img.color().has_alpha();
    let data = if alpha {
        let rgba = img.to_rgba8();
        let mut rgb = Vec::with_capacity((w * h * 3) as usize);
        let mut a = Vec::with_capacity((w * h) as usize);
        for p in rgba.pixels() {
            rgb.extend_from_slice(&p.0[..3]);
            a.push(p.0[3]);
        }
        ImageData { width: w, height: h, encoding: ImageEncoding::Flate { grey: false }, data: deflate(&rgb), alpha: Some(deflate(&a)) }
    } else {
        let mut out = Vec::new();
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, profile.quality);
        if grey {
            img.to_luma8().write_with_encoder(enc).map_err(|e| format!("cannot encode the image: {e}"))?;
        } else {
            img.to_rgb8().write_with_encoder(enc).map_err(|e| format!("cannot encode the image: {e}"))?;
        }
        ImageData { width: w, height: h, encoding: ImageEncoding::Jpeg { grey }, data: out, alpha: None }
    };
    Ok((data, ppi))
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = e.write_all(bytes);
    e.finish().unwrap_or_default()
}

/// Read a file, with a message naming it.
pub fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "file not found: check the path (it is relative to the issue file)".to_string(),
        _ => format!("cannot read the file: {e}"),
    })
}
