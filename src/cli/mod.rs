//! The command line's own parts: how it reports, and `watch`.

pub mod diag;
pub mod preview;
pub mod watch;

/// "1 page", "3 pages".
pub fn pages(n: usize) -> String {
    if n == 1 { "1 page".into() } else { format!("{n} pages") }
}

/// The time of day (UTC), for watch's lines.
pub fn clock() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    format!("{:02}:{:02}:{:02} UTC", secs / 3600 % 24, secs / 60 % 60, secs % 60)
}
