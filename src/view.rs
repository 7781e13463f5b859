//! The first stage: is an image an AP or a lateral spine film, or neither?
//!
//! Only AP and lateral images go on to the detector. Anything else (a chest, hip or leg
//! film, a CT or MR slice) is reported with the reason it was not searched.

use serde::{Deserialize, Serialize};

use crate::letterbox::{Letterbox, to_tensor};
use crate::pack::{ModelError, ModelPack};
use crate::radiograph::Radiograph;

/// The projection of a radiograph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    Ap,
    Lateral,
    Other,
}

impl View {
    /// The name used in reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ap => "ap",
            Self::Lateral => "lateral",
            Self::Other => "other",
        }
    }
}

/// What the view stage decided about one image.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewDecision {
    pub view: View,
    /// The model's probability for the view it chose (for "other" set by a rule, 1).
    pub confidence: f32,
    /// Why the image will not be searched for screws, if it will not.
    pub note: Option<String>,
}

/// Modalities that are never projection radiographs.
const CROSS_SECTIONAL: [&str; 4] = ["CT", "MR", "PT", "NM"];

/// Decides the view of one radiograph.
///
/// # Errors
/// A failure inside the view model.
pub fn classify_view(
    pack: &ModelPack,
    radiograph: &Radiograph,
) -> Result<ViewDecision, ModelError> {
    if let Some(modality) = radiograph.info.modality.as_deref()
        && CROSS_SECTIONAL.contains(&modality)
    {
        return Ok(ViewDecision {
            view: View::Other,
            confidence: 1.0,
            note: Some(format!(
                "modality {modality} is a cross-sectional image, not a radiograph; open the AP or lateral spine film"
            )),
        });
    }
    let spec = &pack.manifest.models.view;
    let (w, h) = radiograph.image.dimensions();
    let input = Letterbox::fit(w, h, spec.input[0], spec.input[1]).apply(&radiograph.image);
    let logits = pack.view.run(to_tensor(&input, spec.mean, spec.std))?;
    let probs = softmax(logits.as_slice().unwrap_or_default(), 1.0);
    Ok(decide(
        &spec.outputs,
        &probs,
        pack.manifest.thresholds.view_other_below,
    ))
}

/// Picks the view from the model's probabilities, named in `outputs` order.
fn decide(outputs: &[String], probs: &[f32], other_below: f32) -> ViewDecision {
    let (best, p) = argmax(probs);
    let view = match outputs.get(best).map(String::as_str) {
        Some("ap") => View::Ap,
        Some("lateral") => View::Lateral,
        _ => View::Other,
    };
    if view == View::Other {
        return ViewDecision {
            view,
            confidence: p,
            note: Some("not an AP or lateral spine radiograph; open the spine films".to_owned()),
        };
    }
    if p < other_below {
        return ViewDecision {
            view: View::Other,
            confidence: p,
            note: Some(format!(
                "view unclear (best guess {} at {:.0} %); open a clearer AP or lateral film",
                view.as_str(),
                p * 100.0
            )),
        };
    }
    ViewDecision {
        view,
        confidence: p,
        note: None,
    }
}

/// `softmax(logits / temperature)`, stable for large logits.
#[must_use]
pub fn softmax(logits: &[f32], temperature: f32) -> Vec<f32> {
    let t = if temperature > 0.0 { temperature } else { 1.0 };
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|l| ((l - max) / t).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.iter().map(|e| e / sum).collect()
}

/// The index and value of the largest element; `(0, 0.0)` for an empty slice.
#[must_use]
pub fn argmax(values: &[f32]) -> (usize, f32) {
    values.iter().copied().enumerate().fold(
        (0, 0.0),
        |best, (i, v)| if v > best.1 { (i, v) } else { best },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        ["ap", "lateral", "other"].map(String::from).to_vec()
    }

    #[test]
    fn softmax_of_equal_logits_is_uniform_and_temperature_flattens() {
        let p = softmax(&[2.0, 2.0], 1.0);
        assert!((p[0] - 0.5).abs() < 1e-6);
        // ln(3) apart: probabilities 3/4 and 1/4; at T = 2 the ratio is sqrt(3).
        let p = softmax(&[3f32.ln(), 0.0], 1.0);
        assert!((p[0] - 0.75).abs() < 1e-6);
        let p = softmax(&[3f32.ln(), 0.0], 2.0);
        assert!((p[0] / p[1] - 3f32.sqrt()).abs() < 1e-5);
    }

    #[test]
    fn confident_lateral_is_kept() {
        let d = decide(&names(), &[0.1, 0.85, 0.05], 0.5);
        assert_eq!(d.view, View::Lateral);
        assert!(d.note.is_none());
    }

    #[test]
    fn weak_or_other_view_is_not_searched() {
        let weak = decide(&names(), &[0.45, 0.4, 0.15], 0.5);
        assert_eq!(weak.view, View::Other);
        assert!(weak.note.unwrap().contains("best guess ap"));
        let other = decide(&names(), &[0.1, 0.1, 0.8], 0.5);
        assert_eq!(other.view, View::Other);
    }
}
