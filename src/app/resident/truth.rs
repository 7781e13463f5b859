//! The known answer of a case: a `truth.json` beside its files, as the samples and the
//! toolkit's phantoms carry (shape in `docs/contracts.md`).
//!
//! Only the manufacturers and the screw boxes are read; the file's patient field is left
//! alone, so it can never reach a saved read.

use std::path::Path;

use serde::Deserialize;

use crate::geometry::PixelBox;

/// A detected box matches a truth box at this overlap or more.
pub const MATCH_IOU: f32 = 0.5;

/// What `truth.json` says about a case.
#[derive(Clone, Debug, Deserialize)]
pub struct Truth {
    /// The manufacturers (designs) of the patient's screws.
    pub designs: Vec<String>,
    pub images: Vec<TruthImage>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct TruthImage {
    pub file: String,
    pub screws: Vec<TruthScrew>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct TruthScrew {
    #[serde(rename = "box")]
    pub box_in_image: PixelBox,
    pub label: String,
}

impl Truth {
    /// The `truth.json` in `dir`, if there is one that parses.
    pub fn beside(dir: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(dir.join("truth.json")).ok()?;
        serde_json::from_str(&text)
            .map_err(|e| tracing::warn!("ignoring the case's truth.json: {e}"))
            .ok()
    }

    /// The label of the truth screw in image `file` that best overlaps `found`, when the
    /// overlap is at least [`MATCH_IOU`].
    #[must_use]
    pub fn screw_label(&self, file: &str, found: &PixelBox) -> Option<String> {
        let image = self.images.iter().find(|i| i.file == file)?;
        image
            .screws
            .iter()
            .map(|s| (s.box_in_image.iou(found), s))
            .filter(|(iou, _)| *iou >= MATCH_IOU)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, s)| s.label.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_screw_takes_the_label_of_the_box_it_overlaps() {
        let truth: Truth = serde_json::from_str(
            r#"{"patient": "X", "designs": ["A", "B"], "images": [{"file": "ap.dcm",
                "screws": [{"box": [0, 0, 10, 10], "label": "A"},
                           {"box": [20, 0, 30, 10], "label": "B"}]}]}"#,
        )
        .unwrap();
        let near_b = PixelBox::from([21.0, 0.0, 31.0, 10.0]); // IoU 9/11 with B
        assert_eq!(truth.screw_label("ap.dcm", &near_b).as_deref(), Some("B"));
        let between = PixelBox::from([5.0, 0.0, 25.0, 10.0]); // IoU 1/4 with each
        assert_eq!(truth.screw_label("ap.dcm", &between), None);
        assert_eq!(truth.screw_label("lateral.dcm", &near_b), None);
    }
}
