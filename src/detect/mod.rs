//! The second stage: boxes around the screws of an AP or lateral image.
//!
//! The detector sees the whole image letterboxed into its input and answers with a
//! heatmap of screw centres plus a box size per cell (`docs/contracts.md`). Decoding,
//! suppression of duplicates and the mapping back to image pixels happen here, in that
//! order, so the ONNX graph stays plain enough for tract.

mod decode;
mod nms;

pub use decode::{Candidate, decode_heatmap};
pub use nms::non_max_suppression;

use crate::geometry::PixelBox;
use crate::letterbox::{Letterbox, to_tensor};
use crate::pack::{ModelError, ModelPack};
use crate::radiograph::GreyImage;

/// One screw found in an image, in that image's pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    pub box_in_image: PixelBox,
    pub score: f32,
}

/// Finds the screws in a display image.
///
/// # Errors
/// A failure inside the detector, or an output of another shape than the contract's.
pub fn detect_screws(pack: &ModelPack, image: &GreyImage) -> Result<Vec<Detection>, ModelError> {
    let spec = &pack.manifest.models.detector;
    let thresholds = &pack.manifest.thresholds;
    let (w, h) = image.dimensions();
    let letterbox = Letterbox::fit(w, h, spec.input[0], spec.input[1]);
    let output = pack
        .detector
        .run(to_tensor(&letterbox.apply(image), spec.mean, spec.std))?;
    let stride = spec.stride.unwrap_or(4);
    let candidates = decode_heatmap(&output, stride, thresholds.detection).map_err(|reason| {
        ModelError::Run {
            name: "detector".to_owned(),
            reason,
        }
    })?;
    let kept = non_max_suppression(candidates, thresholds.nms_iou);
    Ok(kept
        .into_iter()
        .map(|c| Detection {
            box_in_image: letterbox.box_to_source(&c.box_in_input).clamped(w, h),
            score: c.score,
        })
        .filter(|d| d.box_in_image.area() > 0.0)
        .collect())
}
