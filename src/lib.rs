//! Folio: a command-line PDF newsletter compositor.
//!
//! Pipeline: [`model`] (parse and validate the issue) → [`brand`] (resolve the brand) →
//! [`inline`] (inline Markdown to styled runs) → [`text`] (shape, hyphenate, break lines) →
//! [`layout`] (columns and pages → display list) → [`pdf`] (write the PDF).
//! [`build`] ties the stages together for the CLI.

pub mod brand;
pub mod build;
pub mod colour;
pub mod corpus;
pub mod error;
pub mod files;
pub mod images;
pub mod impose;
pub mod inline;
pub mod layout;
pub mod model;
pub mod pdf;
pub mod preview;
pub mod report;
pub mod schema;
pub mod source;
pub mod survey;
pub mod text;
