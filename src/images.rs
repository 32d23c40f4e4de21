//! Photos and logos: probe, decode safely, honour EXIF orientation, crop to the frame,
//! resample to the profile's resolution at placed size, encode for the PDF.

use crate::layout::display::{ImageData, ImageEncoding};
use std::borrow::Cow;
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

fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<Cow<'_, [u8]>>>, String> {
    let mut r = ImageReader::new(Cursor::new(without_png_metadata(bytes))).with_guessed_format().map_err(|e| format!("cannot read the image: {e}"))?;
    if r.format().is_none() {
        return Err("not an image this tool reads: use a JPEG, PNG or WebP file".into());
    }
    r.limits(limits());
    Ok(r)
}

/// PNG chunks whose compressed content the decoder would inflate whole (a colour profile
/// or text of 260 KB can inflate to 256 MB). Folio uses none of them: they are dropped.
const PNG_INFLATED_CHUNKS: [&[u8; 4]; 3] = [b"iCCP", b"zTXt", b"iTXt"];

/// A PNG without [`PNG_INFLATED_CHUNKS`] (other images as they are).
fn without_png_metadata(bytes: &[u8]) -> Cow<'_, [u8]> {
    const SIG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !bytes.starts_with(SIG) {
        return Cow::Borrowed(bytes);
    }
    let mut keep: Vec<(usize, usize)> = Vec::new();
    let mut at = SIG.len();
    let mut dropped = false;
    while at + 12 <= bytes.len() {
        let len = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        let end = at.saturating_add(12).saturating_add(len).min(bytes.len());
        let kind = &bytes[at + 4..at + 8];
        if PNG_INFLATED_CHUNKS.iter().any(|k| k.as_slice() == kind) {
            dropped = true;
        } else {
            keep.push((at, end));
        }
        at = end;
    }
    if !dropped {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(SIG);
    for (a, b) in keep {
        out.extend_from_slice(&bytes[a..b]);
    }
    out.extend_from_slice(&bytes[at.min(bytes.len())..]);
    Cow::Owned(out)
}

/// A JPEG must end with its end-of-image marker (a cut-off copy decodes to grey blocks).
fn check_complete(bytes: &[u8]) -> Result<(), String> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let tail = &bytes[bytes.len().saturating_sub((bytes.len() / 4).clamp(2, 65_536))..];
        if !tail.windows(2).any(|w| w == [0xFF, 0xD9]) {
            return Err("the JPEG is truncated (it has no end-of-image marker): copy or export it again".into());
        }
    }
    if bytes.starts_with(b"\x89PNG") && !bytes[bytes.len().saturating_sub(64)..].windows(4).any(|w| w == b"IEND") {
        return Err("the PNG is truncated (it has no IEND chunk): copy or export it again".into());
    }
    Ok(())
}

/// Read the header only: size, orientation, alpha. Refuses decompression bombs and cut-off files.
pub fn probe(bytes: &[u8]) -> Result<Probe, String> {
    let r = reader(bytes)?;
    let mut dec = r.into_decoder().map_err(describe)?;
    let (w, h) = dec.dimensions();
    check_size(w, h)?;
    let orientation = dec.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let swap = turns_sideways(orientation);
    let has_alpha = dec.color_type().has_alpha();
    let (width, height) = if swap { (h, w) } else { (w, h) };
    check_complete(bytes)?;
    Ok(Probe { width, height, has_alpha })
}

