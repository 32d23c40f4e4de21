//! The `folio` command line: a thin layer over the library.

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use folio::build::{self, Options, Profile};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod cli;
use cli::diag::Reporter;

#[derive(Parser)]
#[command(name = "folio", version, about = "Compose a branded, accessible PDF newsletter from a JSON issue file")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print errors only: no warnings, no "wrote" lines, no report.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// How to print messages: text for people, or json (one JSON object a line on standard
    /// output: diagnostics with file, line, column and JSON path; each PDF written).
    #[arg(long, value_enum, default_value = "text", global = true)]
    format: FormatArg,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ImposeArg {
    Booklet,
    #[value(name = "2up")]
    TwoUp,
    #[value(name = "2up-pages")]
    TwoUpPages,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Text,
    Json,
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
        /// Also write each page as a PNG (NAME-1.png, ...) and a contact sheet of all pages
        /// (NAME-pages.png), rendered from the PDF written.
        #[arg(long)]
        png: bool,
        /// Resolution of the PNG pages, in pixels per inch (10 to 600).
        #[arg(long, default_value_t = 96.0, value_parser = parse_dpi)]
        png_dpi: f32,
        /// Also write an imposed copy for printing (NAME-booklet.pdf, ...): booklet
        /// (saddle-stitch spreads in duplex order, flip on the short edge), 2up (two copies
        /// of each page to a sheet) or 2up-pages (two consecutive pages to a sheet).
        #[arg(long, value_enum)]
        impose: Option<ImposeArg>,
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

/// A preview resolution within [`folio::preview::DPI_RANGE`].
fn parse_dpi(s: &str) -> Result<f32, String> {
    let v: f32 = s.trim().parse().map_err(|_| format!("{s:?} is not a number of pixels per inch (e.g. 96)"))?;
    if folio::preview::DPI_RANGE.contains(&v) { Ok(v) } else { Err(format!("{v} ppi is outside 10 to 600")) }
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

fn run(cli: Cli) -> ExitCode {
    let rep = Reporter { json: cli.format == FormatArg::Json, quiet: cli.quiet };
    match cli.command {
        Command::Schema { which } => {
            let v = match which {
                SchemaArg::Issue => folio::schema::issue(),
                SchemaArg::Brand => folio::schema::brand(),
            };
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Command::Build { issues, output, profile, brand, marks, deny_warnings, no_cache, max_size, root, png, png_dpi, impose } => {
            let issues = if issues.is_empty() {
                match default_issues() {
                    Ok(v) => v,
                    Err(m) => {
                        rep.plain("error", &m);
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
                rep.plain("warning", "--marks puts crop marks on the print edition only: add --profile print (or both)");
            }
            for issue in &issues {
                for (p, suffix) in &profiles {
                    let out = out_path(issue, &output, many, suffix, profile == ProfileArg::Both);
                    let cache = if no_cache { None } else { cache_dir(&out, output.is_some()) };
                    let opts = Options { profile: *p, marks, brand: brand.clone(), cache, root: root.clone() };
                    let t = std::time::Instant::now();
                    match build::build(issue, &opts) {
                        Ok(b) => {
                            rep.warnings(&b.warnings);
                            if deny_warnings && !b.warnings.0.is_empty() {
                                rep.plain("error", &format!("{}: {} warning(s) and --deny-warnings: nothing written", issue.display(), b.warnings.0.len()));
                                failed = true;
                                continue;
                            }
                            if let Some(max) = max_size {
                                if b.pdf.len() as u64 > max {
                                    let breakdown: Vec<String> = build::size_breakdown(&b).into_iter().map(|l| format!("\n  {l}")).collect();
                                    rep.plain("error", &format!("{}: the PDF would be {} KB, over --max-size {} KB: nothing written{}", issue.display(), b.pdf.len().div_ceil(1024), max.div_ceil(1024), breakdown.concat()));
                                    failed = true;
                                    continue;
                                }
                            }
                            if let Err(m) = build::check_output(&out, &b.inputs) {
                                rep.plain("error", &m);
                                failed = true;
                                continue;
                            }
                            match build::write_atomic(&out, &b.pdf).with_context(|| format!("{}: cannot write the PDF", out.display())) {
                                Ok(()) => {
                                    rep.wrote(&out, b.laid.document.pages.len(), b.pdf.len(), t.elapsed().as_millis());
                                    if png && !cli::preview::write(&out, &b.pdf, png_dpi, &rep) {
                                        failed = true;
                                    }
                                    if let Some(how) = impose {
                                        let how = match how {
                                            ImposeArg::Booklet => folio::impose::Imposition::Booklet,
                                            ImposeArg::TwoUp => folio::impose::Imposition::TwoUp,
                                            ImposeArg::TwoUpPages => folio::impose::Imposition::TwoUpPages,
                                        };
                                        if !cli::preview::write_imposed(&out, &b, how, &rep) {
                                            failed = true;
                                        }
                                    }
                                }
                                Err(e) => {
                                    rep.plain("error", &format!("{e:#}"));
                                    failed = true;
                                }
                            }
                        }
                        Err(e) => {
                            rep.error(&e);
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
                        rep.warnings(&b.warnings);
                        let r = folio::report::measure(&b.laid, b.theme.max_stretch);
                        if deny_warnings && !b.warnings.0.is_empty() {
                            rep.plain("error", &format!("{}: {} warning(s) and --deny-warnings", issue.display(), b.warnings.0.len()));
                            failed = true;
                        } else {
                            rep.checked(issue, b.laid.document.pages.len(), &r.render(), &folio::layout::invariants::check(&b.laid));
                        }
                    }
                    Err(e) => {
                        rep.error(&e);
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
                rep.plain("error", &format!("{}: already exists: choose another name", path.display()));
                return ExitCode::from(1);
            }
            let text = match &from {
                Some(f) => match folio::model::load(f) {
                    Ok(_) => rebase_issue(f, &path).unwrap_or_else(|| std::fs::read_to_string(f).unwrap_or_default()),
                    Err(e) => {
                        rep.plain("error", &e.to_string());
                        return ExitCode::from(1);
                    }
                },
                None => TEMPLATE.to_string(),
            };
            let text = with_schema_line(&text);
            match build::write_atomic(&path, text.as_bytes()) {
                Ok(()) => {
                    // The schema the "$schema" line names, beside the issue (never overwritten),
                    // so an editor completes and checks the file as it is typed.
                    let schema = path.with_file_name(SCHEMA_FILE);
                    let wrote_schema = !schema.exists() && build::write_atomic(&schema, (serde_json::to_string_pretty(&folio::schema::issue()).unwrap_or_default() + "\n").as_bytes()).is_ok();
                    if rep.json {
                        let mut files = vec![path.display().to_string()];
                        files.extend(wrote_schema.then(|| schema.display().to_string()));
                        println!("{}", serde_json::json!({ "type": "created", "files": files }));
                    } else if !rep.quiet {
                        eprintln!("created {}{}: edit it, then run `folio build {}`", path.display(), if wrote_schema { format!(" and {}", schema.display()) } else { String::new() }, path.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    rep.plain("error", &format!("{}: {e}", path.display()));
                    ExitCode::from(1)
                }
            }
        }
        Command::Watch { issue, output, root } => cli::watch::watch(&issue, &out_path(&issue, &output, false, "", false), &root, &rep),
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

/// The schema file `folio new` writes beside a new issue and names in its "$schema" line.
const SCHEMA_FILE: &str = "issue.schema.json";

/// An issue's text with a "$schema" line naming [`SCHEMA_FILE`] first, unless it has one.
fn with_schema_line(text: &str) -> String {
    match text.strip_prefix('{') {
        Some(rest) if !text.contains("\"$schema\"") => format!("{{\n  \"$schema\": \"./{SCHEMA_FILE}\",{}", rest.trim_start_matches([' ', '\r'])),
        _ => text.to_string(),
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
