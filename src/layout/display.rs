//! The display list: positioned glyph runs, images, rules and boxes on pages, plus the
//! logical structure (for tagging) and outline. Plain data: no PDF in it.

use crate::brand::Rgb;
use crate::text::fonts::FaceId;
use crate::text::para::Glyph;

/// Points, origin at the top-left of the trimmed page, y downwards.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    pub fn new(x: f32, y: f32, w: f32, h: f32) -> Rect {
        Rect { x, y, w, h }
    }
    pub fn right(&self) -> f32 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f32 {
        self.y + self.h
    }
    pub fn union(&self, o: &Rect) -> Rect {
        let x = self.x.min(o.x);
        let y = self.y.min(o.y);
        Rect { x, y, w: self.right().max(o.right()) - x, h: self.bottom().max(o.bottom()) - y }
    }
}

/// What a screen reader should make of an item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    /// Decoration or pagination: skipped.
    Artifact,
    /// Content of structure element `n`.
    Node(usize),
}

/// How an image is clipped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Clip {
    None,
    Circle,
}

/// One thing drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Glyphs on one baseline at (x, y).
    /// `invisible`: drawn in text render mode 3 (an address's soft hyphen, extracted only).
    /// `width`: the run's advance (a line-end space glyph may stand past it).
    Text { mark: Mark, face: FaceId, size: f32, colour: Rgb, x: f32, y: f32, width: f32, glyphs: Vec<Glyph>, hyphen: bool, invisible: bool },
    Image { mark: Mark, image: usize, rect: Rect, clip: Clip },
    /// A filled and/or stroked rectangle (always an artifact).
    Box { rect: Rect, fill: Option<Rgb>, stroke: Option<(Rgb, f32)>, bleed: bool },
    /// A straight rule (always an artifact).
    Rule { x1: f32, y1: f32, x2: f32, y2: f32, colour: Rgb, width: f32 },
    /// A clickable area; `node` is the Link structure element. It goes to `uri`, or, with
    /// `dest` (page index, y), to that place in the document.
    Link { node: usize, rect: Rect, uri: String, dest: Option<(usize, f32)> },
}

/// A page of the display list.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub items: Vec<Item>,
}

/// Structure roles (PDF standard structure types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Document,
    Sect,
    Aside,
    H1,
    H2,
    H3,
    P,
    L,
    LI,
    Lbl,
    LBody,
    Figure,
    Caption,
    BlockQuote,
    Link,
    Span,
    /// A grouping element (the "In this issue" box: its title and its table of contents).
    Div,
    /// A table of contents ("In this issue"), its items, and an item's reference.
    TOC,
    TOCI,
    Reference,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Document => "Document",
            Role::Sect => "Sect",
            Role::Aside => "Aside",
            Role::H1 => "H1",
            Role::H2 => "H2",
            Role::H3 => "H3",
            Role::P => "P",
            Role::L => "L",
            Role::LI => "LI",
            Role::Lbl => "Lbl",
            Role::LBody => "LBody",
            Role::Figure => "Figure",
            Role::Caption => "Caption",
            Role::BlockQuote => "BlockQuote",
            Role::Link => "Link",
            Role::Span => "Span",
            Role::Div => "Div",
            Role::TOC => "TOC",
            Role::TOCI => "TOCI",
            Role::Reference => "Reference",
        }
    }
}

/// A structure element; children in reading order.
#[derive(Debug, Clone)]
pub struct Node {
    pub role: Role,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    pub alt: Option<String>,
    /// For figures: the bounding box on its page, set by layout.
    pub bbox: Option<(usize, Rect)>,
    /// For links: the text a screen reader reads (the link's visible text).
    pub text: Option<String>,
}

/// The logical structure: node 0 is the Document.
#[derive(Debug, Clone)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

impl Default for Tree {
    fn default() -> Self {
        Tree { nodes: vec![Node { role: Role::Document, parent: None, children: vec![], alt: None, bbox: None, text: None }] }
    }
}

impl Tree {
    pub fn add(&mut self, parent: usize, role: Role) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node { role, parent: Some(parent), children: vec![], alt: None, bbox: None, text: None });
        self.nodes[parent].children.push(id);
        id
    }
}

/// An image the document uses, already prepared (cropped, resampled, encoded).
#[derive(Debug, Clone)]
pub struct ImageData {
    pub width: u32,
    pub height: u32,
    pub encoding: ImageEncoding,
    pub data: Vec<u8>,
    /// Deflated 8-bit alpha, same size, for transparent PNGs.
    pub alpha: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ImageEncoding {
    /// JPEG bytes (DCTDecode), RGB or greyscale.
    Jpeg { grey: bool },
    /// zlib-deflated 8-bit samples (FlateDecode).
    Flate { grey: bool },
}

/// A bookmark: title and page index (0-based) and y.
#[derive(Debug, Clone)]
pub struct Bookmark {
    pub title: String,
    pub page: usize,
    pub y: f32,
}

/// Document metadata.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub title: String,
    pub author: String,
    pub subject: String,
    pub language: String,
    pub keywords: String,
}

/// Everything the PDF writer needs.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub pages: Vec<Page>,
    pub tree: Tree,
    pub images: Vec<ImageData>,
    pub outline: Vec<Bookmark>,
    pub meta: Meta,
}
