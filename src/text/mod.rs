//! Shape and measure text: fonts, hyphenation, paragraph breaking.

pub mod breaker;
pub mod fonts;
pub mod hyph;
pub mod para;
