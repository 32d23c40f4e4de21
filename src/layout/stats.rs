//! Facts about the laid-out regions, for the typography report and the invariant checks.

use super::collect::BandKind;
use super::flow::Kind;

/// A chunk as placed, in page coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedFact {
    pub kind: Kind,
    pub group: Option<usize>,
    /// (paragraph id, line index, line count) for body paragraph lines.
    pub line_of: Option<(usize, usize, usize)>,
    /// A heading line that keeps with what follows.
    pub keep: bool,
    pub top: f32,
    pub bottom: f32,
    pub seq: u64,
}

/// One region filled: a column of a band on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionFact {
    pub page: usize,
    /// Index of the band in the bands, and its kind.
    pub band: usize,
    pub band_kind: BandKind,
    pub col: usize,
    pub cols: usize,
    /// The region: its column's left edge and width, its top and the height it had.
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    /// The band's last part (balanced) rather than a column filled to its foot.
    pub last_part: bool,
    /// Content of the flow follows this region (later parts or bands, the footer excepted).
    pub flow_after: bool,
    pub items: Vec<PlacedFact>,
    /// Bottom of the content, frame padding included (page coordinates).
    pub bottom: f32,
    /// The same before feathering spread the column's white over its gaps.
    pub natural_bottom: f32,
}

/// Paragraph pieces per region: (paragraph id, lines here, total lines), in order.
pub fn splits(regions: &[RegionFact]) -> Vec<(usize, usize, usize)> {
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    for r in regions {
        let mut here: Vec<(usize, usize, usize)> = Vec::new();
        for it in &r.items {
            if let Some((pid, _, total)) = it.line_of {
                match here.iter_mut().find(|(p, ..)| *p == pid) {
                    Some(e) => e.1 += 1,
                    None => here.push((pid, 1, total)),
                }
            }
        }
        out.extend(here);
    }
    out.sort_by_key(|x| x.0);
    out
}

/// Regions that end with a heading kept with what follows, while the flow goes on.
pub fn stranded_headings(regions: &[RegionFact]) -> impl Iterator<Item = &RegionFact> {
    regions.iter().filter(|r| r.flow_after && r.items.last().is_some_and(|i| i.kind == Kind::Heading && i.keep))
}

/// Headings left last in a column while the flow goes on.
pub fn headings_at_foot(regions: &[RegionFact]) -> usize {
    stranded_headings(regions).count()
}

/// Bottoms of the columns of the last flow band's last part (the last page's columns).
pub fn last_bottoms(regions: &[RegionFact]) -> Vec<f32> {
    let Some(last) = regions.iter().filter(|r| r.band_kind != BandKind::Footer).map(|r| r.band).max() else { return Vec::new() };
    regions
        .iter()
        .filter(|r| r.band == last && r.last_part)
        .filter_map(|r| r.items.iter().map(|i| i.bottom).reduce(f32::max))
        .collect()
}
