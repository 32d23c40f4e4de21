//! The typography report for `folio check`: line counts, hyphenation, widows and orphans,
//! characters per line, loose lines, column balance.

use crate::layout::Laid;
use std::fmt::Write;

/// Measured typography of one laid-out issue.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub lines: usize,
    pub hyphenated: usize,
    pub longest_hyphen_run: usize,
    pub widows: usize,
    pub orphans: usize,
    /// (measure in pt, min, median, max characters per line)
    pub chars: Vec<(f32, usize, usize, usize)>,
    pub loose: usize,
    pub bottom_spread: f32,
    pub line_height: f32,
    pub headings_at_foot: usize,
}

pub fn measure(laid: &Laid, max_stretch: f32) -> Report {
    let lines = laid.lines.len();
    let hyphenated = laid.lines.iter().filter(|l| l.hyphenated).count();
    let mut run = 0;
    let mut longest = 0;
    for l in &laid.lines {
        if l.hyphenated {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    // A paragraph split leaving one line on a side: orphan (first part) or widow (last part).
    let mut widows = 0;
    let mut orphans = 0;
    let mut by_para: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (pid, cnt, _total) in &laid.splits {
        by_para.entry(*pid).or_default().push(*cnt);
    }
    for (_, parts) in by_para {
        if parts.len() > 1 {
            if parts.first() == Some(&1) {
                orphans += 1;
            }
            if parts.last() == Some(&1) {
                widows += 1;
            }
        }
    }
    let mut measures: Vec<f32> = laid.lines.iter().map(|l| (l.measure * 2.0).round() / 2.0).collect();
    measures.sort_by(|a, b| a.total_cmp(b));
    measures.dedup();
    let mut chars = Vec::new();
    for m in measures {
        // Last lines of paragraphs are short by nature: count lines filling at least half the measure.
        let mut c: Vec<usize> = laid.lines.iter().filter(|l| ((l.measure * 2.0).round() / 2.0 - m).abs() < 0.01 && l.width >= l.measure * 0.5).map(|l| l.chars).collect();
        if c.is_empty() {
            continue;
        }
        c.sort();
        chars.push((m, c[0], c[c.len() / 2], c[c.len() - 1]));
    }
    let loose = laid.lines.iter().filter(|l| l.justified && l.space_factor > max_stretch).count();
    let spread = if laid.last_bottoms.len() > 1 {
        let max = laid.last_bottoms.iter().cloned().fold(f32::MIN, f32::max);
        let min = laid.last_bottoms.iter().cloned().fold(f32::MAX, f32::min);
        max - min
    } else {
        0.0
    };
    Report { lines, hyphenated, longest_hyphen_run: longest, widows, orphans, chars, loose, bottom_spread: spread, line_height: laid.line_height, headings_at_foot: laid.headings_at_foot }
}

impl Report {
    pub fn render(&self) -> String {
        let mut s = String::new();
        let share = if self.lines > 0 { 100.0 * self.hyphenated as f32 / self.lines as f32 } else { 0.0 };
        let _ = writeln!(s, "  lines                {}", self.lines);
        let _ = writeln!(s, "  hyphenated lines     {} ({share:.1}%), longest run {}", self.hyphenated, self.longest_hyphen_run);
        let _ = writeln!(s, "  widows / orphans     {} / {}", self.widows, self.orphans);
        let _ = writeln!(s, "  headings at a foot   {}", self.headings_at_foot);
        for (m, lo, med, hi) in &self.chars {
            let _ = writeln!(s, "  chars per line       {lo} / {med} / {hi} (min / median / max) at {:.1} mm", m * 25.4 / 72.0);
        }
        let _ = writeln!(s, "  loose lines          {}", self.loose);
        let _ = writeln!(s, "  last-page columns    bottoms differ by {:.1} pt ({:.2} lines)", self.bottom_spread, self.bottom_spread / self.line_height.max(1.0));
        s
    }
}

/// The layout rules a laid-out issue breaks, each with what to do, for `folio check`.
pub fn render_layout(v: &[crate::layout::invariants::Violation]) -> String {
    let mut s = String::new();
    if v.is_empty() {
        let _ = writeln!(s, "  layout               every page rule kept");
        return s;
    }
    for x in v {
        let place = if x.page > 0 { format!("page {}: ", x.page) } else { String::new() };
        let kind = if x.rule.hard() { "defect" } else { "note" };
        let detail = if x.detail.is_empty() { String::new() } else { format!(" ({})", x.detail) };
        let _ = writeln!(s, "  layout {kind}: {place}{}{detail}: {}", x.rule.name(), x.rule.advice());
    }
    s
}
