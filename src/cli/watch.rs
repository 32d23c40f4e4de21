//! `folio watch`: rebuild on file-system events (not polling) whenever a file the issue
//! uses changes (the issue, its brand, photos, logos, fonts), wherever those files are.

use super::diag::Reporter;
use folio::build::{self, Options};
use notify::{RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Events closer together than this are one change (an editor's save is often a write, a
/// rename and a metadata change; a photo copied in arrives in several writes).
const DEBOUNCE: Duration = Duration::from_millis(150);

/// A path as events name it: absolute, `..` and symlinks resolved (the file's folder, when
/// the file itself does not exist yet).
fn absolute(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    match (std::fs::canonicalize(dir), p.file_name()) {
        (Ok(d), Some(name)) => d.join(name),
        _ => std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()),
    }
}

/// What a build reads, as far as it is known: the issue, its brand and the photos it names
/// (even one that is missing), and every file the last good build read (logos, fonts).
fn inputs_of(issue: &Path, last_good: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut files: BTreeSet<PathBuf> = last_good.iter().map(|p| absolute(p)).collect();
    files.insert(absolute(issue));
    files.extend(build::named_photos(issue).into_iter().map(|(_, _, f)| absolute(&f)));
    if let Ok(doc) = folio::model::load(issue) {
        if let Some(b) = &doc.brand {
            files.insert(absolute(b));
        }
    }
    files
}

/// Build once and write the PDF; the inputs read on success.
fn build_once(issue: &Path, out: &Path, root: &Option<PathBuf>, rep: &Reporter, why: &str) -> Option<Vec<PathBuf>> {
    let t = Instant::now();
    match build::build(issue, &Options { root: root.clone(), ..Options::default() }) {
        Ok(b) => {
            rep.warnings(&b.warnings);
            if let Err(m) = build::check_output(out, &b.inputs) {
                rep.plain("error", &format!("[{}] {m}", super::clock()));
                return None;
            }
            match build::write_atomic(out, &b.pdf) {
                Ok(()) => {
                    if rep.json {
                        rep.wrote(out, b.laid.document.pages.len(), b.pdf.len(), t.elapsed().as_millis());
                    } else if !rep.quiet {
                        eprintln!("[{}] {why}: wrote {} ({}, {} KB, {} ms)", super::clock(), out.display(), super::pages(b.laid.document.pages.len()), b.pdf.len().div_ceil(1024), t.elapsed().as_millis());
                    }
                }
                Err(e) => rep.plain("error", &format!("[{}] {}: {e} (the last good PDF is kept)", super::clock(), out.display())),
            }
            Some(b.inputs)
        }
        Err(e) => {
            rep.plain("error", &format!("[{}] {why}: the build failed; the last good PDF is kept", super::clock()));
            rep.error(&e);
            None
        }
    }
}

/// Watch the folders holding `files` (a folder, not the file: editors save by renaming a
/// new file over the old one).
fn watch_folders(w: &mut notify::RecommendedWatcher, watched: &mut BTreeSet<PathBuf>, files: &BTreeSet<PathBuf>) {
    let want: BTreeSet<PathBuf> = files.iter().filter_map(|f| f.parent().map(Path::to_path_buf)).collect();
    for d in watched.difference(&want).cloned().collect::<Vec<_>>() {
        let _ = w.unwatch(&d);
        watched.remove(&d);
    }
    for d in want {
        if !watched.contains(&d) && w.watch(&d, RecursiveMode::NonRecursive).is_ok() {
            watched.insert(d);
        }
    }
}

/// A changed path's name for the "what changed" line: relative to the working folder when
/// it is inside it.
fn shown(p: &Path) -> String {
    let cwd = std::env::current_dir().ok().map(|d| absolute(&d));
    cwd.and_then(|d| p.strip_prefix(d).ok().map(|r| r.display().to_string())).unwrap_or_else(|| p.display().to_string())
}

pub fn watch(issue: &Path, out: &Path, root: &Option<PathBuf>, rep: &Reporter) -> std::process::ExitCode {
    let (tx, rx) = mpsc::channel();
    let mut watcher = match notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
        let _ = tx.send(e);
    }) {
        Ok(w) => w,
        Err(e) => {
            rep.plain("error", &format!("cannot watch for file changes: {e}"));
            return std::process::ExitCode::from(1);
        }
    };
    let mut last_inputs = build_once(issue, out, root, rep, "first build").unwrap_or_default();
    let mut watched = BTreeSet::new();
    loop {
        let files = inputs_of(issue, &last_inputs);
        watch_folders(&mut watcher, &mut watched, &files);
        // Wait for a relevant change, then let the burst settle.
        let mut changed: BTreeSet<PathBuf> = BTreeSet::new();
        while changed.is_empty() {
            let Ok(ev) = rx.recv() else { return std::process::ExitCode::SUCCESS };
            collect_change(ev, &files, &mut changed);
        }
        let until = Instant::now() + DEBOUNCE;
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(ev) => collect_change(ev, &files, &mut changed),
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return std::process::ExitCode::SUCCESS,
            }
        }
        let names: Vec<String> = changed.iter().map(|p| shown(p)).collect();
        let why = format!("{} changed", names.join(", "));
        if let Some(i) = build_once(issue, out, root, rep, &why) {
            last_inputs = i;
        }
    }
}

/// Add the paths of `ev` that are inputs.
fn collect_change(ev: notify::Result<notify::Event>, files: &BTreeSet<PathBuf>, changed: &mut BTreeSet<PathBuf>) {
    let Ok(ev) = ev else { return };
    if ev.kind.is_access() {
        return;
    }
    changed.extend(ev.paths.into_iter().filter(|p| files.contains(p)));
}
