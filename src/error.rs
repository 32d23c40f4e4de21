//! Errors that tell the user which file, which JSON path and what to do.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem with the user's input: exit status 1, nothing written.
#[derive(Debug, Clone)]
pub struct InputError {
    pub file: PathBuf,
    /// 1-based line and column in the file, where serde knows them.
    pub position: Option<(usize, usize)>,
    /// JSON path such as `sections[2].body[1].image` (empty for the whole file).
    pub path: String,
    pub message: String,
}

impl InputError {
    pub fn new(file: &Path, path: impl Into<String>, message: impl Into<String>) -> Self {
        InputError { file: file.to_path_buf(), position: None, path: path.into(), message: message.into() }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", tame(&self.file.display().to_string()))?;
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", tame(&self.path))?;
        }
        write!(f, ": {}", tame(&self.message))
    }
}

/// Words longer than this in a message (a value echoed from the input) are shortened.
const MESSAGE_WORD_MAX: usize = 80;
/// A message longer than this (a long value of short words echoed) is cut.
const MESSAGE_MAX: usize = 600;

/// A message as it is printed, whatever values it echoes: control and invisible characters
/// shown as `U+000E`, and any word (a run without spaces) longer than [`MESSAGE_WORD_MAX`]
/// characters cut with "…", so one line never runs to thousands of characters.
pub fn tame(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(4096));
    let mut word = 0usize;
    let mut cut = false;
    for (n, c) in s.chars().enumerate() {
        if n == MESSAGE_MAX {
            out.push('…');
            break;
        }
        if c == ' ' || c == '\n' {
            word = 0;
            cut = false;
            out.push(c);
            continue;
        }
        word += 1;
        if word > MESSAGE_WORD_MAX {
            if !cut {
                out.push('…');
                cut = true;
            }
            continue;
        }
        if c.is_control() || crate::model::is_invisible(c) {
            out.push_str(&format!("U+{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

impl std::error::Error for InputError {}

/// Several input errors found in one pass (all are reported, not just the first).
#[derive(Debug, Clone)]
pub struct InputErrors(pub Vec<InputError>);

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
                write!(f, "error: ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputErrors {}

/// A warning: the build goes on (unless `--deny-warnings`).
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub file: PathBuf,
    pub path: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", tame(&self.file.display().to_string()))?;
        if !self.path.is_empty() {
            write!(f, ": {}", tame(&self.path))?;
        }
        write!(f, ": {}", tame(&self.message))
    }
}

/// Collects warnings during a build.
#[derive(Debug, Default, Clone)]
pub struct Warnings(pub Vec<Warning>);

impl Warnings {
    pub fn push(&mut self, file: &Path, path: impl Into<String>, message: impl Into<String>) {
        let w = Warning { file: file.to_path_buf(), path: path.into(), message: message.into() };
        if !self.0.contains(&w) {
            self.0.push(w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_show_odd_characters_and_cut_long_values() {
        let e = InputError::new(Path::new("brand.json"), "colours.accent", format!("\"#\u{e}\u{14}A8472F\" is not a colour; \"{}\" is long", "x".repeat(5000)));
        let s = e.to_string();
        assert!(s.contains("#U+000EU+0014A8472F"), "{s}");
        assert!(s.len() < 300 && s.contains('…'), "{} chars", s.len());
        assert!(!s.chars().any(|c| c.is_control()));
    }
}
