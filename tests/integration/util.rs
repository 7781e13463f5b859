//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use screwid::geometry::PixelBox;
use serde::Deserialize;

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `shared` folder beside the repository (or `SCREWID_SHARED_DIR`), when present.
///
/// Absent, the caller skips with a printed reason, except under
/// `SCREWID_REQUIRE_SHARED=1` (CI), where a missing folder is a failure.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SCREWID_SHARED_DIR")
        .map_or_else(|| root().join("..").join("shared"), PathBuf::from);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("SCREWID_REQUIRE_SHARED").as_deref() != Ok("1"),
        "SCREWID_REQUIRE_SHARED=1 but the shared folder is missing: {}",
        dir.display()
    );
    eprintln!("skipping: shared folder not found at {}", dir.display());
    None
}

/// A bundled sample patient and its generator labels.
#[derive(Debug, Deserialize)]
pub struct Truth {
    pub patient: String,
    pub mixed: bool,
    pub designs: Vec<String>,
    pub images: Vec<TruthImage>,
}

#[derive(Debug, Deserialize)]
pub struct TruthImage {
    pub file: String,
    pub view: String,
    pub screws: Vec<TruthScrew>,
}

#[derive(Debug, Deserialize)]
pub struct TruthScrew {
    #[serde(rename = "box")]
    pub box_in_image: PixelBox,
    pub label: String,
}

/// Every bundled sample: its folder and its truth.
pub fn samples() -> Vec<(PathBuf, Truth)> {
    let dir = root().join("assets").join("samples");
    let mut found: Vec<(PathBuf, Truth)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("no samples folder ({e}): {}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("truth.json").is_file())
        .map(|p| {
            let text = std::fs::read_to_string(p.join("truth.json")).unwrap();
            let truth: Truth = serde_json::from_str(&text).unwrap();
            (p, truth)
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!found.is_empty(), "no sample patients in {}", dir.display());
    found
}

/// The label most truth screws of a patient carry.
pub fn majority_label(truth: &Truth) -> String {
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for s in truth.images.iter().flat_map(|i| &i.screws) {
        *counts.entry(s.label.as_str()).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(l, _)| l.to_owned())
        .unwrap_or_default()
}
