//! The pack manifest (`manifest.json`), as written by the training toolkit.
//!
//! The field names are the contract in `docs/contracts.md`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::model_spec::{ModelSpec, out_of_range as model_out_of_range};
use super::{PACK_FORMAT, PackError};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub name: String,
    pub version: String,
    /// What the models were trained on, in words the app shows.
    pub trained_on: String,
    pub classes: Vec<ClassInfo>,
    pub models: Models,
    pub thresholds: Thresholds,
    #[serde(default)]
    pub metrics: serde_json::Value,
    /// Hex sha256 of every file of the pack but the manifest.
    pub sha256: BTreeMap<String, String>,
}

/// A manufacturer the classifiers know, with its drawing colour.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ClassInfo {
    pub name: String,
    pub colour: [u8; 3],
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Models {
    pub view: ModelSpec,
    pub detector: ModelSpec,
    pub classifier_ap: ModelSpec,
    pub classifier_lateral: ModelSpec,
}

/// Decision thresholds tuned with the pack.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Thresholds {
    pub detection: f32,
    pub nms_iou: f32,
    /// A screw whose top probability is below this is "uncertain" and casts no vote.
    pub screw_uncertain_below: f32,
    /// An image whose top view probability is below this, or whose top view is "other",
    /// is not searched.
    pub view_other_below: f32,
    /// A second manufacturer with at least this share of the confident screws ...
    pub mixed_min_share: f32,
    /// ... and at least this many of them makes the patient "mixed" ...
    pub mixed_min_screws: u32,
    /// ... when it also has at least this many confident screws in each view that has
    /// any: every screw shows on both films, while misreads cluster on one. 0 when absent
    /// (packs before 0.5.0).
    #[serde(default)]
    pub mixed_min_per_view: u32,
    /// The least score of a second screw under a detector peak (10-channel detectors);
    /// `detection` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pair: Option<f32>,
}

/// The bundled pack's class names, for unit tests of the stages that take them.
#[cfg(test)]
pub(crate) fn test_class_names() -> Vec<String> {
    ["Medtronic", "NuVasive", "Stryker"]
        .map(String::from)
        .to_vec()
}

impl Thresholds {
    /// Round values for unit tests of the stages that read thresholds.
    #[cfg(test)]
    pub(crate) fn for_tests() -> Self {
        Self {
            detection: 0.3,
            nms_iou: 0.5,
            screw_uncertain_below: 0.6,
            view_other_below: 0.5,
            mixed_min_share: 0.2,
            mixed_min_screws: 2,
            mixed_min_per_view: 0,
            pair: None,
        }
    }
}

impl Manifest {
    /// Reads and checks a manifest.
    ///
    /// # Errors
    /// An unreadable file, invalid JSON, another pack format, or a manifest whose parts
    /// disagree.
    pub fn read(path: &Path) -> Result<Self, PackError> {
        let text = std::fs::read_to_string(path).map_err(|source| PackError::ReadManifest {
            path: path.to_path_buf(),
            source,
        })?;
        let manifest: Self =
            serde_json::from_str(&text).map_err(|source| PackError::ParseManifest {
                path: path.to_path_buf(),
                source,
            })?;
        if manifest.format != PACK_FORMAT {
            return Err(PackError::Format {
                found: manifest.format,
                expected: PACK_FORMAT,
                path: path.to_path_buf(),
            });
        }
        manifest.check(path)?;
        Ok(manifest)
    }

    fn check(&self, path: &Path) -> Result<(), PackError> {
        let fail = |reason: &str| {
            Err(PackError::Inconsistent {
                reason: reason.to_owned(),
                path: path.to_path_buf(),
            })
        };
        if self.classes.len() < 2 {
            return fail("fewer than two classes");
        }
        if self.models.view.outputs.len() != 3 {
            return fail("the view model must name its three outputs");
        }
        if self.models.detector.stride.is_none_or(|s| s == 0) {
            return fail("the detector has no stride");
        }
        let all = [
            &self.models.view,
            &self.models.detector,
            &self.models.classifier_ap,
            &self.models.classifier_lateral,
        ];
        if all
            .iter()
            .any(|m| m.input[0] == 0 || m.input[1] == 0 || m.std <= 0.0)
        {
            return fail("a model has a zero input side or a non-positive std");
        }
        if let Some(missing) = all.iter().find(|m| !self.sha256.contains_key(&m.file)) {
            return fail(&format!("no checksum for {}", missing.file));
        }
        if let Some(reason) = self.out_of_range() {
            return fail(&reason);
        }
        Ok(())
    }

