//! What `folio build` writes beside the PDF on request: `--png` pages and a contact sheet,
//! and `--impose` copies for printing.

use super::diag::Reporter;
use std::path::{Path, PathBuf};

/// `out/news.pdf` → `out/news-SUFFIX.EXT`.
fn beside(pdf: &Path, suffix: &str, ext: &str) -> PathBuf {
    let stem = pdf.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "issue".into());
    pdf.with_file_name(format!("{stem}-{suffix}.{ext}"))
}

/// Render `pdf` (written to `out`) and write its pages and contact sheet; false on an error
/// (reported).
pub fn write(out: &Path, pdf: &[u8], dpi: f32, rep: &Reporter) -> bool {
    let t = std::time::Instant::now();
    let pages = match folio::preview::render_pages(pdf, dpi) {
        Ok(p) => p,
        Err(m) => {
            rep.plain("error", &format!("{}: {m}", out.display()));
            return false;
        }
    };
    let mut files = Vec::new();
    let sheet = folio::preview::contact_sheet(&pages);
    let sheet_file = beside(out, "pages", "png");
    let jobs = pages.iter().enumerate().map(|(i, p)| (beside(out, &(i + 1).to_string(), "png"), p)).chain(std::iter::once((sheet_file.clone(), &sheet)));
    for (file, img) in jobs {
        let written = folio::preview::png(img).and_then(|bytes| folio::build::write_atomic(&file, &bytes).map_err(|e| e.to_string()));
        if let Err(m) = written {
            rep.plain("error", &format!("{}: cannot write the preview: {m}", file.display()));
            return false;
        }
        files.push(file);
    }
    if rep.json {
        let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        println!("{}", serde_json::json!({ "type": "preview", "files": names, "dpi": dpi, "ms": t.elapsed().as_millis() }));
    } else if !rep.quiet {
        let first = files.first().map(|f| f.display().to_string()).unwrap_or_default();
        eprintln!("wrote {} pages as PNG at {dpi} ppi ({first} …) and the contact sheet {} ({} ms)", pages.len(), sheet_file.display(), t.elapsed().as_millis());
    }
    true
}

/// Impose the PDF just written (`out`) and write the copy beside it
/// (`out/NAME-booklet.pdf`); false on an error (reported).
pub fn write_imposed(out: &Path, b: &folio::build::Built, how: folio::impose::Imposition, rep: &Reporter) -> bool {
    let file = beside(out, how.suffix(), "pdf");
    let title = format!("{} ({})", b.doc.title, how.suffix());
    let imposed = match folio::impose::impose(&b.pdf, how, &title) {
        Ok(i) => i,
        Err(m) => {
            rep.plain("error", &format!("{}: {m}", file.display()));
            return false;
        }
    };
    if let Err(m) = folio::build::check_output(&file, &b.inputs) {
        rep.plain("error", &m);
        return false;
    }
    if let Err(e) = folio::build::write_atomic(&file, &imposed.pdf) {
        rep.plain("error", &format!("{}: cannot write the imposed PDF: {e}", file.display()));
        return false;
    }
    if rep.json {
        println!("{}", serde_json::json!({ "type": "wrote", "file": file.display().to_string(), "sheets": imposed.sheets, "blank_pages": imposed.blanks, "bytes": imposed.pdf.len() }));
    } else if !rep.quiet {
        let blanks = match imposed.blanks {
            0 => String::new(),
            1 => ", 1 blank page added at the end".to_string(),
            n => format!(", {n} blank pages added at the end"),
        };
        let sides = if how == folio::impose::Imposition::Booklet { ", both sides: flip on the short edge" } else { ", one side: cut on the dashed line" };
        eprintln!("wrote {} ({} sheet{}{sides}{blanks}, {} KB)", file.display(), imposed.sheets, if imposed.sheets == 1 { "" } else { "s" }, imposed.pdf.len().div_ceil(1024));
    }
    true
}
