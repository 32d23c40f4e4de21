//! How the command line reports: errors, warnings and results, as text for people (source
//! lines underlined, colour on a terminal) or as JSON Lines for tools, and `--quiet`.

use folio::build::BuildError;
use folio::error::{tame, Warnings};
use serde_json::json;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// At most this many messages in one run show their source line (the rest: one line each).
const SNIPPETS_MAX: usize = 20;

/// Where and how messages go.
#[derive(Clone, Copy, Default)]
pub struct Reporter {
    /// JSON Lines on standard output instead of text on standard error.
    pub json: bool,
    /// Errors only: no warnings, no "wrote" lines, no report.
    pub quiet: bool,
}

impl Reporter {
    /// One record on standard output (JSON mode).
    fn record(&self, v: serde_json::Value) {
        println!("{v}");
    }

    /// A diagnostic with no place in a file (an option, a size limit).
    pub fn plain(&self, severity: &str, message: &str) {
        if severity != "error" && self.quiet {
            return;
        }
        if self.json {
            self.record(json!({ "type": "diagnostic", "severity": severity, "message": message }));
        } else {
            eprintln!("{severity}: {message}");
        }
    }

    /// A build's warnings, each with its place and source line.
    pub fn warnings(&self, w: &Warnings) {
        if self.quiet {
            return;
        }
        let mut sources = Sources::default();
        for (i, x) in w.0.iter().enumerate() {
            let (position, snippet) = sources.place(&x.file, None, &x.path, !self.json && i < SNIPPETS_MAX);
            if self.json {
                self.diagnostic("warning", &x.file, position, &x.path, &x.message);
                continue;
            }
            match position {
                Some((l, c)) => eprintln!("warning: {}:{l}:{c}: {}: {}", tame(&x.file.display().to_string()), tame(&x.path), tame(&x.message)),
                None => eprintln!("warning: {x}"),
            }
            if let Some(s) = snippet {
                eprintln!("{s}");
            }
        }
    }

    /// Why a build failed: every input error with its place and source line.
    pub fn error(&self, e: &BuildError) {
        match e {
            BuildError::Input(errs) => {
                let mut sources = Sources::default();
                for (i, x) in errs.0.iter().enumerate() {
                    let (position, snippet) = sources.place(&x.file, x.position, &x.path, !self.json && i < SNIPPETS_MAX);
                    let position = x.position.or(position);
                    if self.json {
                        self.diagnostic("error", &x.file, position, &x.path, &x.message);
                        continue;
                    }
                    let x = folio::error::InputError { position, ..x.clone() };
                    eprintln!("error: {x}");
                    if let Some(s) = snippet {
                        eprintln!("{s}");
                    }
                }
            }
            BuildError::Internal(_) => self.plain("error", &e.to_string()),
        }
    }

    fn diagnostic(&self, severity: &str, file: &Path, at: Option<(usize, usize)>, path: &str, message: &str) {
        let (line, column) = at.map_or((None, None), |(l, c)| (Some(l), Some(c)));
        self.record(json!({
            "type": "diagnostic", "severity": severity, "file": file.display().to_string(),
            "line": line, "column": column, "path": path, "message": message,
        }));
    }

    /// A PDF written.
    pub fn wrote(&self, out: &Path, pages: usize, bytes: usize, ms: u128) {
        if self.quiet {
            return;
        }
        if self.json {
            self.record(json!({ "type": "wrote", "file": out.display().to_string(), "pages": pages, "bytes": bytes, "ms": ms }));
        } else {
            eprintln!("wrote {} ({}, {} KB, {ms} ms)", out.display(), super::pages(pages), bytes.div_ceil(1024));
        }
    }

    /// `folio check`'s verdict on one issue, with its typography report and page rules.
    pub fn checked(&self, issue: &Path, pages: usize, report: &str, rules: &[folio::layout::invariants::Violation]) {
        if self.json {
            let broken: Vec<_> = rules.iter().map(|v| json!({ "page": v.page, "rule": v.rule.name(), "hard": v.rule.hard(), "detail": v.detail })).collect();
            self.record(json!({ "type": "checked", "file": issue.display().to_string(), "pages": pages, "booklet_blank_pages": folio::impose::booklet_blanks(pages), "rules_broken": broken }));
        } else if !self.quiet {
            println!("{}: ok, {}", issue.display(), super::pages(pages));
            print!("{report}");
            let blanks = folio::impose::booklet_blanks(pages);
            if pages > 1 && blanks > 2 {
                // A saddle-stitched booklet has a multiple of four pages.
                println!("  booklet              {pages} pages would need {blanks} blank pages as a booklet (--impose booklet): cut about a page (a photo, a section) to make {}, or add to make {}", pages - 1, pages + blanks);
            }
            print!("{}", folio::report::render_layout(rules));
        }
    }
}

/// The files messages point into, each read once per report.
#[derive(Default)]
struct Sources(std::collections::HashMap<PathBuf, Option<String>>);

impl Sources {
    /// Where in its file a message is (the parser's line and column, else its JSON path's
    /// value): the line and column, and (with `show`) the source line underlined.
    fn place(&mut self, file: &Path, position: Option<(usize, usize)>, path: &str, show: bool) -> (Option<(usize, usize)>, Option<String>) {
        let Some(text) = self.0.entry(file.to_path_buf()).or_insert_with(|| folio::files::read_text(file).ok()).as_deref() else { return (None, None) };
        // The parser's place (a syntax error, an unknown field's name), else the JSON path's value.
        let at_position = || {
            let (line, col) = position?;
            let at = folio::source::offset(text, line, col)?;
            Some(folio::source::token_at(text, at))
        };
        let span = at_position().or_else(|| (!path.is_empty()).then(|| folio::source::locate_nearest(text, path)).flatten());
        let Some(span) = span else { return (None, None) };
        let at = folio::source::line_col(text, span.start);
        if !show {
            return (Some(at), None);
        }
        let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let name = tame(&file.display().to_string());
        (Some(at), folio::source::snippet(&name, text, span, &tame(path), colour))
    }
}
