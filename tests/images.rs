//! The image pipeline on real output: orientation, colour, resolution per edition, size, cache.

use folio::build::{build, Options, Profile};
use folio::layout::display::{ImageEncoding, Item};
use std::path::{Path, PathBuf};

mod common;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn scratch(name: &str) -> PathBuf {
    common::scratch("images", name)
}

fn fixture(p: &str) -> String {
    Path::new(ROOT).join("tests/fixtures").join(p).display().to_string()
}

/// A 3000×2000 camera-size JPEG with detail (noise-like gradients), written to `path`.
fn camera_photo(path: &Path, seed: u32) {
    let img = image::RgbImage::from_fn(3000, 2000, |x, y| {
        let v = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729) ^ seed.wrapping_mul(2_654_435_761)) % 97;
        image::Rgb([(x / 12 + v) as u8, (y / 8 + v) as u8, ((x + y) / 20) as u8])
    });
    let mut out = std::fs::File::create(path).unwrap();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).unwrap();
}

fn issue_with_images(dir: &Path, images: &[String]) -> PathBuf {
    let body: Vec<serde_json::Value> = std::iter::once(serde_json::json!("A paragraph of text before the photos, long enough to be a real paragraph in a column."))
        .chain(images.iter().map(|p| serde_json::json!({ "image": p, "alt": "A test photo", "caption": "A caption" })))
        .collect();
    let issue = serde_json::json!({ "title": "Images", "edition": "Test", "sections": [ { "heading": "Photos", "body": body } ] });
    let path = dir.join("issue.json");
    std::fs::write(&path, serde_json::to_string_pretty(&issue).unwrap()).unwrap();
    path
}

/// (pixels wide, placed width in points) of every image on every page.
fn placements(b: &folio::build::Built) -> Vec<(u32, f32)> {
    let mut v = Vec::new();
    for p in &b.laid.document.pages {
        for it in &p.items {
            if let Item::Image { image, rect, .. } = it {
                v.push((b.laid.document.images[*image].width, rect.w));
            }
        }
    }
    v
}

