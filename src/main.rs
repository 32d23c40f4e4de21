//! The `folio` command line: a thin layer over the library.

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use folio::build::{self, BuildError, Options, Profile};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "folio", version, about = "Compose a branded, accessible PDF newsletter from a JSON issue file")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ProfileArg {
    Screen,
    Print,
    Both,
}

#[derive(Subcommand)]
enum Command {
    /// Build issues into PDFs (no issue: every issues/*.json into out/).
    Build {
        /// Issue files.
        issues: Vec<PathBuf>,
        /// Output file (one issue) or folder (several).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// screen (default, small for e-mail), print (300 ppi, bleed) or both.
        #[arg(long, value_enum, default_value = "screen")]
        profile: ProfileArg,
        /// Brand file to use instead of the issue's.
        #[arg(long)]
        brand: Option<PathBuf>,
        /// Crop marks (print edition).
        #[arg(long)]
        marks: bool,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
        /// Do not use or fill the prepared-image cache (out/.cache, or ~/.cache/folio with -o).
        #[arg(long)]
        no_cache: bool,
        /// Fail when a PDF would be larger than this (e.g. 2MB, 500KB), with a breakdown.
        #[arg(long, value_parser = parse_size)]
        max_size: Option<u64>,
        /// Project folder: files the issue and brand name must be inside it (default: the
        /// nearest folder above the issue with a folio.toml or .git, else the issue folder's parent).
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Validate and lay out; write nothing; print warnings and a typography report.
    Check {
        /// Issue files to check.
        #[arg(required = true)]
        issues: Vec<PathBuf>,
        /// Brand file to use instead of the one the issue names.
        #[arg(long)]
        brand: Option<PathBuf>,
        /// Fail (exit status 1) when there are warnings.
        #[arg(long)]
        deny_warnings: bool,
        /// Project folder (as for build).
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Start a new issue from a template or an old issue.
    New {
        /// The new issue file (".json" is added when missing); never overwritten.
        path: PathBuf,
        /// An old issue to start from (its sections and footer, photo paths made to work
        /// from the new file's folder) instead of the template.
        #[arg(long)]
        from: Option<PathBuf>,
    },
    /// Rebuild whenever the issue, its brand or photos change.
    Watch {
        /// The issue file to build after every change.
        issue: PathBuf,
        /// Output PDF (default: out/NAME.pdf).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Project folder (as for build).
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Generate varied test issues, lay each out and count the page rules they break.
    Corpus {
        /// How many issues (seeds FIRST, FIRST+1, ...).
        #[arg(long, default_value_t = 200)]
        count: u64,
        /// The first seed.
        #[arg(long, default_value_t = 0)]
        first: u64,
        /// Folder for the generated issues (default: a temporary folder, removed after).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Lay out the print edition instead of the screen edition.
        #[arg(long)]
        print: bool,
        /// List every rule broken, issue by issue.
        #[arg(long)]
        verbose: bool,
    },
    /// Print the JSON Schema of the issue or brand format.
    Schema {
        #[arg(value_enum, default_value = "issue")]
        which: SchemaArg,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SchemaArg {
    Issue,
    Brand,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    // No panic may escape as a crash: report it as an internal error.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error: {info} (please report this with the issue file)");
    }));
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(code) => code,
        Err(_) => ExitCode::from(1),
    }
}

/// "2MB", "500KB", "1.5 MB", "800000".
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_uppercase().replace(' ', "");
    let (num, mult) = if let Some(n) = t.strip_suffix("MB") {
        (n, 1024.0 * 1024.0)
    } else if let Some(n) = t.strip_suffix("KB") {
        (n, 1024.0)
    } else if let Some(n) = t.strip_suffix('B') {
        (n, 1.0)
    } else {
        (t.as_str(), 1.0)
    };
    match num.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok((v * mult) as u64),
        _ => Err(format!("\"{s}\" is not a size: write e.g. 2MB or 500KB")),
    }
}

fn default_issues() -> Result<Vec<PathBuf>, String> {
    let dir = Path::new("issues");
    let rd = std::fs::read_dir(dir).map_err(|_| "no issues/ folder here: name an issue file, e.g. folio build issues/2023-12.json".to_string())?;
    let mut v: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
    v.sort();
    if v.is_empty() {
        return Err("issues/ holds no .json files: create one with `folio new issues/NAME.json`".into());
    }
    Ok(v)
}

