//! A pack's self-test: reference inputs and outputs written by the toolkit, rerun under tract.
//!
//! The toolkit checks its ONNX export against `PyTorch` under onnxruntime; the app runs tract.
//! `selftest/selftest.json` (named by the manifest's `selftest` key) lists, per model, raw
//! little-endian `f32` input and output files with their shapes. This module runs each model
//! on its inputs and reports the largest difference from the stored outputs, so an engine that
//! reads a graph differently is caught before a pack is trusted. The vector files are covered
//! by the manifest's checksums like every other file of the pack.

use std::path::{Path, PathBuf};

use ndarray::{Array4, ArrayD, IxDyn};
use serde::Deserialize;

use super::{ModelError, ModelPack, PackError};

/// The index format this build reads.
pub const SELFTEST_FORMAT: &str = "screwid.selftest/1";

/// A self-test that cannot be run (a failing comparison is a [`SelfTestReport`], not this).
#[derive(Debug, thiserror::Error)]
pub enum SelfTestError {
    #[error(transparent)]
    Pack(#[from] PackError),

    #[error("the pack has no self-test vectors (no \"selftest\" key in its manifest); re-export it with screwid-train: {}", path.display())]
    Missing { path: PathBuf },

    #[error("cannot read the self-test index ({reason}): {}", path.display())]
    Index { reason: String, path: PathBuf },

    #[error("self-test file is not covered by the manifest's checksums: {}", path.display())]
    Unchecked { path: PathBuf },

    #[error("self-test vector names model {model:?}, which the pack does not have: {}", path.display())]
    UnknownModel { model: String, path: PathBuf },

    #[error("self-test vector has {found} bytes, its shape {shape:?} needs {expected}: {}", path.display())]
    Size {
        found: usize,
        expected: usize,
        shape: Vec<usize>,
        path: PathBuf,
    },

    #[error("cannot read self-test vector ({source}): {}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("self-test input shape {found:?} is not the model's {expected:?}: {}", path.display())]
    InputShape {
        found: Vec<usize>,
        expected: Vec<usize>,
        path: PathBuf,
    },

    #[error("model output shape {found:?} is not the reference's {expected:?}: {}", path.display())]
    OutputShape {
        found: Vec<usize>,
        expected: Vec<usize>,
        path: PathBuf,
    },

    #[error(transparent)]
    Model(#[from] ModelError),
}

#[derive(Deserialize)]
struct Index {
    format: String,
    #[serde(default)]
    reference: String,
    tolerance: f32,
    vectors: Vec<VectorSpec>,
}

#[derive(Deserialize)]
struct VectorSpec {
    model: String,
    input: String,
    input_shape: Vec<usize>,
    output: String,
    output_shape: Vec<usize>,
}

/// One vector's result.
#[derive(Clone, Debug)]
pub struct VectorResult {
    pub model: String,
    pub input: String,
    pub max_abs_diff: f32,
    /// The median time of one run under tract, in milliseconds, when timing was asked for.
    pub median_ms: Option<f64>,
}

/// Every vector's result, and the tolerance they are held to.
#[derive(Clone, Debug)]
pub struct SelfTestReport {
    pub reference: String,
    pub tolerance: f32,
    pub results: Vec<VectorResult>,
}

impl SelfTestReport {
    /// The largest difference over all vectors (0 when there are none).
    #[must_use]
    pub fn largest(&self) -> f32 {
        self.results
            .iter()
            .map(|r| r.max_abs_diff)
            .fold(0.0, f32::max)
    }

    /// Whether every vector is within the tolerance (a NaN difference never is).
    #[must_use]
    pub fn passed(&self) -> bool {
        !self.results.is_empty()
            && self
                .results
                .iter()
                .all(|r| r.max_abs_diff <= self.tolerance)
    }
}

/// Loads the pack at `dir` (checksums included) and runs every self-test vector under tract.
/// `tolerance` overrides the one the index states.
///
/// # Errors
/// A pack that cannot be loaded, a missing or malformed index, a vector file that is absent,
/// unchecked or of the wrong size, or a model that fails to run.
///
/// With `repeat` above 0, each model is also run that many more times on its vector and the
/// median time is reported: a benchmark to set beside onnxruntime on the same inputs
/// (`screwid-train bench-ort`), never a pass / fail criterion.
pub fn check_pack(
    dir: &Path,
    tolerance: Option<f32>,
    repeat: usize,
) -> Result<SelfTestReport, SelfTestError> {
    let pack = ModelPack::load(dir)?;
    let index_path = index_path(dir)?;
    let index = read_index(&index_path)?;
    let checked = |file: &str| {
        if pack.manifest.sha256.contains_key(file) {
            Ok(dir.join(file))
        } else {
            Err(SelfTestError::Unchecked {
                path: dir.join(file),
            })
        }
    };
    checked(&relative(dir, &index_path))?;
    let mut results = Vec::with_capacity(index.vectors.len());
    for v in &index.vectors {
        let input_path = checked(&v.input)?;
        let output_path = checked(&v.output)?;
        let model = model_named(&pack, &v.model).ok_or_else(|| SelfTestError::UnknownModel {
            model: v.model.clone(),
            path: index_path.clone(),
        })?;
        let wanted = vec![
            1,
            model.channels as usize,
            model.input[1] as usize,
            model.input[0] as usize,
        ];
        if v.input_shape != wanted {
            return Err(SelfTestError::InputShape {
                found: v.input_shape.clone(),
                expected: wanted,
                path: input_path,
            });
        }
        let input: Array4<f32> = read_f32(&input_path, &v.input_shape)?
            .into_dimensionality()
            .map_err(|_| SelfTestError::InputShape {
                found: v.input_shape.clone(),
                expected: wanted,
                path: input_path.clone(),
            })?;
        let expected = read_f32(&output_path, &v.output_shape)?;
        let median_ms = time_runs(model, &input, repeat)?;
        let got = model.run(input)?;
        if got.shape() != expected.shape() {
            return Err(SelfTestError::OutputShape {
                found: got.shape().to_vec(),
                expected: expected.shape().to_vec(),
                path: output_path,
            });
        }
        results.push(VectorResult {
            model: v.model.clone(),
            input: v.input.clone(),
            max_abs_diff: max_abs_diff(&got, &expected),
            median_ms,
        });
    }
    Ok(SelfTestReport {
        reference: index.reference,
        tolerance: tolerance.unwrap_or(index.tolerance),
        results,
    })
}

/// The median of `repeat` timed runs (the input copy is made before the clock starts), or
/// `None` when `repeat` is 0.
fn time_runs(
    model: &super::OnnxModel,
    input: &Array4<f32>,
    repeat: usize,
) -> Result<Option<f64>, SelfTestError> {
    if repeat == 0 {
        return Ok(None);
    }
    let mut times = Vec::with_capacity(repeat);
    for _ in 0..repeat {
        let copy = input.clone();
        let started = std::time::Instant::now();
        model.run(copy)?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(Some(times[times.len() / 2]))
}

/// The index file the manifest names, read from the manifest's raw JSON so the shared
/// `Manifest` type stays as the contract fixes it.
fn index_path(dir: &Path) -> Result<PathBuf, SelfTestError> {
    let manifest = dir.join("manifest.json");
    let text = std::fs::read_to_string(&manifest).map_err(|e| SelfTestError::Index {
        reason: e.to_string(),
        path: manifest.clone(),
    })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| SelfTestError::Index {
            reason: e.to_string(),
            path: manifest.clone(),
        })?;
    value
        .get("selftest")
        .and_then(serde_json::Value::as_str)
        .map(|f| dir.join(f))
        .ok_or(SelfTestError::Missing { path: manifest })
}

fn read_index(path: &Path) -> Result<Index, SelfTestError> {
    let fail = |reason: String| SelfTestError::Index {
        reason,
        path: path.to_path_buf(),
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let index: Index = serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
    if index.format != SELFTEST_FORMAT {
        return Err(fail(format!(
            "format {:?} is not {SELFTEST_FORMAT:?}",
            index.format
        )));
    }
    if index.vectors.is_empty() {
        return Err(fail("it lists no vectors".to_owned()));
    }
    Ok(index)
}

fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn model_named<'a>(pack: &'a ModelPack, name: &str) -> Option<&'a super::OnnxModel> {
    match name {
        "view" => Some(&pack.view),
        "detector" => Some(&pack.detector),
        "classifier_ap" => Some(&pack.classifier_ap),
        "classifier_lateral" => Some(&pack.classifier_lateral),
        _ => None,
    }
}

/// Raw little-endian `f32` values of `shape`, in C order.
fn read_f32(path: &Path, shape: &[usize]) -> Result<ArrayD<f32>, SelfTestError> {
    let bytes = std::fs::read(path).map_err(|source| SelfTestError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    decode_f32(&bytes, shape).ok_or_else(|| SelfTestError::Size {
        found: bytes.len(),
        expected: shape.iter().product::<usize>() * 4,
        shape: shape.to_vec(),
        path: path.to_path_buf(),
    })
}

fn decode_f32(bytes: &[u8], shape: &[usize]) -> Option<ArrayD<f32>> {
    if bytes.len() != shape.iter().product::<usize>() * 4 {
        return None;
    }
    let values = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    ArrayD::from_shape_vec(IxDyn(shape), values).ok()
}

/// Largest `|a - b|`; NaN anywhere makes it NaN, so it never passes a tolerance.
fn max_abs_diff(a: &ArrayD<f32>, b: &ArrayD<f32>) -> f32 {
    a.iter().zip(b.iter()).fold(0.0_f32, |worst, (x, y)| {
        let d = (x - y).abs();
        if d.is_nan() || worst.is_nan() {
            f32::NAN
        } else {
            worst.max(d)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[expect(clippy::float_cmp, reason = "the values are exact bit patterns")]
    fn decodes_little_endian_in_c_order() {
        // 1.0 = 0x3f800000, -2.0 = 0xc0000000, 0.5 = 0x3f000000, 3.0 = 0x40400000.
        let bytes = [
            0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 0, 0, 0, 0x3f, 0, 0, 0x40, 0x40,
        ];
        let a = decode_f32(&bytes, &[1, 2, 2]).unwrap();
        assert_eq!(a[[0, 0, 1]], -2.0);
        assert_eq!(a[[0, 1, 0]], 0.5);
        assert_eq!(a.iter().copied().collect::<Vec<_>>(), [1.0, -2.0, 0.5, 3.0]);
    }

    #[test]
    fn a_file_of_the_wrong_length_is_refused() {
        assert!(decode_f32(&[0; 12], &[1, 4]).is_none());
        assert!(decode_f32(&[0; 20], &[1, 4]).is_none());
    }

    #[test]
    #[expect(clippy::float_cmp, reason = "differences of exact binary fractions")]
    fn largest_difference_and_nan() {
        let a = ArrayD::from_shape_vec(IxDyn(&[3]), vec![1.0, 2.0, 3.0]).unwrap();
        let b = ArrayD::from_shape_vec(IxDyn(&[3]), vec![1.5, 2.0, 2.75]).unwrap();
        assert_eq!(max_abs_diff(&a, &b), 0.5);
        let n = ArrayD::from_shape_vec(IxDyn(&[3]), vec![f32::NAN, 2.0, 3.0]).unwrap();
        assert!(max_abs_diff(&a, &n).is_nan());
        let report = SelfTestReport {
            reference: String::new(),
            tolerance: 1.0,
            results: vec![VectorResult {
                model: "view".into(),
                input: "x".into(),
                max_abs_diff: f32::NAN,
                median_ms: None,
            }],
        };
        assert!(!report.passed(), "NaN must never pass");
    }
}
