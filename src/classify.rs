//! The third stage: a manufacturer for each detected screw, from its view's classifier.
//!
//! Each screw is cropped from the full-resolution display image (not the detector's
//! shrunken input), so thread pitch and tulip shape keep their detail.

use image::imageops;

use crate::detect::Detection;
use crate::letterbox::{Letterbox, to_tensor};
use crate::pack::{ModelError, ModelPack, OnnxModel};
use crate::radiograph::GreyImage;
use crate::view::{View, argmax, softmax};

/// The label of a screw no class claims with enough confidence.
pub const UNCERTAIN: &str = "uncertain";

/// The classifier's answer for one screw.
#[derive(Clone, Debug, PartialEq)]
pub struct ScrewCall {
    /// A class name of the pack, or [`UNCERTAIN`].
    pub label: String,
    /// The top class probability.
    pub confidence: f32,
    /// One probability per class, in the pack's class order.
    pub probabilities: Vec<f32>,
}

/// Classifies every detection of one image.
///
/// # Errors
/// A failure inside the classifier; `view` must be AP or lateral.
pub fn classify_screws(
    pack: &ModelPack,
    image: &GreyImage,
    view: View,
    detections: &[Detection],
) -> Result<Vec<ScrewCall>, ModelError> {
    let (model, spec) = match view {
        View::Ap => (&pack.classifier_ap, &pack.manifest.models.classifier_ap),
        View::Lateral => (
            &pack.classifier_lateral,
            &pack.manifest.models.classifier_lateral,
        ),
        View::Other => {
            return Err(ModelError::Run {
                name: "classifier".to_owned(),
                reason: "no classifier for an image that is neither AP nor lateral".to_owned(),
            });
        }
    };
    let names = pack.class_names();
    let temperature = spec.temperature.unwrap_or(1.0);
    let uncertain_below = pack.manifest.thresholds.screw_uncertain_below;
    detections
        .iter()
        .map(|d| {
            let crop = crop_screw(image, d, spec.crop_margin.unwrap_or(0.15), spec.input);
            let probabilities = run_classifier(model, &crop, spec.mean, spec.std, temperature)?;
            Ok(call(&names, probabilities, uncertain_below))
        })
        .collect()
}

/// The screw's box grown by `margin`, clamped, cut out and letterboxed to `input`.
#[must_use]
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the box is clamped to the image, so its corners are non-negative and small"
)]
pub fn crop_screw(image: &GreyImage, d: &Detection, margin: f32, input: [u32; 2]) -> GreyImage {
    let (w, h) = image.dimensions();
    let b = d.box_in_image.grown(margin).clamped(w, h);
    // At least one pixel, even for a box squeezed flat against the image edge.
    let x0 = (b.x0.floor() as u32).min(w - 1);
    let y0 = (b.y0.floor() as u32).min(h - 1);
    let x1 = (b.x1.ceil() as u32).clamp(x0 + 1, w);
    let y1 = (b.y1.ceil() as u32).clamp(y0 + 1, h);
    let (cw, ch) = (x1 - x0, y1 - y0);
    let cut = imageops::crop_imm(image, x0, y0, cw, ch).to_image();
    Letterbox::fit(cw, ch, input[0], input[1]).apply(&cut)
}

fn run_classifier(
    model: &OnnxModel,
    crop: &GreyImage,
    mean: f32,
    std: f32,
    temperature: f32,
) -> Result<Vec<f32>, ModelError> {
    let logits = model.run(to_tensor(crop, mean, std))?;
    Ok(softmax(logits.as_slice().unwrap_or_default(), temperature))
}

/// The label for a probability vector: the top class, or uncertain below the threshold.
fn call(names: &[String], probabilities: Vec<f32>, uncertain_below: f32) -> ScrewCall {
    let (best, confidence) = argmax(&probabilities);
    let label = match names.get(best) {
        Some(name) if confidence >= uncertain_below => name.clone(),
        _ => UNCERTAIN.to_owned(),
    };
    ScrewCall {
        label,
        confidence,
        probabilities,
    }
}

#[cfg(test)]
#[expect(clippy::float_cmp, reason = "padding and normalised values are exact")]
mod tests {
    use super::*;
    use crate::geometry::PixelBox;
    use crate::pack::test_class_names;
    use image::Luma;

    #[test]
    fn low_top_probability_is_uncertain() {
        assert_eq!(
            call(&test_class_names(), vec![0.2, 0.7, 0.1], 0.6).label,
            "NuVasive"
        );
        assert_eq!(
            call(&test_class_names(), vec![0.4, 0.35, 0.25], 0.6).label,
            UNCERTAIN
        );
    }

    #[test]
    fn crop_takes_the_box_with_margin_from_the_full_image() {
        // A bright 20 × 40 block at (100, 50) in a dark image: the crop with 25 % margin is
        // 30 × 60, so the block fills the middle half of its height in a 96² input.
        let mut image = GreyImage::new(300, 200);
        for y in 50..90 {
            for x in 100..120 {
                image.put_pixel(x, y, Luma([1.0]));
            }
        }
        let d = Detection {
            box_in_image: PixelBox::from([100.0, 50.0, 120.0, 90.0]),
            score: 1.0,
        };
        let crop = crop_screw(&image, &d, 0.25, [96, 96]);
        assert_eq!(crop.dimensions(), (96, 96));
        assert!(crop.get_pixel(48, 48)[0] > 0.99);
        assert!(crop.get_pixel(48, 5)[0] < 0.01);
        // Letterbox padding left and right: the crop is half as wide as tall.
        assert_eq!(crop.get_pixel(2, 48)[0], 0.0);
    }

    #[test]
    fn crop_at_the_image_corner_stays_inside() {
        let image = GreyImage::new(50, 50);
        let d = Detection {
            box_in_image: PixelBox::from([45.0, 45.0, 60.0, 60.0]),
            score: 1.0,
        };
        assert_eq!(
            crop_screw(&image, &d, 0.15, [96, 96]).dimensions(),
            (96, 96)
        );
    }
}
