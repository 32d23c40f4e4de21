//! Survey: build generated issues and count the page rules each one breaks (`folio corpus`).

use crate::build::{self, BuildError, Options, Profile};
use crate::corpus;
use crate::layout::invariants::{self, Rule, Violation};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// What became of one generated issue.
#[derive(Debug)]
pub enum Outcome {
    /// Built: its pages and the rules it breaks.
    Built { pages: usize, violations: Vec<Violation> },
    /// Refused with a clear input error (a field too long for any page).
    Refused(String),
    /// Anything else: the generator or Folio is wrong.
    Failed(String),
}

#[derive(Debug)]
pub struct Surveyed {
    pub seed: u64,
    pub path: PathBuf,
    pub summary: String,
    pub outcome: Outcome,
}

/// Generate issue `seed` into `dir` and build it in `profile` (nothing written but the issue).
pub fn one(seed: u64, dir: &Path, profile: Profile) -> Surveyed {
    let g = match corpus::generate(seed, dir) {
        Ok(g) => g,
        Err(e) => return Surveyed { seed, path: dir.to_path_buf(), summary: String::new(), outcome: Outcome::Failed(format!("cannot write the issue: {e}")) },
    };
    let opts = Options { profile, ..Options::default() };
    let outcome = match build::build(&g.path, &opts) {
        Ok(b) => Outcome::Built { pages: b.laid.document.pages.len(), violations: invariants::check(&b.laid) },
        Err(BuildError::Input(e)) if e.0.iter().all(|x| x.message.contains("shorten")) => Outcome::Refused(e.to_string()),
        Err(e) => Outcome::Failed(e.to_string()),
    };
    Surveyed { seed, path: g.path, summary: g.summary, outcome }
}

/// Survey seeds `seeds` in `dir`, in parallel.
pub fn run(seeds: std::ops::Range<u64>, dir: &Path, profile: Profile) -> Vec<Surveyed> {
    seeds.into_par_iter().map(|s| one(s, dir, profile)).collect()
}

/// Issues breaking each rule (seeds), in rule order.
pub fn by_rule(results: &[Surveyed]) -> BTreeMap<Rule, Vec<u64>> {
    let mut m: BTreeMap<Rule, Vec<u64>> = BTreeMap::new();
    for r in results {
        if let Outcome::Built { violations, .. } = &r.outcome {
            let mut rules: Vec<Rule> = violations.iter().map(|v| v.rule).collect();
            rules.sort();
            rules.dedup();
            for rule in rules {
                m.entry(rule).or_default().push(r.seed);
            }
        }
    }
    m
}

/// The survey as a table: issues per rule, hard rules first.
pub fn render(results: &[Surveyed]) -> String {
    let mut s = String::new();
    let built = results.iter().filter(|r| matches!(r.outcome, Outcome::Built { .. })).count();
    let refused = results.iter().filter(|r| matches!(r.outcome, Outcome::Refused(_))).count();
    let failed: Vec<&Surveyed> = results.iter().filter(|r| matches!(r.outcome, Outcome::Failed(_))).collect();
    let pages: usize = results.iter().map(|r| if let Outcome::Built { pages, .. } = r.outcome { pages } else { 0 }).sum();
    let _ = writeln!(s, "{} issues: {built} built ({pages} pages), {refused} refused with a clear error, {} failed", results.len(), failed.len());
    for f in &failed {
        if let Outcome::Failed(m) = &f.outcome {
            let _ = writeln!(s, "  failed: seed {} ({}): {m}", f.seed, f.summary);
        }
    }
    let m = by_rule(results);
    let issues_with = |hard: bool| results.iter().filter(|r| matches!(&r.outcome, Outcome::Built { violations, .. } if violations.iter().any(|v| v.rule.hard() == hard))).count();
    for hard in [true, false] {
        let n = issues_with(hard);
        let share = if built > 0 { 100.0 * n as f32 / built as f32 } else { 0.0 };
        let _ = writeln!(s, "{} rules: {n} issues ({share:.1}%) break one", if hard { "hard" } else { "soft" });
        for rule in Rule::ALL.iter().filter(|r| r.hard() == hard) {
            let seeds = m.get(rule).cloned().unwrap_or_default();
            let list: Vec<String> = seeds.iter().take(12).map(|x| x.to_string()).collect();
            let more = if seeds.len() > 12 { ", …" } else { "" };
            let _ = writeln!(s, "  {:<48} {:>4}{}", rule.name(), seeds.len(), if seeds.is_empty() { String::new() } else { format!("   seeds {}{more}", list.join(", ")) });
        }
    }
    s
}
