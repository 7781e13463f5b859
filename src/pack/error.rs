//! What can go wrong while loading a model pack.

use std::path::PathBuf;

use super::onnx::ModelError;

/// A model pack that cannot be used. Messages end with the path concerned.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("cannot read the model pack manifest ({source}); choose a pack folder that holds manifest.json: {}", path.display())]
    ReadManifest {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("the model pack manifest is not valid ({source}); rebuild the pack with screwid-train: {}", path.display())]
    ParseManifest {
        path: PathBuf,
        source: serde_json::Error,
    },

    #[error("model pack format {found:?} is not {expected:?}; use a pack made for this version of ScrewID: {}", path.display())]
    Format {
        found: String,
        expected: &'static str,
        path: PathBuf,
    },

    #[error("the model pack manifest is inconsistent: {reason}: {}", path.display())]
    Inconsistent { reason: String, path: PathBuf },

    #[error("model pack file is missing or unreadable ({source}): {}", path.display())]
    ReadFile {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("model pack file does not match its checksum (damaged or replaced); reinstall the pack: {}", path.display())]
    Checksum { path: PathBuf },

    #[error(transparent)]
    Model(#[from] ModelError),
}