fn out_path(issue: &Path, output: &Option<PathBuf>, many: bool, suffix: &str, both: bool) -> PathBuf {
    let stem = issue.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "issue".into());
    let name = format!("{stem}{suffix}.pdf");
    match output {
        Some(o) if !many && (suffix.is_empty() || !both) && !o.is_dir() => o.clone(),
        Some(o) if !many && !o.is_dir() => {
            let s = o.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or(stem);
            o.with_file_name(format!("{s}{suffix}.pdf"))
        }
        Some(o) => o.join(name),
        None => PathBuf::from("out").join(name),
    }
}

/// Where prepared images are cached: `.cache/` beside the default output (`out/.cache/`);
/// for a PDF written elsewhere with `-o` (the desktop, a shared folder), the user's cache
/// folder (`$XDG_CACHE_HOME/folio`, else `~/.cache/folio`), so no hidden folder is left
/// beside it. No cache when neither is known.
fn cache_dir(out: &Path, explicit: bool) -> Option<PathBuf> {
    if !explicit {
        return Some(out.parent().map(|d| d.join(".cache")).unwrap_or_else(|| PathBuf::from(".cache")));
    }
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    env("XDG_CACHE_HOME").or_else(|| env("HOME").map(|h| h.join(".cache"))).map(|d| d.join("folio"))
}

fn print_warnings(w: &folio::error::Warnings) {
    let mut sources = Sources::default();
    for (i, x) in w.0.iter().enumerate() {
        let (position, snippet) = sources.place(&x.file, None, &x.path, i < SNIPPETS_MAX);
        match position {
            Some((l, c)) => eprintln!("warning: {}:{l}:{c}: {}: {}", folio::error::tame(&x.file.display().to_string()), folio::error::tame(&x.path), folio::error::tame(&x.message)),
            None => eprintln!("warning: {x}"),
        }
        if let Some(s) = snippet {
            eprintln!("{s}");
        }
    }
}

/// At most this many messages in one run show their source line (the rest: one line each).
const SNIPPETS_MAX: usize = 20;

fn report_error(e: &BuildError) {
    match e {
        BuildError::Input(errs) => {
            let mut sources = Sources::default();
            for (i, x) in errs.0.iter().enumerate() {
                let (position, snippet) = sources.place(&x.file, x.position, &x.path, i < SNIPPETS_MAX);
                let x = folio::error::InputError { position: x.position.or(position), ..x.clone() };
                eprintln!("error: {x}");
                if let Some(s) = snippet {
                    eprintln!("{s}");
                }
            }
        }
        BuildError::Internal(_) => eprintln!("error: {e}"),
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
        let name = folio::error::tame(&file.display().to_string());
        (Some(at), folio::source::snippet(&name, text, span, &folio::error::tame(path), colour))
    }
}

fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Schema { which } => {
            let v = match which {
                SchemaArg::Issue => folio::model::schema(),
                SchemaArg::Brand => folio::brand::schema(),
            };
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Command::Build { issues, output, profile, brand, marks, deny_warnings, no_cache, max_size, root } => {
            let issues = if issues.is_empty() {
                match default_issues() {
                    Ok(v) => v,
                    Err(m) => {
                        eprintln!("error: {m}");
                        return ExitCode::from(2);
                    }
                }
            } else {
                issues
            };
            let many = issues.len() > 1;
            let profiles: Vec<(Profile, &str)> = match profile {
                ProfileArg::Screen => vec![(Profile::Screen, "")],
                ProfileArg::Print => vec![(Profile::Print, "-print")],
                ProfileArg::Both => vec![(Profile::Screen, ""), (Profile::Print, "-print")],
            };
            let mut failed = false;
            if marks && profile == ProfileArg::Screen {
                eprintln!("warning: --marks puts crop marks on the print edition only: add --profile print (or both)");
            }
            for issue in &issues {
                for (p, suffix) in &profiles {
                    let out = out_path(issue, &output, many, suffix, profile == ProfileArg::Both);
                    let cache = if no_cache { None } else { cache_dir(&out, output.is_some()) };
                    let opts = Options { profile: *p, marks, brand: brand.clone(), cache, root: root.clone() };
                    let t = std::time::Instant::now();
                    match build::build(issue, &opts) {
                        Ok(b) => {
                            print_warnings(&b.warnings);
                            if deny_warnings && !b.warnings.0.is_empty() {
                                eprintln!("error: {}: {} warning(s) and --deny-warnings: nothing written", issue.display(), b.warnings.0.len());
                                failed = true;
                                continue;
                            }
                            if let Some(max) = max_size {
                                if b.pdf.len() as u64 > max {
                                    eprintln!("error: {}: the PDF would be {} KB, over --max-size {} KB: nothing written", issue.display(), b.pdf.len().div_ceil(1024), max.div_ceil(1024));
                                    for line in build::size_breakdown(&b) {
                                        eprintln!("  {line}");
                                    }
                                    failed = true;
                                    continue;
                                }
                            }
                            if let Err(m) = build::check_output(&out, &b.inputs) {
                                eprintln!("error: {m}");
                                failed = true;
                                continue;
                            }
                            match build::write_atomic(&out, &b.pdf).with_context(|| format!("{}: cannot write the PDF", out.display())) {
                                Ok(()) => eprintln!("wrote {} ({}, {} KB, {} ms)", out.display(), pages(b.laid.document.pages.len()), b.pdf.len().div_ceil(1024), t.elapsed().as_millis()),
                                Err(e) => {
                                    eprintln!("error: {e:#}");
                                    failed = true;
                                }
                            }
                        }
                        Err(e) => {
                            report_error(&e);
                            failed = true;
                        }
                    }
                }
            }
            if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
        }
        Command::Check { issues, brand, deny_warnings, root } => {
            let mut failed = false;
            for issue in &issues {
                let opts = Options { profile: Profile::Screen, marks: false, brand: brand.clone(), cache: None, root: root.clone() };
                match build::build(issue, &opts) {
                    Ok(b) => {
                        print_warnings(&b.warnings);
                        let r = folio::report::measure(&b.laid, b.theme.max_stretch);
                        if deny_warnings && !b.warnings.0.is_empty() {
                            eprintln!("error: {}: {} warning(s) and --deny-warnings", issue.display(), b.warnings.0.len());
                            failed = true;
                        } else {
                            println!("{}: ok, {}", issue.display(), pages(b.laid.document.pages.len()));
                        }
                        print!("{}", r.render());
                        print!("{}", folio::report::render_layout(&folio::layout::invariants::check(&b.laid)));
                    }
                    Err(e) => {
                        report_error(&e);
                        failed = true;
                    }
                }
            }
            if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
        }
        Command::New { path, from } => {
            // `folio new june` means june.json: build looks for .json files.
            let path = if path.extension().is_some_and(|e| e == "json") { path } else { path.with_extension("json") };
            if path.exists() {
                eprintln!("error: {}: already exists: choose another name", path.display());
                return ExitCode::from(1);
            }
            let text = match &from {
                Some(f) => match folio::model::load(f) {
                    Ok(_) => rebase_issue(f, &path).unwrap_or_else(|| std::fs::read_to_string(f).unwrap_or_default()),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(1);
                    }
                },
                None => TEMPLATE.to_string(),
            };
            match build::write_atomic(&path, text.as_bytes()) {
                Ok(()) => {
                    eprintln!("created {}: edit it, then run `folio build {}`", path.display(), path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {}: {e}", path.display());
                    ExitCode::from(1)
                }
            }
        }
        Command::Watch { issue, output, root } => watch(&issue, &output, &root),
        Command::Corpus { count, first, out, print, verbose } => corpus(first..first + count, out, print, verbose),
    }
}

/// An old issue's text for a new file elsewhere: relative paths (brand, photos, images)
/// rewritten so they still point at the same files from the new file's folder.
fn rebase_issue(old: &Path, new: &Path) -> Option<String> {
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(old).ok()?).ok()?;
    let old_dir = std::fs::canonicalize(old.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))).ok()?;
    let new_parent = new.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(new_parent).ok()?;
    let new_dir = std::fs::canonicalize(new_parent).ok()?;
    fn relative(from: &Path, to: &Path) -> PathBuf {
        let f: Vec<_> = from.components().collect();
        let t: Vec<_> = to.components().collect();
        let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
        let mut out = PathBuf::new();
        for _ in common..f.len() {
            out.push("..");
        }
        for c in &t[common..] {
            out.push(c.as_os_str());
        }
        out
    }
    fn walk(v: &mut serde_json::Value, old_dir: &Path, new_dir: &Path) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    if let (true, serde_json::Value::String(p)) = (["brand", "photo", "image"].contains(&k.as_str()), &*x) {
                        if Path::new(p).is_relative() {
                            let target = old_dir.join(p);
                            let target = std::fs::canonicalize(&target).unwrap_or(target);
                            *x = serde_json::Value::String(relative(new_dir, &target).to_string_lossy().replace('\\', "/"));
                        }
                    } else {
                        walk(x, old_dir, new_dir);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| walk(x, old_dir, new_dir)),
            _ => {}
        }
    }
    walk(&mut v, &old_dir, &new_dir);
    serde_json::to_string_pretty(&v).ok().map(|s| s + "\n")
}