    /// The first value a pack could only have by mistake: a threshold outside [0, 1], a
    /// model input too large to allocate, a file outside the pack, a class named like a
    /// verdict word. A hand-edited manifest must fail here, not as odd answers later.
    fn out_of_range(&self) -> Option<String> {
        let t = &self.thresholds;
        let unit = [
            ("detection", t.detection),
            ("nms_iou", t.nms_iou),
            ("screw_uncertain_below", t.screw_uncertain_below),
            ("view_other_below", t.view_other_below),
            ("mixed_min_share", t.mixed_min_share),
            ("pair", t.pair.unwrap_or(t.detection)),
        ];
        if let Some((name, v)) = unit.iter().find(|(_, v)| !(0.0..=1.0).contains(v)) {
            return Some(format!("threshold {name} is {v}, outside 0 to 1"));
        }
        let models = [
            &self.models.view,
            &self.models.detector,
            &self.models.classifier_ap,
            &self.models.classifier_lateral,
        ];
        for m in models {
            if let Some(reason) = model_out_of_range(m) {
                return Some(reason);
            }
        }
        let mut names: Vec<&str> = self.classes.iter().map(|c| c.name.as_str()).collect();
        if let Some(bad) = names.iter().find(|n| n.is_empty() || RESERVED.contains(n)) {
            return Some(format!("class name {bad:?} is empty or a verdict word"));
        }
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Some("two classes share a name".to_owned());
        }
        None
    }

    /// Checks every listed file against its sha256.
    ///
    /// # Errors
    /// A file that is missing or whose checksum differs.
    pub fn verify_files(&self, dir: &Path) -> Result<(), PackError> {
        for (file, expected) in &self.sha256 {
            let path = dir.join(file);
            let bytes = std::fs::read(&path).map_err(|source| PackError::ReadFile {
                path: path.clone(),
                source,
            })?;
            let actual = hex(&Sha256::digest(&bytes));
            if !actual.eq_ignore_ascii_case(expected) {
                return Err(PackError::Checksum { path });
            }
        }
        Ok(())
    }

    /// The drawing colour of a class, grey for anything the pack does not know.
    #[must_use]
    pub fn colour_of(&self, label: &str) -> [u8; 3] {
        class_colour(&self.classes, label)
    }
}

/// The drawing colour of `label` among `classes`, grey for a label they do not hold.
#[must_use]
pub fn class_colour(classes: &[ClassInfo], label: &str) -> [u8; 3] {
    classes
        .iter()
        .find(|c| c.name == label)
        .map_or([150, 150, 150], |c| c.colour)
}

/// Labels the vote itself uses (`classify::UNCERTAIN`, `vote::NONE`; spelled out here
/// because the pack sits below those stages); a class may not be called so.
const RESERVED: [&str; 2] = ["uncertain", "none"];

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::ScaleChannel;

    /// The bundled manifest with one value replaced, checked as `Manifest::read` would.
    fn bundled_with(pointer: &str, value: serde_json::Value) -> Result<(), PackError> {
        let path = crate::pack::bundled_pack_dir().join("manifest.json");
        let mut json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        *json.pointer_mut(pointer).unwrap() = value;
        let manifest: Manifest = serde_json::from_value(json).unwrap();
        manifest.check(&path)
    }

    #[test]
    fn the_bundled_manifest_is_in_range() {
        bundled_with("/thresholds/detection", serde_json::json!(0.3)).unwrap();
    }

    #[test]
    fn values_a_pack_could_only_have_by_mistake_are_refused() {
        let bad = [
            ("/thresholds/screw_uncertain_below", serde_json::json!(60.0)),
            ("/thresholds/nms_iou", serde_json::json!(-0.1)),
            ("/models/detector/input", serde_json::json!([51200, 512])),
            ("/models/view/file", serde_json::json!("../../etc/passwd")),
            ("/models/classifier_ap/temperature", serde_json::json!(0.0)),
            ("/models/classifier_ap/crop_margin", serde_json::json!(5.0)),
            (
                "/models/classifier_ap/assumed_long_side_mm",
                serde_json::json!(0.0),
            ),
            ("/classes/0/name", serde_json::json!("uncertain")),
            ("/classes/1/name", serde_json::json!("Medtronic")),
        ];
        for (pointer, value) in bad {
            let result = bundled_with(pointer, value.clone());
            assert!(
                matches!(result, Err(PackError::Inconsistent { .. })),
                "{pointer} = {value} was accepted"
            );
        }
    }

    #[test]
    fn the_bundled_classifiers_take_their_scale() {
        let path = crate::pack::bundled_pack_dir().join("manifest.json");
        let manifest = Manifest::read(&path).unwrap();
        let ap = &manifest.models.classifier_ap;
        assert_eq!(ap.scale_channel, Some(ScaleChannel::Log2MmPerPixel));
        assert_eq!((ap.channels(), manifest.models.view.channels()), (2, 1));
    }

    #[test]
    fn a_pack_without_the_per_view_mixed_count_reads_as_zero() {
        // Packs before 0.5.0 have no `mixed_min_per_view`: their mixed rule is unchanged.
        let path = crate::pack::bundled_pack_dir().join("manifest.json");
        let mut json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        json["thresholds"]
            .as_object_mut()
            .unwrap()
            .remove("mixed_min_per_view");
        let manifest: Manifest = serde_json::from_value(json).unwrap();
        assert_eq!(manifest.thresholds.mixed_min_per_view, 0);
    }

    #[test]
    fn an_unknown_scale_channel_is_refused() {
        let path = crate::pack::bundled_pack_dir().join("manifest.json");
        let mut json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        json["models"]["classifier_ap"]["scale_channel"] = serde_json::json!("mm_per_inch");
        let error = serde_json::from_value::<Manifest>(json)
            .unwrap_err()
            .to_string();
        assert!(error.contains("mm_per_inch"), "{error}");
    }

    #[test]
    fn reserved_names_are_the_vote_words() {
        assert_eq!(RESERVED, [crate::classify::UNCERTAIN, crate::vote::NONE]);
    }

    #[test]
    fn sha256_of_abc_is_the_published_vector() {
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            hex(&Sha256::digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
