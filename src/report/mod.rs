//! The last stage: the report of one analysis, as data (`screwid.report/1`), as a text
//! table for the terminal, as an annotated image, and as a printable report (PDF or a
//! PNG page) for the operative plan.
//!
//! The JSON form is a public interface that research scripts parse; its field names are
//! documented in the README and change only with a new schema version.

mod card;
mod content;
mod date;
mod export;
mod glyphs;
mod input;
mod layout;
mod overlay;
mod pdf;
mod pdf_font;
mod revote;
mod sheet;
mod sheet_pen;
mod text;
mod wrap;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use card::{CARD_FILE, CardSummary};
pub use content::dicom_date;
pub use date::ExportDate;
pub use export::{ExportError, ReportFormat, write_report};
pub use input::{Identifiers, ReportInput};
pub use overlay::{draw_overlay, draw_overlay_with, side_by_side};
pub use pdf::render_pdf;
pub use revote::vote_over;
pub use sheet::render_sheet;
pub use text::{render_text, screws};

use crate::geometry::PixelBox;
use crate::view::View;
use crate::vote::Verdict;

/// The schema name and version written into every report.
pub const SCHEMA: &str = "screwid.report/1";

/// Everything one analysis found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    /// The ScrewID version that wrote the report.
    pub generator: String,
    pub pack: PackRef,
    /// One entry per input image, in input order.
    pub images: Vec<ImageReport>,
    pub verdict: Verdict,
}

/// Which model pack made the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PackRef {
    pub name: String,
    pub version: String,
    pub trained_on: String,
}

/// What was found in one image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageReport {
    /// The file as the user named it.
    pub file: String,
    pub width: u32,
    pub height: u32,
    pub view: View,
    pub view_confidence: f32,
    /// Why the image was not searched for screws; `None` when it was.
    pub note: Option<String>,
    /// A reservation about the labels of a searched image (a pixel scale that had to be
    /// assumed); `None` when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caution: Option<String>,
    /// `(row, column)` spacing in millimetres, when the file states a non-zero one.
    pub pixel_spacing_mm: Option<[f64; 2]>,
    pub screws: Vec<ScrewReport>,
}

/// One detected screw and its call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScrewReport {
    /// `[x0, y0, x1, y1]` in pixels of the original image, x right, y down.
    #[serde(rename = "box")]
    pub box_in_image: PixelBox,
    pub detection_score: f32,
    /// A class name of the pack, or `"uncertain"`.
    pub label: String,
    pub confidence: f32,
    pub probabilities: BTreeMap<String, f32>,
    /// The probability of "a design none of the classes", from a pack whose classifiers
    /// have that output; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_design: Option<f32>,
    /// The surgeon's own label for this screw, which the vote counts instead of `label`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrule: Option<String>,
}

impl Report {
    /// Whether any image was taken for `view` (a patient may come with one view only).
    #[must_use]
    pub fn has_view(&self, view: View) -> bool {
        self.images.iter().any(|i| i.view == view)
    }

    /// One view's vote in words, e.g. "Stryker (Stryker 5, uncertain 1)", or "no lateral
    /// image" when none was given, which is not the same as a film without screws.
    #[must_use]
    pub fn view_summary(&self, view: View) -> String {
        let tally = match view {
            View::Ap => &self.verdict.per_view.ap,
            View::Lateral => &self.verdict.per_view.lateral,
            View::Other => return String::new(),
        };
        if self.has_view(view) {
            format!("{} ({})", tally.label, tally.summary())
        } else {
            format!("no {} image", view.as_str())
        }
    }

    /// All screws of all images, with the index of their image.
    pub fn screws(&self) -> impl Iterator<Item = (usize, &ScrewReport)> {
        self.images
            .iter()
            .enumerate()
            .flat_map(|(i, img)| img.screws.iter().map(move |s| (i, s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screw(other_design: Option<f32>) -> ScrewReport {
        ScrewReport {
            box_in_image: PixelBox::from([0.0, 0.0, 10.0, 10.0]),
            detection_score: 0.9,
            label: "uncertain".to_owned(),
            confidence: 0.3,
            probabilities: BTreeMap::from([("Stryker".to_owned(), 0.25)]),
            other_design,
            overrule: None,
        }
    }

    #[test]
    fn other_design_is_in_the_json_only_when_the_pack_has_it() {
        let with = serde_json::to_value(screw(Some(0.75))).unwrap();
        assert_eq!(with["other_design"], serde_json::json!(0.75));
        let without = serde_json::to_value(screw(None)).unwrap();
        assert!(without.get("other_design").is_none(), "{without}");
        // A report written before the field existed still reads.
        let old: ScrewReport = serde_json::from_value(without).unwrap();
        assert_eq!(old.other_design, None);
    }
}
