//! Integration tests of `screwid::radiograph` on the shared real data: one test per file,
//! decoder equality against the `*_UNC` references, and photometric / window / spacing
//! checks. Expected values come from `shared/realdata/SOURCES.md`, the files' own headers
//! (read here with dicom-object) or hand reasoning. Bad and synthetic inputs are in
//! `reader_inputs.rs`.

use super::reader_support as support;

use std::path::{Path, PathBuf};

use dicom_dictionary_std::tags;
use screwid::radiograph::{
    ReadError, SourceFormat, StoredFrame, WindowSource, load, stored_values,
};
use support::{linear, write};

// ---------------------------------------------------------------- real data

/// What SOURCES.md says a file must do.
enum Expect {
    /// Decodes; photometric interpretation and bits stored as in SOURCES.md.
    Decodes(&'static str, u16),
    /// Lossless: stored values equal those of this `*_UNC` reference.
    Lossless(&'static str),
    /// Lossy: stored values within this max abs error of the reference.
    Lossy(&'static str, i32),
    /// Fails with a one-line error containing this text.
    Fails(&'static str),
}

fn real(rel: &str) -> Option<PathBuf> {
    let path = support::realdata()?.join(rel);
    assert!(
        path.is_file(),
        "listed in SOURCES.md but missing: {}",
        path.display()
    );
    Some(path)
}

/// Every error is one line that ends with the file's path.
fn assert_one_line(err: &ReadError, path: &Path) {
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "multi-line error: {msg:?}");
    assert!(
        msg.ends_with(&format!(": {}", path.display())),
        "path not last: {msg}"
    );
}

fn max_abs_diff(a: &StoredFrame, b: &StoredFrame) -> i32 {
    assert_eq!(
        (a.width, a.height, a.samples.len()),
        (b.width, b.height, b.samples.len())
    );
    a.samples
        .iter()
        .zip(&b.samples)
        .map(|(x, y)| (x - y).abs())
        .max()
        .unwrap_or(0)
}

fn reference(path: &Path, name: &str) -> StoredFrame {
    stored_values(&path.with_file_name(name)).expect("reference decodes")
}

fn check(rel: &str, expect: &Expect) {
    let Some(path) = real(rel) else { return };
    let loaded = load(&path);
    match (expect, &loaded) {
        (Expect::Fails(text), Err(e)) => {
            assert_one_line(e, &path);
            assert!(e.to_string().contains(text), "{e}");
        }
        (Expect::Fails(_), Ok(_)) => panic!("{rel} should fail"),
        (_, Err(e)) => panic!("{rel} should decode: {e}"),
        (Expect::Decodes(pi, bits), Ok(r)) => {
            assert_eq!(
                (r.info.photometric.as_str(), r.info.bits_stored),
                (*pi, *bits)
            );
        }
        (Expect::Lossless(reference_name), Ok(_)) => {
            let d = max_abs_diff(
                &stored_values(&path).expect("decodes"),
                &reference(&path, reference_name),
            );
            assert_eq!(d, 0, "{rel} differs from {reference_name}");
        }
        (Expect::Lossy(reference_name, bound), Ok(_)) => {
            let d = max_abs_diff(
                &stored_values(&path).expect("decodes"),
                &reference(&path, reference_name),
            );
            assert!(d <= *bound, "{rel}: max abs error {d} > {bound}");
        }
    }
    if let Ok(r) = loaded {
        let v = r.image.as_raw();
        assert!(
            v.iter().all(|x| (0.0..=1.0).contains(x)),
            "{rel}: display value out of [0, 1]"
        );
        assert!(matches!(r.info.source, SourceFormat::Dicom { .. }));
    }
}

macro_rules! real_cases {
    ($($name:ident: $file:literal => $expect:expr;)*) => {
        $( #[test] fn $name() { check($file, &$expect); } )*
    };
}

const WG04: &str = "dicom-test-files-wg04/";
const CODEC_12BIT: &str = "unsupported DICOM codec JPEG Extended 12-bit (SamplePrecision 12)";
/// Whether this build decodes 12-bit JPEG Extended (libjpeg-turbo, feature `jpeg12`).
const JPEG12: bool = cfg!(feature = "jpeg12");
/// libjpeg-turbo's complaint about the known-bad WG04 streams (SOURCES.md: "libjpeg
/// rejects SOS").
const BAD_SOS: &str = "JPEG Extended 12-bit: Invalid SOS parameters for sequential JPEG";

/// 12-bit JPEG Extended: `decoded` with the `jpeg12` feature, else the codec refusal.
const fn jpeg12(decoded: Expect) -> Expect {
    if JPEG12 {
        decoded
    } else {
        Expect::Fails(CODEC_12BIT)
    }
}

real_cases! {
    rg1_j2ki: "dicom-test-files-wg04/RG1_J2KI" => Expect::Decodes("MONOCHROME1", 15);
    rg1_jlsn: "dicom-test-files-wg04/RG1_JLSN" => Expect::Decodes("MONOCHROME1", 15);
    rg2_j2ki: "dicom-test-files-wg04/RG2_J2KI" => Expect::Lossy("RG2_UNC", 87);
    rg2_j2kr: "dicom-test-files-wg04/RG2_J2KR" => Expect::Lossless("RG2_UNC");
    rg2_jlsl: "dicom-test-files-wg04/RG2_JLSL" => Expect::Lossless("RG2_UNC");
    rg2_jlsn: "dicom-test-files-wg04/RG2_JLSN" => Expect::Lossy("RG2_UNC", 4);
    rg2_jpll: "dicom-test-files-wg04/RG2_JPLL" => Expect::Lossless("RG2_UNC");
    rg2_jply: "dicom-test-files-wg04/RG2_JPLY" => jpeg12(Expect::Fails(BAD_SOS));
    rg2_rle: "dicom-test-files-wg04/RG2_RLE" => Expect::Lossless("RG2_UNC");
    rg2_unc: "dicom-test-files-wg04/RG2_UNC" => Expect::Decodes("MONOCHROME2", 10);
    rg3_j2ki: "dicom-test-files-wg04/RG3_J2KI" => Expect::Lossy("RG3_UNC", 9);
    rg3_j2kr: "dicom-test-files-wg04/RG3_J2KR" => Expect::Lossless("RG3_UNC");
    rg3_jlsl: "dicom-test-files-wg04/RG3_JLSL" => Expect::Lossless("RG3_UNC");
    rg3_jlsn: "dicom-test-files-wg04/RG3_JLSN" => Expect::Lossy("RG3_UNC", 4);
    rg3_jpll: "dicom-test-files-wg04/RG3_JPLL" => Expect::Lossless("RG3_UNC");
    rg3_jply: "dicom-test-files-wg04/RG3_JPLY" => jpeg12(Expect::Fails(BAD_SOS));
    rg3_rle: "dicom-test-files-wg04/RG3_RLE" => Expect::Lossless("RG3_UNC");
    rg3_unc: "dicom-test-files-wg04/RG3_UNC" => Expect::Decodes("MONOCHROME1", 10);
    j2k_lossless_16: "pylibjpeg-data/JPEG2KLossless_1s_1f_u_16_16.dcm" => Expect::Decodes("MONOCHROME2", 16);
    jpeg_baseline_8: "pylibjpeg-data/JPEGBaseline_1s_1f_u_08_08.dcm" => Expect::Decodes("MONOCHROME2", 8);
    jpeg_extended_12: "pylibjpeg-data/JPEGExtended_1s_1f_u_16_12.dcm" => jpeg12(Expect::Decodes("MONOCHROME2", 12));
    rg2_jply_fixed: "pylibjpeg-data/RG2_JPLY_fixed.dcm" => jpeg12(Expect::Lossy("../dicom-test-files-wg04/RG2_UNC", 101));
}

/// Every file in the data folders has a case above (a new file must get one).
#[test]
fn every_realdata_file_has_a_case() {
    let Some(root) = support::realdata() else {
        return;
    };
    let source = include_str!("reader.rs");
    for dir in ["dicom-test-files-wg04", "pylibjpeg-data"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("data folder") {
            let name = entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            assert!(
                source.contains(&format!("{dir}/{name}\"")),
                "no test case for {dir}/{name}"
            );
        }
    }
}

fn file_window(path: &Path) -> (f64, f64) {
    let obj = dicom_object::open_file(path).expect("opens");
    let first = |tag| {
        obj.element(tag)
            .expect("present")
            .to_multi_float64()
            .expect("number")[0]
    };
    (first(tags::WINDOW_CENTER), first(tags::WINDOW_WIDTH))
}

/// RG3 is MONOCHROME1 with no rescale: display = 1 - LINEAR(stored) with its own window.
#[test]
fn rg3_monochrome1_is_inverted_after_its_stored_window() {
    let Some(path) = real(&format!("{WG04}RG3_UNC")) else {
        return;
    };
    let (c, w) = file_window(&path);
    let stored = stored_values(&path).expect("decodes");
    let shown = load(&path).expect("decodes");
    let expected: Vec<f64> = stored
        .samples
        .iter()
        .map(|&x| 1.0 - linear(f64::from(x), c, w))
        .collect();
    let got = shown.image.as_raw();
    let worst = expected
        .iter()
        .zip(got)
        .map(|(e, g)| (e - f64::from(*g)).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-5, "largest difference {worst}");
    let window = shown.info.window.expect("window");
    assert_eq!(
        (window.center, window.width, window.source),
        (c, w, WindowSource::File)
    );
}

/// RG2 (MONOCHROME2) and the same bytes relabelled MONOCHROME1 show as exact negatives.
#[test]
fn rg2_relabelled_monochrome1_is_the_negative() {
    let Some(path) = real(&format!("{WG04}RG2_UNC")) else {
        return;
    };
    let mut bytes = std::fs::read(&path).expect("read");
    let at = bytes
        .windows(11)
        .position(|w| w == b"MONOCHROME2")
        .expect("photometric");
    bytes[at + 10] = b'1';
    let dir = tempfile::tempdir().expect("tempdir");
    let mono1 = write(dir.path(), "rg2_mono1.dcm", &bytes);
    let a = load(&path).expect("decodes");
    let b = load(&mono1).expect("decodes");
    assert_eq!(b.info.photometric, "MONOCHROME1");
    let worst = a
        .image
        .as_raw()
        .iter()
        .zip(b.image.as_raw())
        .map(|(x, y)| (x + y - 1.0).abs())
        .fold(0.0, f32::max);
    assert!(worst < 1e-6, "{worst}");
}

#[test]
fn rg1_zero_pixel_spacing_is_none_with_a_note() {
    let Some(path) = real(&format!("{WG04}RG1_J2KI")) else {
        return;
    };
    let r = load(&path).expect("decodes");
    assert_eq!(r.info.pixel_spacing_mm, None);
    assert!(
        r.info
            .notes
            .iter()
            .any(|n| n.starts_with("pixel spacing") && n.ends_with("ignored")),
        "{:?}",
        r.info.notes
    );
}

#[test]
fn spacing_modality_and_syntax_come_from_the_header() {
    let Some(path) = real(&format!("{WG04}RG2_J2KR")) else {
        return;
    };
    let r = load(&path).expect("decodes");
    assert_eq!(r.info.pixel_spacing_mm, Some([0.2, 0.2]));
    assert_eq!(r.info.modality.as_deref(), Some("CR"));
    let name = "JPEG 2000 Image Compression (Lossless Only)".to_owned();
    assert_eq!(
        r.info.source,
        SourceFormat::Dicom {
            transfer_syntax: name
        }
    );
    let dx = real("pylibjpeg-data/JPEG2KLossless_1s_1f_u_16_16.dcm").expect("present");
    assert_eq!(
        load(&dx).expect("decodes").info.pixel_spacing_mm,
        Some([0.4, 0.4]),
        "ImagerPixelSpacing"
    );
}

/// The 12-bit JPEG Extended NM file (1024 rows x 256 columns, 12 bits stored per its
/// header) decodes to its size with every stored value within 12 bits, and its transfer
/// syntax is still reported as JPEG Extended.
#[test]
fn jpeg_extended_12_bit_values_fit_in_12_bits() {
    if !JPEG12 {
        return;
    }
    let Some(path) = real("pylibjpeg-data/JPEGExtended_1s_1f_u_16_12.dcm") else {
        return;
    };
    let s = stored_values(&path).expect("decodes");
    assert_eq!(
        (s.width, s.height, s.samples.len()),
        (256, 1024, 256 * 1024)
    );
    assert!(s.samples.iter().all(|v| (0..=4095).contains(v)));
    assert!(s.samples.iter().any(|&v| v > 0), "not all black");
    let r = load(&path).expect("decodes");
    assert_eq!(
        r.info.source,
        SourceFormat::Dicom {
            transfer_syntax: "JPEG Extended (Process 2 and 4)".into()
        }
    );
}

/// Its stored window (2725 / 5310) lies below every stored value, which would show a
/// white page: the reader falls back to the percentile window and says so.
#[test]
fn a_window_outside_the_pixels_falls_back_to_percentiles() {
    let Some(path) = real("pylibjpeg-data/JPEG2KLossless_1s_1f_u_16_16.dcm") else {
        return;
    };
    let (c, w) = file_window(&path);
    let min = *stored_values(&path)
        .expect("decodes")
        .samples
        .iter()
        .min()
        .expect("pixels");
    assert!(
        f64::from(min) > c + w / 2.0,
        "premise: window below the data"
    );
    let r = load(&path).expect("decodes");
    assert_eq!(
        r.info.window.expect("window").source,
        WindowSource::Percentile
    );
    assert!(
        r.info
            .notes
            .iter()
            .any(|n| n.contains("percentile window used"))
    );
}
