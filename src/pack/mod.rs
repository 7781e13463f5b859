//! The model pack: a folder with a manifest, four ONNX models and their checksums.
//!
//! A pack is checked whole before anything runs: a missing file, a checksum that does not
//! match or a model tract cannot load stops the load with one error, so the app never
//! answers with half a pack.

mod error;
mod manifest;
mod model_spec;
mod onnx;
mod selftest;

use std::path::{Path, PathBuf};

pub use error::PackError;
#[cfg(test)]
pub(crate) use manifest::test_class_names;
pub use manifest::{ClassInfo, Manifest, Models, Thresholds, class_colour};
pub use model_spec::{DEFAULT_ASSUMED_LONG_SIDE_MM, ModelSpec, ScaleChannel};
pub use onnx::{ModelError, OnnxModel};
pub use selftest::{SELFTEST_FORMAT, SelfTestError, SelfTestReport, VectorResult, check_pack};

/// The schema this build of ScrewID reads.
pub const PACK_FORMAT: &str = "screwid.pack/1";

/// A loaded, verified model pack.
pub struct ModelPack {
    pub manifest: Manifest,
    pub dir: PathBuf,
    pub view: OnnxModel,
    pub detector: OnnxModel,
    pub classifier_ap: OnnxModel,
    pub classifier_lateral: OnnxModel,
}

impl ModelPack {
    /// Reads `manifest.json` in `dir`, verifies every checksum and loads the four models.
    ///
    /// # Errors
    /// Any unreadable, mismatched or unloadable file of the pack.
    pub fn load(dir: &Path) -> Result<Self, PackError> {
        let started = std::time::Instant::now();
        let manifest = Manifest::read(&dir.join("manifest.json"))?;
        manifest.verify_files(dir)?;
        let load =
            |spec: &ModelSpec| OnnxModel::load(&dir.join(&spec.file), spec.input, spec.channels());
        let pack = Self {
            view: load(&manifest.models.view)?,
            detector: load(&manifest.models.detector)?,
            classifier_ap: load(&manifest.models.classifier_ap)?,
            classifier_lateral: load(&manifest.models.classifier_lateral)?,
            dir: dir.to_path_buf(),
            manifest,
        };
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis(),
            "model pack loaded"
        );
        Ok(pack)
    }

    /// Whether the screw classifiers take the crop's scale (and so need a pixel spacing).
    #[must_use]
    pub fn classifiers_use_scale(&self) -> bool {
        let m = &self.manifest.models;
        m.classifier_ap.scale_channel.is_some() || m.classifier_lateral.scale_channel.is_some()
    }

    /// The class names in the order the classifiers output them.
    #[must_use]
    pub fn class_names(&self) -> Vec<String> {
        self.manifest
            .classes
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }
}

/// The folder of the pack bundled with this source tree.
#[must_use]
pub fn bundled_pack_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join("phantom-demo")
}

/// Where to look for a pack when none is named: `models/phantom-demo` beside the
/// executable (an installed copy), else the one in this source tree.
#[must_use]
pub fn default_pack_dir() -> PathBuf {
    let beside_exe = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join("models").join("phantom-demo")));
    match beside_exe {
        Some(dir) if dir.join("manifest.json").is_file() => dir,
        _ => bundled_pack_dir(),
    }
}