#[test]
fn exif_orientation_is_honoured_and_grey_stays_grey() {
    let d = scratch("orient");
    let issue = issue_with_images(&d, &[fixture("rotated.jpg"), fixture("grey.jpg")]);
    let b = build(&issue, &opts()).unwrap();
    let imgs = &b.laid.document.images;
    assert_eq!(imgs.len(), 2);
    // rotated.jpg is stored 300×400 with EXIF orientation 6; upright it is landscape, red band on top.
    let up = &imgs[0];
    assert!(up.width > up.height, "rotated photo came out {}×{}", up.width, up.height);
    let decoded = image::load_from_memory(&up.data).unwrap().to_rgb8();
    let top = decoded.get_pixel(decoded.width() / 2, 2);
    let bottom = decoded.get_pixel(decoded.width() / 2, decoded.height() - 3);
    assert!(top[0] > 150 && top[2] < 100, "top of the upright photo should be red, is {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "bottom should be blue, is {bottom:?}");
    assert!(matches!(imgs[1].encoding, ImageEncoding::Jpeg { grey: true }), "greyscale photo was not kept greyscale");
}

#[test]
fn transparent_logo_keeps_its_alpha() {
    let d = scratch("alpha");
    let brand = serde_json::json!({ "logo": fixture("logo-alpha.png"), "logo_alt": "Test logo" });
    std::fs::write(d.join("brand.json"), brand.to_string()).unwrap();
    let issue = serde_json::json!({ "title": "Logo", "edition": "Test", "brand": "brand.json", "sections": [ { "heading": "H", "body": ["Text."] } ] });
    std::fs::write(d.join("issue.json"), issue.to_string()).unwrap();
    let b = build(&d.join("issue.json"), &opts()).unwrap();
    assert!(b.laid.document.images.iter().any(|i| i.alpha.is_some()), "the logo lost its transparency");
    let pdf = lopdf::Document::load_mem(&b.pdf).unwrap();
    let smasks = pdf.objects.values().filter(|o| matches!(o, lopdf::Object::Stream(s) if s.dict.has(b"SMask"))).count();
    assert_eq!(smasks, 1, "the logo image should carry one /SMask");
}

#[test]
fn camera_photos_are_resampled_per_edition() {
    let d = scratch("camera");
    let mut paths = Vec::new();
    for i in 0..3 {
        let p = d.join(format!("photo{i}.jpg"));
        camera_photo(&p, i);
        paths.push(p.display().to_string());
    }
    let issue = issue_with_images(&d, &paths);
    let screen = build(&issue, &opts()).unwrap();
    for (px, w) in placements(&screen) {
        let ppi = px as f32 / (w / 72.0);
        assert!(ppi <= 155.0, "screen edition image at {ppi:.0} ppi");
        assert!(ppi >= 140.0, "screen edition image at only {ppi:.0} ppi from a 3000 px photo");
    }
    assert!(screen.pdf.len() < 300 * 1024, "three camera photos: {} KB, over 300 KB", screen.pdf.len() / 1024);
    let print = build(&issue, &Options { profile: Profile::Print, ..opts() }).unwrap();
    for (px, w) in placements(&print) {
        let ppi = px as f32 / (w / 72.0);
        assert!((299.0..=310.0).contains(&ppi), "print edition image at {ppi:.0} ppi");
    }
}

#[test]
fn the_cache_gives_the_same_pdf_and_is_used() {
    let d = scratch("cache");
    let p = d.join("photo.jpg");
    camera_photo(&p, 7);
    let issue = issue_with_images(&d, &[p.display().to_string()]);
    let cache = d.join("cache");
    let cached_opts = Options { cache: Some(cache.clone()), ..opts() };
    let cold = build(&issue, &cached_opts).unwrap();
    let count = |ext: &str| std::fs::read_dir(&cache).unwrap().filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == ext)).count();
    assert_eq!(count("img"), 1, "one prepared image should be cached");
    assert_eq!(count("photo"), 1, "the photo should be in the cache's index");
    let warm = build(&issue, &cached_opts).unwrap();
    assert!(cold.pdf == warm.pdf, "a warm build must give the same bytes");
    let uncached = build(&issue, &opts()).unwrap();
    assert!(cold.pdf == uncached.pdf, "the cache must not change the output");
    // A damaged cache entry is ignored, not trusted.
    for e in std::fs::read_dir(&cache).unwrap() {
        std::fs::write(e.unwrap().path(), b"garbage").unwrap();
    }
    let again = build(&issue, &cached_opts).unwrap();
    assert!(again.pdf == cold.pdf);
}

#[test]
fn a_warm_build_trusts_an_unchanged_photo_and_reads_a_changed_one_again() {
    let d = scratch("index");
    let p = d.join("photo.jpg");
    camera_photo(&p, 11);
    let issue = issue_with_images(&d, &[p.display().to_string()]);
    let cached_opts = Options { cache: Some(d.join("cache")), ..opts() };
    let cold = build(&issue, &cached_opts).unwrap();
    // The same bytes overwritten in place with zeros, size, inode and modification time kept:
    // the index knows the file, so the warm build neither reads nor hashes it.
    let len = std::fs::metadata(&p).unwrap().len();
    let mtime = std::fs::metadata(&p).unwrap().modified().unwrap();
    {
        let f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
        std::io::Write::write_all(&mut &f, &vec![0u8; len as usize]).unwrap();
        f.set_modified(mtime).unwrap();
    }
    let warm = build(&issue, &cached_opts).expect("an unchanged stamp: the photo is not read");
    assert!(warm.pdf == cold.pdf, "a warm build must give the same bytes");
    // Touched: read again, and now refused as what it is.
    let f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
    f.set_modified(mtime + std::time::Duration::from_secs(5)).unwrap();
    drop(f);
    assert!(build(&issue, &cached_opts).is_err(), "a changed file must be read again");
    // A new photo in its place is probed and prepared anew.
    camera_photo(&p, 12);
    let f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
    f.set_modified(mtime + std::time::Duration::from_secs(10)).unwrap();
    drop(f);
    let other = build(&issue, &cached_opts).unwrap();
    assert!(other.pdf != cold.pdf, "another photo must give another PDF");
    assert!(other.pdf == build(&issue, &opts()).unwrap().pdf, "and the one an uncached build gives");
}

