//! One model entry of the pack manifest: its file, input shape, normalisation and the
//! screw classifiers' extras (temperature, crop margin, scale channel), and the range checks
//! a value must pass.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// One model file and how to feed it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ModelSpec {
    pub file: String,
    /// `[width, height]` of the model input.
    pub input: [u32; 2],
    pub mean: f32,
    pub std: f32,
    /// Output names in order, for classifiers that name them (the view model).
    #[serde(default)]
    pub outputs: Vec<String>,
    /// Output cell size in input pixels (the detector).
    #[serde(default)]
    pub stride: Option<u32>,
    /// Softmax temperature fitted on validation data (the screw classifiers).
    #[serde(default)]
    pub temperature: Option<f32>,
    /// How much of the box's size to add on each side before cropping a screw.
    #[serde(default)]
    pub crop_margin: Option<f32>,
    /// A second input channel carrying the crop's physical scale (the screw classifiers);
    /// absent, the model takes the image alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_channel: Option<ScaleChannel>,
    /// Millimetres along the long side assumed for a file without a pixel spacing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumed_long_side_mm: Option<f32>,
    /// Read each screw as the mean of the logits of its crop and of the crop's mirror
    /// image (the screw classifiers): a screw's design does not depend on its side.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub average_hflip: bool,
}

/// What a scale channel holds; the only kind so far is the toolkit's `scale.py`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleChannel {
    /// `log2` of the millimetres one crop pixel spans, constant over the plane.
    Log2MmPerPixel,
}

/// The field of view assumed when neither the file nor the manifest gives one: a lumbar
/// film is 35 x 43 cm.
pub const DEFAULT_ASSUMED_LONG_SIDE_MM: f32 = 400.0;

impl ModelSpec {
    /// Input channels: the image, and the scale plane when the model has one.
    #[must_use]
    pub fn channels(&self) -> u32 {
        if self.scale_channel.is_some() { 2 } else { 1 }
    }
}

/// Model inputs larger than this on a side are refused: the app's models take a few
/// hundred pixels, and a typo of 51200 would allocate gigabytes per run.
const MAX_INPUT_SIDE: u32 = 4096;

/// Why a model entry cannot be right (a path outside the pack, a huge input, a bad
/// number), or `None`.
pub(super) fn out_of_range(m: &ModelSpec) -> Option<String> {
    let file = Path::new(&m.file);
    let plain = file.components().count() == 1
        && matches!(
            file.components().next(),
            Some(std::path::Component::Normal(_))
        );
    if !plain {
        return Some(format!(
            "model file {:?} is not a file name inside the pack",
            m.file
        ));
    }
    if m.input.iter().any(|&side| side > MAX_INPUT_SIDE) {
        return Some(format!(
            "{} has an input side over {MAX_INPUT_SIDE}",
            m.file
        ));
    }
    if !m.mean.is_finite() || !m.std.is_finite() {
        return Some(format!("{} has a mean or std that is not a number", m.file));
    }
    if m.temperature.is_some_and(|t| !(t.is_finite() && t > 0.0)) {
        return Some(format!("{} has a temperature that is not positive", m.file));
    }
    if m.crop_margin.is_some_and(|c| !(0.0..=2.0).contains(&c)) {
        return Some(format!("{} has a crop margin outside 0 to 2", m.file));
    }
    if m.assumed_long_side_mm
        .is_some_and(|mm| !(mm.is_finite() && (10.0..=2000.0).contains(&mm)))
    {
        return Some(format!(
            "{} assumes a field of view outside 10 to 2000 mm",
            m.file
        ));
    }
    None
}
