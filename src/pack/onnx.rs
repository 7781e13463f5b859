//! One ONNX model under tract, with a fixed `[1, C, H, W]` input (C = 1, or 2 for a screw
//! classifier with a scale channel).

use std::path::{Path, PathBuf};

use ndarray::{Array4, ArrayD};
use tract_onnx::prelude::*;

/// A model that cannot be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("cannot load ONNX model ({reason}); rebuild the pack with screwid-train: {}", path.display())]
    Load { reason: String, path: PathBuf },

    #[error("model {name} failed to run: {reason}")]
    Run { name: String, reason: String },
}

/// A model optimised for one input shape, ready to run.
pub struct OnnxModel {
    name: String,
    plan: Arc<TypedRunnableModel>,
    /// `[width, height]` of the input.
    pub input: [u32; 2],
    /// Input channels.
    pub channels: u32,
}

impl OnnxModel {
    /// Loads `path` and optimises it for a `[1, channels, height, width]` input.
    ///
    /// # Errors
    /// A file tract cannot read, or a graph it cannot type for that shape.
    pub fn load(path: &Path, input: [u32; 2], channels: u32) -> Result<Self, ModelError> {
        let fail = |e: anyhow::Error| ModelError::Load {
            reason: format!("{e:#}")
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned(),
            path: path.to_path_buf(),
        };
        let [w, h] = input;
        let shape = [1, channels as usize, h as usize, w as usize];
        let plan = tract_onnx::onnx()
            .model_for_path(path)
            .and_then(|m| m.with_input_fact(0, f32::fact(shape).into()))
            .and_then(tract_onnx::prelude::InferenceModelExt::into_optimized)
            .and_then(tract_onnx::prelude::IntoRunnable::into_runnable)
            .map_err(fail)?;
        let name = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        Ok(Self {
            name,
            plan,
            input,
            channels,
        })
    }

    /// Runs the model on one input tensor and returns its first output.
    ///
    /// # Errors
    /// A shape that does not match, or a failure inside tract.
    pub fn run(&self, input: Array4<f32>) -> Result<ArrayD<f32>, ModelError> {
        let fail = |e: anyhow::Error| ModelError::Run {
            name: self.name.clone(),
            reason: format!("{e:#}"),
        };
        let outputs = self
            .plan
            .run(tvec!(Tensor::from(input).into()))
            .map_err(fail)?;
        let first = outputs.first().ok_or_else(|| ModelError::Run {
            name: self.name.clone(),
            reason: "no output".to_owned(),
        })?;
        let view = first.to_plain_array_view::<f32>().map_err(fail)?;
        Ok(view.to_owned())
    }
}
