//! The third stage: a manufacturer for each detected screw, from its view's classifier.
//!
//! Each screw is cropped from the full-resolution display image (not the detector's
//! shrunken input), so thread pitch and tulip shape keep their detail. A classifier answers
//! with one logit per class of the pack, or with one more for "a design none of these
//! classes" (`docs/contracts.md`), which makes a screw of an unseen system uncertain.
//!
//! A crop is letterboxed to the classifier's input, which hides how large the screw is. A
//! pack whose classifiers have a scale channel gets it back as a second input plane,
//! constant at `log2` of the millimetres one crop pixel spans: the file's column spacing
//! divided by the crop's letterbox scale. A file without a spacing is taken to span the
//! manifest's assumed field of view along its long side, and the image's note says so.

use image::imageops;

use crate::detect::Detection;
use crate::letterbox::{Letterbox, to_tensor};
use crate::pack::{ModelError, ModelPack, ModelSpec, OnnxModel};
use crate::radiograph::GreyImage;
use crate::view::{View, argmax, softmax};

mod scale;
pub use scale::{image_spacing, with_scale_plane};

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
    /// The probability of a design none of the classes, from a K + 1-output classifier.
    pub other: Option<f32>,
}

/// Classifies every detection of one image; `spacing_mm` is the file's `(row, column)`
/// pixel spacing, when it has one.
///
/// # Errors
/// A failure inside the classifier; `view` must be AP or lateral.
pub fn classify_screws(
    pack: &ModelPack,
    image: &GreyImage,
    spacing_mm: Option<[f64; 2]>,
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
    let name = format!("classifier_{}", view.as_str());
    let temperature = spec.temperature.unwrap_or(1.0);
    let uncertain_below = pack.manifest.thresholds.screw_uncertain_below;
    let spacing = image_spacing(spec, image.dimensions(), spacing_mm);
    detections
        .iter()
        .map(|d| {
            let margin = spec.crop_margin.unwrap_or(0.15);
            let (crop, scale) = crop_screw(image, d, margin, spec.input);
            let logits = screw_logits(model, spec, &crop, spacing / scale)?;
            let (probabilities, other) = split_other(&name, &logits, names.len(), temperature)?;
            Ok(call(&names, probabilities, other, uncertain_below))
        })
        .collect()
}

/// The classifier's logits for one letterboxed crop spanning `mm_per_pixel` (used when the
/// spec has a scale channel), averaged with its mirror image's when the spec asks it.
///
/// # Errors
/// A failure inside the classifier.
pub fn screw_logits(
    model: &OnnxModel,
    spec: &ModelSpec,
    crop: &GreyImage,
    mm_per_pixel: f32,
) -> Result<Vec<f32>, ModelError> {
    let run = |c: &GreyImage| -> Result<Vec<f32>, ModelError> {
        let tensor = to_tensor(c, spec.mean, spec.std);
        let tensor = match spec.scale_channel {
            Some(_) => with_scale_plane(&tensor, mm_per_pixel),
            None => tensor,
        };
        Ok(model.run(tensor)?.iter().copied().collect())
    };
    let logits = run(crop)?;
    if !spec.average_hflip {
        return Ok(logits);
    }
    let mirror = run(&imageops::flip_horizontal(crop))?;
    Ok(logits
        .iter()
        .zip(&mirror)
        .map(|(a, b)| (a + b) / 2.0)
        .collect())
}

/// `softmax(logits / temperature)` of the model `name`, split into the `k` class
/// probabilities and, for a K + 1-output classifier, the last one, "other design".
///
/// # Errors
/// Any other number of logits: read as classes, it would shift or drop probabilities
/// without a word.
pub fn split_other(
    name: &str,
    logits: &[f32],
    k: usize,
    temperature: f32,
) -> Result<(Vec<f32>, Option<f32>), ModelError> {
    if logits.len() != k && logits.len() != k + 1 {
        return Err(ModelError::Run {
            name: name.to_owned(),
            reason: format!(
                "it gave {} logits for a pack of {k} classes; expected {k}, or {} with \"other design\" last",
                logits.len(),
                k + 1
            ),
        });
    }
    let mut probabilities = softmax(logits, temperature);
    let other = (probabilities.len() > k)
        .then(|| probabilities.pop())
        .flatten();
    Ok((probabilities, other))
}

/// Whether a screw whose top class has probability `top` is called that class: `top`
/// reaches `uncertain_below` and "other design", when the pack has it, is not more likely.
#[must_use]
pub fn is_confident(top: f32, other: Option<f32>, uncertain_below: f32) -> bool {
    top >= uncertain_below && other.is_none_or(|o| o <= top)
}

/// The screw's box grown by `margin`, clamped, cut out and letterboxed to `input`, with
/// the letterbox scale (crop pixels per image pixel).
#[must_use]
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the box is clamped to the image, so its corners are non-negative and small"
)]
pub fn crop_screw(
    image: &GreyImage,
    d: &Detection,
    margin: f32,
    input: [u32; 2],
) -> (GreyImage, f32) {
    let (w, h) = image.dimensions();
    let b = d.box_in_image.grown(margin).clamped(w, h);
    // At least one pixel, even for a box squeezed flat against the image edge.
    let x0 = (b.x0.floor() as u32).min(w - 1);
    let y0 = (b.y0.floor() as u32).min(h - 1);
    let x1 = (b.x1.ceil() as u32).clamp(x0 + 1, w);
    let y1 = (b.y1.ceil() as u32).clamp(y0 + 1, h);
    let (cw, ch) = (x1 - x0, y1 - y0);
    let cut = imageops::crop_imm(image, x0, y0, cw, ch).to_image();
    let letterbox = Letterbox::fit(cw, ch, input[0], input[1]);
    (letterbox.apply(&cut), letterbox.scale)
}

