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
        write!(f, "{}", self.file.display())?;
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
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
        write!(f, "{}", self.file.display())?;
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.message)
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