/// Options for fixtures in temporary folders that use the repository's assets (outside
/// their folder): the whole file system as the project root.
fn opts() -> Options {
    Options { root: Some("/".into()), ..Options::default() }
}

/// The mean colour of a prepared (JPEG) image.
fn mean_rgb(img: &folio::layout::display::ImageData) -> [f32; 3] {
    let d = image::load_from_memory(&img.data).unwrap().to_rgb8();
    let n = (d.width() * d.height()) as f32;
    let mut m = [0.0f32; 3];
    for p in d.pixels() {
        for c in 0..3 {
            m[c] += p[c] as f32 / n;
        }
    }
    m
}

#[test]
fn an_embedded_colour_profile_is_honoured() {
    // The same pixels, once tagged Adobe RGB: in sRGB its muted red is more saturated.
    let d = scratch("icc");
    let px = image::RgbImage::from_pixel(120, 80, image::Rgb([180, 60, 60]));
    let plain = d.join("plain.jpg");
    image::DynamicImage::ImageRgb8(px.clone()).save(&plain).unwrap();
    let tagged = d.join("adobe.jpg");
    {
        use image::ImageEncoder;
        let mut out = std::fs::File::create(&tagged).unwrap();
        let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95);
        enc.set_icc_profile(moxcms::ColorProfile::new_adobe_rgb().encode().unwrap()).unwrap();
        enc.write_image(&px, 120, 80, image::ExtendedColorType::Rgb8).unwrap();
    }
    let issue = issue_with_images(&d, &[plain.display().to_string(), tagged.display().to_string()]);
    let b = build(&issue, &opts()).unwrap();
    let (a, t) = (mean_rgb(&b.laid.document.images[0]), mean_rgb(&b.laid.document.images[1]));
    assert!((a[0] - 180.0).abs() < 6.0 && (a[1] - 60.0).abs() < 6.0, "an untagged photo is taken as sRGB: {a:?}");
    assert!(t[0] > a[0] + 12.0 && t[1] < a[1], "the Adobe RGB photo was not converted: {t:?} against {a:?}");
}

#[test]
fn a_cmyk_jpeg_keeps_its_colour() {
    // 64×64 of pure cyan ink, as Photoshop stores it (Adobe marker, inverted CMYK).
    let d = scratch("cmyk");
    let issue = issue_with_images(&d, &[fixture("cmyk-cyan.jpg")]);
    let b = build(&issue, &opts()).unwrap();
    let m = mean_rgb(&b.laid.document.images[0]);
    assert!(m[0] < 60.0 && m[1] > 150.0 && m[2] > 150.0, "cyan ink came out {m:?}");
    // Without Adobe's marker the same bytes are ink as stored (no cyan, full magenta,
    // yellow and black): black, not cyan.
    let bytes = std::fs::read(Path::new(ROOT).join("tests/fixtures/cmyk-cyan.jpg")).unwrap();
    assert_eq!(&bytes[2..4], &[0xFF, 0xEE], "the fixture starts with its APP14 marker");
    let len = u16::from_be_bytes([bytes[4], bytes[5]]) as usize;
    let plain: Vec<u8> = bytes[..2].iter().chain(&bytes[4 + len..]).copied().collect();
    std::fs::write(d.join("plain-cmyk.jpg"), plain).unwrap();
    let issue = issue_with_images(&d, &[d.join("plain-cmyk.jpg").display().to_string()]);
    let b = build(&issue, &opts()).unwrap();
    let m = mean_rgb(&b.laid.document.images[0]);
    assert!(m.iter().all(|&c| c < 40.0), "CMYK stored without inversion came out {m:?}");
}