/// The label for a probability vector: the top class, or uncertain (see [`is_confident`]).
fn call(
    names: &[String],
    probabilities: Vec<f32>,
    other: Option<f32>,
    uncertain_below: f32,
) -> ScrewCall {
    let (best, confidence) = argmax(&probabilities);
    let label = match names.get(best) {
        Some(name) if is_confident(confidence, other, uncertain_below) => name.clone(),
        _ => UNCERTAIN.to_owned(),
    };
    ScrewCall {
        label,
        confidence,
        probabilities,
        other,
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
            call(&test_class_names(), vec![0.2, 0.7, 0.1], None, 0.6).label,
            "NuVasive"
        );
        assert_eq!(
            call(&test_class_names(), vec![0.4, 0.35, 0.25], None, 0.6).label,
            UNCERTAIN
        );
    }

    /// The call for `logits` over the three test classes at temperature 1.
    fn call_of(logits: &[f32], uncertain_below: f32) -> ScrewCall {
        let (p, other) = split_other("classifier_ap", logits, 3, 1.0).unwrap();
        call(&test_class_names(), p, other, uncertain_below)
    }

    #[test]
    fn three_logits_have_no_other_design() {
        let c = call_of(&[0.0, 3.0, 0.0], 0.6);
        assert_eq!(c.other, None);
        assert_eq!(c.label, "NuVasive");
        let sum: f32 = c.probabilities.iter().sum();
        assert!((sum - 1.0).abs() < 1e-6);
    }

    #[test]
    fn a_dominant_other_logit_is_uncertain() {
        // exp(4) / (3 + exp(4)) = 0.948 for "other"; each class 1 / (3 + exp(4)) = 0.017.
        let c = call_of(&[0.0, 0.0, 0.0, 4.0], 0.6);
        assert_eq!(c.label, UNCERTAIN);
        let other = c.other.unwrap();
        assert!((other - 0.948).abs() < 1e-3, "{other}");
        assert_eq!(c.probabilities.len(), 3);
        let sum: f32 = c.probabilities.iter().sum();
        assert!((sum - (1.0 - other)).abs() < 1e-6);
    }

    #[test]
    fn a_strong_known_class_wins_over_other_design() {
        // Stryker exp(5) / (exp(5) + 3) = 0.980.
        let c = call_of(&[0.0, 0.0, 5.0, 0.0], 0.6);
        assert_eq!(c.label, "Stryker");
        assert!((c.confidence - 0.980).abs() < 1e-3);
        assert!(c.other.is_some_and(|o| o < 0.01));
    }

    #[test]
    fn other_design_above_the_top_class_is_uncertain_even_under_a_low_threshold() {
        // Medtronic 0.4, other 0.45: Medtronic passes a 0.3 threshold but "other" beats it.
        let p = vec![0.4, 0.1, 0.05];
        assert_eq!(
            call(&test_class_names(), p.clone(), Some(0.45), 0.3).label,
            UNCERTAIN
        );
        assert_eq!(
            call(&test_class_names(), p, Some(0.3), 0.3).label,
            "Medtronic"
        );
    }

    #[test]
    fn k_plus_two_logits_are_an_error() {
        let message = split_other("classifier_lateral", &[0.0; 5], 3, 1.0)
            .unwrap_err()
            .to_string();
        assert!(message.contains("classifier_lateral"), "{message}");
        assert!(message.contains("5 logits"), "{message}");
        assert!(!message.contains('\n'), "{message}");
        assert!(split_other("classifier_ap", &[0.0; 2], 3, 1.0).is_err());
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
        let (crop, scale) = crop_screw(&image, &d, 0.25, [96, 96]);
        assert_eq!(crop.dimensions(), (96, 96));
        // 60 image pixels tall into 96: 1.6 crop pixels per image pixel.
        assert!((scale - 1.6).abs() < 1e-6, "{scale}");
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
            crop_screw(&image, &d, 0.15, [96, 96]).0.dimensions(),
            (96, 96)
        );
    }

    #[test]
    fn a_mirrored_reading_is_the_mean_of_the_crop_and_its_mirror() {
        let pack = crate::pack::ModelPack::load(&crate::pack::bundled_pack_dir()).unwrap();
        let model = &pack.classifier_ap;
        let plain = ModelSpec {
            average_hflip: false,
            ..pack.manifest.models.classifier_ap.clone()
        };
        let mirrored = ModelSpec {
            average_hflip: true,
            ..plain.clone()
        };
        // A crop that is not left-right symmetric, so its mirror reads differently.
        let crop = GreyImage::from_fn(128, 128, |x, y| {
            image::Luma([f32::from(u16::try_from(x * 2 + y / 3).unwrap()) / 400.0])
        });
        let a = screw_logits(model, &plain, &crop, 0.3).unwrap();
        let b = screw_logits(model, &plain, &imageops::flip_horizontal(&crop), 0.3).unwrap();
        let m = screw_logits(model, &mirrored, &crop, 0.3).unwrap();
        assert!(
            a.iter().zip(&b).any(|(x, y)| (x - y).abs() > 1e-3),
            "{a:?} {b:?}"
        );
        for ((x, y), z) in a.iter().zip(&b).zip(&m) {
            assert!(((x + y) / 2.0 - z).abs() < 1e-5, "{a:?} {b:?} {m:?}");
        }
    }
}