/// Whether an EXIF orientation swaps width and height.
fn turns_sideways(o: image::metadata::Orientation) -> bool {
    use image::metadata::Orientation::*;
    matches!(o, Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH)
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

/// Decode fully, honouring EXIF orientation and the embedded colour profile (in sRGB).
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, String> {
    let r = reader(bytes)?;
    let mut dec = r.into_decoder().map_err(describe)?;
    let (w, h) = dec.dimensions();
    check_size(w, h)?;
    let orientation = dec.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let icc = dec.icc_profile().ok().flatten();
    let mut img = match decode_cmyk_jpeg(bytes, None, icc.as_deref()) {
        Some(img) => img,
        None => crate::colour::to_srgb(DynamicImage::from_decoder(dec).map_err(describe)?, icc.as_deref()),
    };
    img.apply_orientation(orientation);
    Ok(img)
}

/// A CMYK JPEG decoded to sRGB by its profile (or the usual formula), at `scale` pixels if
/// given; `None` for any other image.
fn decode_cmyk_jpeg(bytes: &[u8], scale: Option<(u16, u16)>, icc: Option<&[u8]>) -> Option<DynamicImage> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut jd = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    jd.read_info().ok()?;
    if jd.info()?.pixel_format != jpeg_decoder::PixelFormat::CMYK32 {
        return None;
    }
    jd.set_max_decoding_buffer_size(1 << 30);
    if let Some((w, h)) = scale {
        jd.scale(w, h).ok()?;
    }
    let mut px = jd.decode().ok()?;
    let info = jd.info()?;
    // The decoder inverts what it reads, as for Adobe's inverted storage; a CMYK JPEG
    // without Adobe's marker stores ink as it is, so it is inverted back.
    if !crate::colour::jpeg_is_adobe(bytes) {
        px.iter_mut().for_each(|v| *v = 255 - *v);
    }
    crate::colour::cmyk_to_rgb(&px, info.width as u32, info.height as u32, icc).map(DynamicImage::ImageRgb8)
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
    let want_w = (frame_w / 72.0 * profile.ppi).ceil().max(1.0) as u32;
    let img = match decode_jpeg_scaled(bytes, frame_w, frame_h, want_w) {
        Some(img) => img,
        None => decode(bytes)?,
    };
    let img = crop_to(&img, frame_w, frame_h, focus);
    let (cw, _ch) = img.dimensions();
    let img = if cw > want_w {
        // (Rounded up, like the width: never below the edition's resolution either way.)
        let want_h = ((want_w as f32) * frame_h / frame_w).ceil().max(1.0) as u32;
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

/// Decode a JPEG at a reduced DCT scale (1/2, 1/4, 1/8) when the frame needs fewer
/// pixels than the photo has: much faster for camera-size photos. `None`: use the full decoder.
fn decode_jpeg_scaled(bytes: &[u8], frame_w: f32, frame_h: f32, want_w: u32) -> Option<DynamicImage> {
    if bytes.len() < 3 || bytes[..3] != [0xFF, 0xD8, 0xFF] {
        return None;
    }
    // Orientation (and size limits) from the header, through the regular decoder.
    let r = reader(bytes).ok()?;
    let mut dec = r.into_decoder().ok()?;
    let (w, h) = dec.dimensions();
    check_size(w, h).ok()?;
    let orientation = dec.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let icc = dec.icc_profile().ok().flatten();
    drop(dec);
    let swap = turns_sideways(orientation);
    let (ow, oh) = if swap { (h, w) } else { (w, h) };
    // Width of the crop in oriented pixels, and the scale it needs.
    let target = frame_w / frame_h;
    let crop_w = if (ow as f32 / oh as f32) > target { oh as f32 * target } else { ow as f32 };
    let s = (want_w as f32 / crop_w).min(1.0);
    if s > 0.5 {
        return None;
    }
    let (rw, rh) = ((w as f32 * s).ceil().max(1.0).min(65535.0) as u16, (h as f32 * s).ceil().max(1.0).min(65535.0) as u16);
    if let Some(mut img) = decode_cmyk_jpeg(bytes, Some((rw, rh)), icc.as_deref()) {
        img.apply_orientation(orientation);
        return Some(img);
    }
    let mut jd = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    jd.set_max_decoding_buffer_size(1 << 30);
    jd.scale(rw, rh).ok()?;
    let pixels = jd.decode().ok()?;
    let info = jd.info()?;
    let (iw, ih) = (info.width as u32, info.height as u32);
    let mut img = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => crate::colour::to_srgb(DynamicImage::ImageRgb8(image::RgbImage::from_raw(iw, ih, pixels)?), icc.as_deref()),
        jpeg_decoder::PixelFormat::L8 => DynamicImage::ImageLuma8(image::GrayImage::from_raw(iw, ih, pixels)?),
        _ => return None,
    };
    img.apply_orientation(orientation);
    Some(img)
}

/// A photo file as a build uses it: its probe, the digest of its bytes (with a cache), and
/// its bytes when they had to be read (a warm cache that knows the file unchanged skips that).
#[derive(Debug, Clone)]
pub struct Photo {
    pub probe: Probe,
    pub digest: Option<String>,
    pub bytes: Option<Vec<u8>>,
}

/// Read and probe a photo (no cache).
pub fn load(path: &Path) -> Result<Photo, String> {
    let bytes = read(path)?;
    Ok(Photo { probe: probe(&bytes)?, digest: None, bytes: Some(bytes) })
}

/// SHA-256 of `parts`, in hex.
fn sha256_hex(parts: &[&[u8]]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A content-addressed cache of prepared images (key: the digest of the photo's bytes, the
/// frame, the profile), and an index of the photos it has seen: for each file, its size,
/// modification time and inode with its probe and digest, so a warm build that finds a
/// photo unchanged neither reads nor hashes it.
pub struct Cache {
    dir: std::path::PathBuf,
}

/// What identifies an unchanged file without reading it: size, modification time (ns), inode.
fn stamp(path: &Path) -> Option<String> {
    let m = std::fs::metadata(path).ok()?;
    let t = m.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let ino = 0u64;
    Some(format!("{} {} {}", m.len(), t.as_nanos(), ino))
}

const INDEX_MAGIC: &str = "folio-photo-v1";

impl Cache {
    pub fn new(dir: &Path) -> Cache {
        Cache { dir: dir.to_path_buf() }
    }

    fn key(digest: &str, frame_w: f32, frame_h: f32, focus: [f32; 2], profile: ImageProfile, keep_alpha: bool) -> String {
        let params = format!("{:.2}x{:.2} {:.4},{:.4} {} {} {}", frame_w, frame_h, focus[0], focus[1], profile.ppi, profile.quality, keep_alpha);
        sha256_hex(&[b"folio-image-v3", digest.as_bytes(), params.as_bytes()])
    }

    fn index_path(&self, path: &Path) -> std::path::PathBuf {
        let abs = crate::files::absolute(path);
        self.dir.join(format!("{}.photo", &sha256_hex(&[abs.to_string_lossy().as_bytes()])[..32]))
    }

    /// Probe a photo through the index: unchanged since the index saw it, its probe and
    /// digest from there; else read, probed and hashed (and the index updated).
    pub fn photo(&self, path: &Path) -> Result<Photo, String> {
        crate::files::check_regular(path, crate::files::MAX_IMAGE)?;
        let index = self.index_path(path);
        let now = stamp(path);
        if let (Some(now), Ok(text)) = (&now, std::fs::read_to_string(&index)) {
            if let Some(p) = parse_index(&text, now) {
                return Ok(p);
            }
        }
        let bytes = read(path)?;
        let probe = probe(&bytes)?;
        let digest = sha256_hex(&[&bytes]);
        // (Stamped as it was before the read: a file changed meanwhile is read again next time.)
        if let Some(now) = now {
            let text = format!("{INDEX_MAGIC}\n{now}\n{} {} {}\n{digest}\n", probe.width, probe.height, probe.has_alpha as u8);
            let _ = crate::build::write_atomic(&index, text.as_bytes());
        }
        Ok(Photo { probe, digest: Some(digest), bytes: Some(bytes) })
    }

    /// Prepare through the cache; a damaged cache entry is ignored and rewritten. The photo's
    /// bytes are read (once) only when the prepared image is not there.
    #[allow(clippy::too_many_arguments)]
    pub fn prepare(&self, path: &Path, photo: &Photo, frame_w: f32, frame_h: f32, focus: [f32; 2], profile: ImageProfile, keep_alpha: bool) -> Result<(ImageData, f32), String> {
        let read_now;
        let (bytes, digest) = match (&photo.bytes, &photo.digest) {
            (Some(b), Some(d)) => (Some(b.as_slice()), d.clone()),
            (Some(b), None) => (Some(b.as_slice()), sha256_hex(&[b])),
            (None, Some(d)) => (None, d.clone()),
            (None, None) => return Err("internal error: a photo with neither bytes nor digest".into()),
        };
        let entry_of = |d: &str| self.dir.join(format!("{}.img", Self::key(d, frame_w, frame_h, focus, profile, keep_alpha)));
        let entry = entry_of(&digest);
        if let Ok(data) = crate::files::read_regular(&entry, crate::files::MAX_IMAGE) {
            if let Some(hit) = decode_entry(&data) {
                return Ok(hit);
            }
        }
        let (bytes, entry) = match bytes {
            Some(b) => (b, entry),
            None => {
                // The file was unchanged when probed; read it now, and key the entry on
                // what was read.
                read_now = read(path)?;
                probe(&read_now)?;
                let d = sha256_hex(&[&read_now]);
                let entry = if d == digest { entry } else { entry_of(&d) };
                (read_now.as_slice(), entry)
            }
        };
        let (img, ppi) = prepare(bytes, frame_w, frame_h, focus, profile, keep_alpha)?;
        // A cache that cannot be written is no error: the build goes on without it.
        let _ = crate::build::write_atomic(&entry, &encode_entry(&img, ppi));
        Ok((img, ppi))
    }
}

/// An index entry's probe and digest, if it is for a file stamped `now`.
fn parse_index(text: &str, now: &str) -> Option<Photo> {
    let mut lines = text.lines();
    if lines.next()? != INDEX_MAGIC || lines.next()? != now {
        return None;
    }
    let mut dims = lines.next()?.split(' ');
    let width: u32 = dims.next()?.parse().ok()?;
    let height: u32 = dims.next()?.parse().ok()?;
    let has_alpha = dims.next()? == "1";
    let digest = lines.next()?;
    if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) || check_size(width, height).is_err() {
        return None;
    }
    Some(Photo { probe: Probe { width, height, has_alpha }, digest: Some(digest.to_string()), bytes: None })
}

fn encode_entry(img: &ImageData, ppi: f32) -> Vec<u8> {
    let mut v = b"FOLIOIMG1".to_vec();
    let (kind, grey) = match img.encoding {
        ImageEncoding::Jpeg { grey } => (0u8, grey),
        ImageEncoding::Flate { grey } => (1u8, grey),
    };
    v.push(kind);
    v.push(grey as u8);
    v.extend_from_slice(&img.width.to_le_bytes());
    v.extend_from_slice(&img.height.to_le_bytes());
    v.extend_from_slice(&ppi.to_le_bytes());
    v.extend_from_slice(&(img.data.len() as u64).to_le_bytes());
    v.extend_from_slice(&img.data);
    let alpha = img.alpha.clone().unwrap_or_default();
    v.push(img.alpha.is_some() as u8);
    v.extend_from_slice(&(alpha.len() as u64).to_le_bytes());
    v.extend_from_slice(&alpha);
    v
}

fn decode_entry(d: &[u8]) -> Option<(ImageData, f32)> {
    let rest = d.strip_prefix(b"FOLIOIMG1")?;
    let kind = *rest.first()?;
    let grey = *rest.get(1)? != 0;
    let num = |r: &[u8], at: usize, n: usize| -> Option<Vec<u8>> { r.get(at..at + n).map(|x| x.to_vec()) };
    let w = u32::from_le_bytes(num(rest, 2, 4)?.try_into().ok()?);
    let h = u32::from_le_bytes(num(rest, 6, 4)?.try_into().ok()?);
    let ppi = f32::from_le_bytes(num(rest, 10, 4)?.try_into().ok()?);
    let len = u64::from_le_bytes(num(rest, 14, 8)?.try_into().ok()?) as usize;
    let data = rest.get(22..22usize.checked_add(len)?)?.to_vec();
    let at = 22 + len;
    let has_alpha = *rest.get(at)? != 0;
    let alen = u64::from_le_bytes(num(rest, at + 1, 8)?.try_into().ok()?) as usize;
    let alpha = rest.get(at + 9..(at + 9).checked_add(alen)?)?.to_vec();
    if rest.len() != at + 9 + alen || w == 0 || h == 0 {
        return None;
    }
    let encoding = if kind == 0 { ImageEncoding::Jpeg { grey } } else { ImageEncoding::Flate { grey } };
    Some((ImageData { width: w, height: h, encoding, data, alpha: has_alpha.then_some(alpha) }, ppi))
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = e.write_all(bytes);
    e.finish().unwrap_or_default()
}

/// Read a file, with a message naming it.
pub fn read(path: &Path) -> Result<Vec<u8>, String> {
    crate::files::read_regular(path, crate::files::MAX_IMAGE)
}

#[cfg(test)]
mod png_metadata {
    use super::*;

    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0, 0, 0, 0]); // (the CRC is not checked here)
        c
    }

    #[test]
    fn inflating_chunks_are_dropped_and_the_rest_kept() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"iCCP", b"profile\0\0xxxxxxxx"));
        png.extend(chunk(b"zTXt", b"k\0\0yyyy"));
        png.extend(chunk(b"IDAT", b"data"));
        png.extend(chunk(b"IEND", b""));
        let out = without_png_metadata(&png);
        let has = |k: &[u8]| out.windows(4).any(|w| w == k);
        assert!(!has(b"iCCP") && !has(b"zTXt"));
        assert!(has(b"IHDR") && has(b"IDAT") && has(b"IEND"));
        assert_eq!(out.len(), png.len() - chunk(b"iCCP", b"profile\0\0xxxxxxxx").len() - chunk(b"zTXt", b"k\0\0yyyy").len());
        let plain = b"\xFF\xD8 a jpeg";
        assert!(matches!(without_png_metadata(plain), Cow::Borrowed(_)));
    }
}
