//! The second stage: boxes around the screws of an AP or lateral image.
//!
//! The detector sees the whole image letterboxed into its input and answers with a
//! heatmap of screw centres plus a box size per cell, and optionally a second screw per
//! peak (`docs/contracts.md`). Decoding, suppression of duplicates, adding the second
//! screws and the mapping back to image pixels happen here, in that order, so the ONNX
//! graph stays plain enough for tract.

mod decode;
mod nms;
mod partner;

pub use decode::{Candidate, decode_heatmap};
pub use nms::non_max_suppression;
pub use partner::{Partner, add_partners};

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
    let pair = thresholds.pair.unwrap_or(thresholds.detection);
    let kept = boxes_in_input(
        &output,
        stride,
        (thresholds.detection, pair),
        thresholds.nms_iou,
    )
    .map_err(|reason| ModelError::Run {
        name: "detector".to_owned(),
        reason,
    })?;
    Ok(kept
        .into_iter()
        .map(|c| Detection {
            box_in_image: letterbox.box_to_source(&c.box_in_input).clamped(w, h),
            score: c.score,
        })
        .filter(|d| d.box_in_image.area() > 0.0)
        .collect())
}

/// The screws of a detector output in input pixels: peaks, NMS over them, then the second
/// screws of the peaks that have one. `(threshold, pair)`: the least score of a peak and of
/// a second screw (its own threshold, since on an AP film a second screw is rare and a
/// false one is a phantom screw on the report).
///
/// # Errors
/// An output of another shape than the contract's, as a reason.
pub fn boxes_in_input(
    output: &ndarray::ArrayD<f32>,
    stride: u32,
    (threshold, pair): (f32, f32),
    nms_iou: f32,
) -> Result<Vec<Candidate>, String> {
    let candidates = decode_heatmap(output, stride, threshold)?;
    let kept = non_max_suppression(candidates, nms_iou);
    Ok(add_partners(kept, pair, nms_iou))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array4, ArrayD};

    const STRIDE: u32 = 4;

    /// A 10-channel output with peaks of `score` at (row 2, col 3) and, when `second` is
    /// set, at (row 2, col 9); every box is 8 × 16 cells. The first peak's partner has
    /// probability `pair`, centre offset `partner_dx` cells in x and the same size.
    fn output(score: f32, pair: f32, partner_dx: f32, second: bool) -> ArrayD<f32> {
        let mut out = Array4::<f32>::zeros((1, 10, 6, 12));
        let mut peak = |i: usize| {
            out[[0, 0, 2, i]] = score;
            out[[0, 3, 2, i]] = 8f32.ln();
            out[[0, 4, 2, i]] = 16f32.ln();
        };
        peak(3);
        if second {
            peak(9);
        }
        out[[0, 5, 2, 3]] = pair;
        out[[0, 6, 2, 3]] = partner_dx;
        out[[0, 8, 2, 3]] = 8f32.ln();
        out[[0, 9, 2, 3]] = 16f32.ln();
        out.into_dyn()
    }

    #[test]
    fn a_likely_pair_gives_two_boxes_even_at_iou_0_9() {
        // Two 32-px-wide boxes shifted by d overlap at IoU (32 - d) / (32 + d); 0.9 at
        // d = 32 / 19 px, i.e. 8 / 19 of a 4-px cell.
        let found = boxes_in_input(
            &output(0.9, 0.9, 8.0 / 19.0, false),
            STRIDE,
            (0.3, 0.3),
            0.5,
        );
        let found = found.unwrap();
        assert_eq!(found.len(), 2);
        let iou = found[0].box_in_input.iou(&found[1].box_in_input);
        assert!((iou - 0.9).abs() < 1e-3, "{iou}");
        assert!((found[1].score - 0.81).abs() < 1e-6);
    }

    #[test]
    fn an_unlikely_pair_gives_one_box() {
        let found = boxes_in_input(
            &output(0.9, 0.1, 8.0 / 19.0, false),
            STRIDE,
            (0.3, 0.3),
            0.5,
        );
        assert_eq!(found.unwrap().len(), 1);
    }

    #[test]
    fn a_partner_on_another_kept_screw_is_suppressed() {
        // The partner sits 6 cells right of the first peak: exactly on the second peak.
        let found = boxes_in_input(&output(0.9, 0.9, 6.0, true), STRIDE, (0.3, 0.3), 0.5).unwrap();
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|c| (c.score - 0.9).abs() < 1e-6));
    }

    #[test]
    fn a_five_channel_output_behaves_as_before() {
        let ten = output(0.9, 0.0, 0.0, true);
        let five = ten
            .slice(ndarray::s![.., ..5, .., ..])
            .to_owned()
            .into_dyn();
        let found = boxes_in_input(&five, STRIDE, (0.3, 0.3), 0.5).unwrap();
        // Both peaks, 8 × 16 cells = 32 × 64 px, centred on their cells.
        let centres: Vec<(f32, f32)> = found.iter().map(|c| c.box_in_input.centre()).collect();
        assert_eq!(centres, vec![(12.0, 8.0), (36.0, 8.0)]);
        assert!(found.iter().all(|c| c.partner.is_none()));
    }

    #[test]
    fn a_seven_channel_output_is_an_error() {
        let out = Array4::<f32>::zeros((1, 7, 6, 12)).into_dyn();
        assert!(boxes_in_input(&out, STRIDE, (0.3, 0.3), 0.5).is_err());
    }
}