fn watch(issue: &Path, output: &Option<PathBuf>, root: &Option<PathBuf>) -> ExitCode {
    let mut last: Option<Vec<(PathBuf, Option<std::time::SystemTime>)>> = None;
    // Every file the last good build read (photos in a sibling folder included).
    let mut inputs: Vec<PathBuf> = Vec::new();
    loop {
        // Watch those, the issue, its brand and every file in the issue's and brand's
        // folders (a photo that was missing may appear).
        let mut files = vec![issue.to_path_buf()];
        files.extend(inputs.iter().cloned());
        let dir = match issue.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        collect(dir, &mut files, 2);
        if let Ok(doc) = folio::model::load(issue) {
            if let Some(b) = &doc.brand {
                files.push(b.clone());
                if let Some(d) = b.parent() {
                    collect(d, &mut files, 2);
                }
            }
        }
        files.sort();
        files.dedup();
        let stamp: Vec<_> = files.iter().map(|f| (f.clone(), std::fs::metadata(f).and_then(|m| m.modified()).ok())).collect();
        if last.as_ref() != Some(&stamp) {
            last = Some(stamp);
            let out = out_path(issue, output, false, "", false);
            match build::build(issue, &Options { root: root.clone(), ..Options::default() }) {
                Ok(b) => {
                    print_warnings(&b.warnings);
                    if let Err(m) = build::check_output(&out, &b.inputs) {
                        eprintln!("error: {m}");
                        return ExitCode::from(1);
                    }
                    inputs = b.inputs.clone();
                    match build::write_atomic(&out, &b.pdf) {
                        Ok(()) => eprintln!("[{}] wrote {} ({})", clock(), out.display(), pages(b.laid.document.pages.len())),
                        Err(e) => eprintln!("[{}] error: {}: {e}", clock(), out.display()),
                    }
                }
                Err(e) => {
                    eprintln!("[{}] build failed:", clock());
                    report_error(&e)
                }
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                if depth > 0 && !p.ends_with("out") && !p.ends_with("target") {
                    collect(&p, out, depth - 1);
                }
            } else if p.extension().is_some_and(|x| ["json", "jpg", "jpeg", "png", "webp", "ttf", "otf"].contains(&x.to_string_lossy().to_lowercase().as_str())) {
                out.push(p);
            }
        }
    }
}

const TEMPLATE: &str = r#"{
  "title": "Newsletter title",
  "kicker": "Project update",
  "edition": "Month Year",
  "language": "en-GB",
  "intro": ["A short welcome: what this issue is about."],
  "sections": [
    { "heading": "First story", "body": ["Write paragraphs as strings. Use **bold**, *italic* and [links](https://example.org)."] },
    { "type": "callout", "heading": "Save the date", "body": ["Something readers must not miss."] }
  ],
  "footer": {
    "text": "If you would like more information, please get in touch:",
    "contacts": [ { "name": "Your Name", "email": "name@example.org" } ]
  }
}
"#;

/// `folio corpus`: generate issues, lay them out, count the rules broken.
fn corpus(seeds: std::ops::Range<u64>, out: Option<PathBuf>, print: bool, verbose: bool) -> ExitCode {
    let keep = out.is_some();
    let dir = out.unwrap_or_else(|| std::env::temp_dir().join(format!("folio-corpus-{}", std::process::id())));
    let profile = if print { Profile::Print } else { Profile::Screen };
    let results = folio::survey::run(seeds, &dir, profile);
    if verbose {
        for r in &results {
            if let folio::survey::Outcome::Refused(m) = &r.outcome {
                println!("seed {} ({}): refused: {m}", r.seed, r.summary);
            }
            if let folio::survey::Outcome::Built { violations, .. } = &r.outcome {
                for v in violations {
                    println!("seed {} ({}): page {}: {} {}", r.seed, r.summary, v.page, v.rule.name(), v.detail);
                }
            }
        }
    }
    print!("{}", folio::survey::render(&results));
    if !keep {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        eprintln!("issues in {}", dir.display());
    }
    let bad = results.iter().any(|r| match &r.outcome {
        folio::survey::Outcome::Failed(_) => true,
        folio::survey::Outcome::Built { violations, .. } => violations.iter().any(|v| v.rule.hard()),
        folio::survey::Outcome::Refused(_) => false,
    });
    if bad { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// "1 page", "3 pages".
fn pages(n: usize) -> String {
    if n == 1 { "1 page".into() } else { format!("{n} pages") }
}

/// The time of day (UTC), for watch's lines.
fn clock() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    format!("{:02}:{:02}:{:02} UTC", secs / 3600 % 24, secs / 60 % 60, secs % 60)
}
