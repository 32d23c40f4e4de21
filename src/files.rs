//! Reading the files an issue names, safely: only regular files, of bounded size, inside the
//! project root (like Typst's `--root`), with messages that never tell whether a file
//! outside the root exists.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The largest issue or brand file read (bytes).
pub const MAX_JSON: u64 = 20 * 1024 * 1024;
/// The largest photo or logo read.
pub const MAX_IMAGE: u64 = 200 * 1024 * 1024;
/// The largest font file read.
pub const MAX_FONT: u64 = 50 * 1024 * 1024;

/// A file that marks the top folder of a project (the default root).
pub const ROOT_MARKERS: [&str; 2] = ["folio.toml", ".git"];

/// The default project root for an issue: the nearest folder at or above the issue's own
/// that holds a `folio.toml` or `.git`; else the folder above the issue's (so photos and
/// brands in sibling folders, `issues/` beside `photos/`, just work), or the issue's own
/// folder when that would be the file system's root.
pub fn default_root(issue: &Path) -> PathBuf {
    let dir = absolute(issue.parent().unwrap_or(Path::new(".")));
    for d in dir.ancestors() {
        if ROOT_MARKERS.iter().any(|m| d.join(m).exists()) {
            return d.to_path_buf();
        }
    }
    match dir.parent() {
        Some(p) if p.parent().is_some() => p.to_path_buf(),
        _ => dir,
    }
}

/// `p` made absolute against the current folder, with `.` and `..` resolved lexically.
pub fn absolute(p: &Path) -> PathBuf {
    let base = if p.is_absolute() { PathBuf::new() } else { std::env::current_dir().unwrap_or_default() };
    let mut out = PathBuf::new();
    for c in base.join(p).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Check that `path` lies inside `root`, before and after following links. The message for
/// a path outside names it and the option, and is the same whether the file exists or not.
pub fn check_inside(path: &Path, root: &Path) -> Result<(), String> {
    let root_abs = std::fs::canonicalize(root).unwrap_or_else(|_| absolute(root));
    let outside = || format!("{} is outside the project folder {}: Folio reads only files inside it; move the file there, or give another folder with --root", path.display(), root_abs.display());
    let lexical = absolute(path);
    if !lexical.starts_with(&root_abs) && !lexical.starts_with(absolute(root)) {
        return Err(outside());
    }
    match std::fs::canonicalize(path) {
        Ok(real) if !real.starts_with(&root_abs) => Err(outside()),
        _ => Ok(()),
    }
}

/// Read a regular file of at most `max` bytes. Devices, FIFOs, sockets and folders are
/// refused by their metadata before anything is read, so nothing blocks or runs out of
/// memory.
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let len = check_regular(path, max)?;
    let f = std::fs::File::open(path).map_err(|e| format!("cannot read the file: {}", plain_io(&e)))?;
    // (Checked again on the open file: it may have been swapped since.)
    if !f.metadata().is_ok_and(|m| m.is_file()) {
        return Err("this is not a regular file: name a file".into());
    }
    let mut bytes = Vec::with_capacity(len as usize);
    f.take(max + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read the file: {}", plain_io(&e)))?;
    if bytes.len() as u64 > max {
        return Err(format!("the file is more than the {} MB Folio reads: use a smaller file", max / (1024 * 1024)));
    }
    Ok(bytes)
}

/// Check, by its metadata alone, that `path` is a regular file of at most `max` bytes;
/// returns its length.
pub fn check_regular(path: &Path, max: u64) -> Result<u64, String> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "file not found: check the path".to_string(),
        _ => format!("cannot read the file: {}", plain_io(&e)),
    })?;
    if meta.is_dir() {
        return Err("this is a folder, not a file: name the file in it".into());
    }
    if !meta.is_file() {
        return Err("this is not a regular file (a device, pipe or socket): name a file".into());
    }
    if meta.len() > max {
        return Err(format!("the file is {} MB, more than the {} MB Folio reads: use a smaller file", meta.len().div_ceil(1024 * 1024), max / (1024 * 1024)));
    }
    Ok(meta.len())
}

/// Read a text file (an issue or brand): regular, at most [`MAX_JSON`], UTF-8, a leading
/// byte-order mark skipped.
pub fn read_text(path: &Path) -> Result<String, String> {
    let bytes = read_regular(path, MAX_JSON)?;
    let text = String::from_utf8(bytes).map_err(|e| format!("the file is not UTF-8 text (byte {} is not): save it as UTF-8", e.utf8_error().valid_up_to()))?;
    Ok(match text.strip_prefix('\u{FEFF}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// An I/O error in plain words (no "os error 13").
fn plain_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "not found".into(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_folders_are_refused_without_reading() {
        assert!(read_regular(Path::new("/dev/zero"), MAX_IMAGE).unwrap_err().contains("not a regular file"));
        assert!(read_regular(Path::new("/tmp"), MAX_IMAGE).unwrap_err().contains("folder"));
    }

    #[test]
    fn outside_the_root_reads_the_same_whether_or_not_the_file_exists() {
        let root = std::env::temp_dir().join(format!("folio-root-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        let a = check_inside(Path::new("/etc/passwd"), &root).unwrap_err();
        let b = check_inside(Path::new("/etc/no-such-file-here"), &root).unwrap_err();
        assert_eq!(a.replace("/etc/passwd", "X"), b.replace("/etc/no-such-file-here", "X"));
        assert!(check_inside(&root.join("../../etc/passwd"), &root).is_err());
        assert!(check_inside(&root.join("photo.jpg"), &root).is_ok());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let p = std::env::temp_dir().join(format!("folio-bom-{}.json", std::process::id()));
        std::fs::write(&p, "\u{FEFF}{}").unwrap();
        assert_eq!(read_text(&p).unwrap(), "{}");
        std::fs::remove_file(&p).unwrap();
    }
}
