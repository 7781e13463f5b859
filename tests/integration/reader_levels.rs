//! Integration tests of `Radiograph::levels` (re-windowing): on real files from
//! `../shared/realdata`, rendering with the reader's own choice gives back the display
//! image, and rendering with another window gives what PS3.3's LINEAR function gives on
//! the stored values and the file's rescale (worked out here, not by the reader).

use std::path::{Path, PathBuf};

use dicom_dictionary_std::tags;
use screwid::radiograph::{Radiograph, VoiFunction, Window, WindowSource, load, stored_values};

use super::reader_support as support;
use support::linear;

/// Real files: windowed MONOCHROME1 and MONOCHROME2, one whose window misses its pixels
/// (percentile), and small 8- and 12-bit files.
const FILES: [&str; 5] = [
    "dicom-test-files-wg04/RG3_UNC",
    "dicom-test-files-wg04/RG2_UNC",
    "pylibjpeg-data/JPEG2KLossless_1s_1f_u_16_16.dcm",
    "pylibjpeg-data/JPEGBaseline_1s_1f_u_08_08.dcm",
    "pylibjpeg-data/JPEGExtended_1s_1f_u_16_12.dcm",
];

fn real_files() -> Option<Vec<PathBuf>> {
    let dir = support::realdata()?;
    Some(FILES.iter().map(|f| dir.join(f)).collect())
}

fn worst(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// The reader's default, re-rendered, is the display image: with `None` (its own VOI) and
/// with the window it reports, for files with a stored window and without.
#[test]
fn rendering_the_readers_choice_gives_the_display_image() {
    let Some(files) = real_files() else {
        return;
    };
    let mut sources = Vec::new();
    for path in files {
        if path.ends_with("JPEGExtended_1s_1f_u_16_12.dcm") && !cfg!(feature = "jpeg12") {
            continue;
        }
        let r = load(&path).expect("decodes");
        let again = r.levels.render(None, r.levels.inverted());
        let diff = worst(again.as_raw(), r.image.as_raw());
        assert!(diff < 1e-6, "{}: {diff}", path.display());
        if let Some(w) = r.info.window {
            let again = r.levels.render(Some(&w), r.levels.inverted());
            let diff = worst(again.as_raw(), r.image.as_raw());
            assert!(diff < 1e-6, "{}: {diff}", path.display());
        }
        sources.push((r.info.window.map(|w| w.source), r.info.windows.len()));
    }
    assert!(
        sources.contains(&(Some(WindowSource::File), 1)),
        "premise: a file applies its stored window: {sources:?}"
    );
    assert!(
        sources.contains(&(Some(WindowSource::Percentile), 0)),
        "premise: a file without a stored window: {sources:?}"
    );
    assert!(
        sources.contains(&(Some(WindowSource::Percentile), 1)),
        "premise: a file whose stored window misses its pixels: {sources:?}"
    );
}

/// The first value of a numeric header element, or `default`.
fn number(path: &Path, tag: dicom_object::Tag, default: f64) -> f64 {
    let obj = dicom_object::open_file(path).expect("opens");
    obj.element(tag)
        .ok()
        .and_then(|e| e.to_multi_float64().ok())
        .and_then(|v| v.first().copied())
        .unwrap_or(default)
}

/// Another LINEAR window, centred on three sample pixels and wide enough to hold them on
/// its ramp: each shows as `LINEAR(slope * stored + intercept)`, inverted for MONOCHROME1.
#[test]
fn another_window_gives_the_standards_values() {
    let Some(dir) = support::realdata() else {
        return;
    };
    for (file, mono1) in [
        ("dicom-test-files-wg04/RG3_UNC", true),
        ("dicom-test-files-wg04/RG2_UNC", false),
        ("pylibjpeg-data/JPEG2KLossless_1s_1f_u_16_16.dcm", false),
    ] {
        let path = dir.join(file);
        let slope = number(&path, tags::RESCALE_SLOPE, 1.0);
        let intercept = number(&path, tags::RESCALE_INTERCEPT, 0.0);
        let stored = stored_values(&path).expect("decodes").samples;
        let n = stored.len();
        let picks = [n / 3, n / 2, 2 * n / 3 + 7];
        let modality: Vec<f64> = picks
            .iter()
            .map(|&i| slope * f64::from(stored[i]) + intercept)
            .collect();
        let lo = modality.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = modality.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let window = Window {
            center: f64::midpoint(lo, hi) + 0.5,
            width: 2.0 * (hi - lo) + 3.0,
            source: WindowSource::File,
            function: VoiFunction::Linear,
        };
        let r: Radiograph = load(&path).expect("decodes");
        assert_eq!(r.levels.inverted(), mono1, "{file}");
        let shown = r.levels.render(Some(&window), r.levels.inverted());
        for (&i, &m) in picks.iter().zip(&modality) {
            let y = linear(m, window.center, window.width);
            let want = if mono1 { 1.0 - y } else { y };
            let got = f64::from(shown.as_raw()[i]);
            assert!(
                (got - want).abs() < 1e-6,
                "{file} pixel {i}: {got} vs {want}"
            );
        }
    }
}

/// An 8-bit grey PNG: values are its codes, the default window spans 0..255 and renders
/// `code / 255`; a LINEAR window 100 / 51 shows code 110 as (110 - 99.5) / 50 + 0.5 = 0.71.
#[test]
fn raster_codes_and_their_windows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("codes.png");
    let codes = [0u8, 51, 110, 255];
    image::GrayImage::from_raw(4, 1, codes.to_vec())
        .expect("image")
        .save(&path)
        .expect("write png");
    let r = load(&path).expect("loads");
    assert_eq!(r.levels.values(), &[0.0, 51.0, 110.0, 255.0]);
    let again = r.levels.render(None, false);
    assert!(worst(again.as_raw(), r.image.as_raw()) < 1e-6);
    let w = Window {
        center: 100.0,
        width: 51.0,
        source: WindowSource::File,
        function: VoiFunction::Linear,
    };
    let shown = r.levels.render(Some(&w), false);
    assert!((shown.as_raw()[2] - 0.71).abs() < 1e-6, "{shown:?}");
    assert!(shown.as_raw()[0].abs() < 1e-9 && (shown.as_raw()[3] - 1.0).abs() < 1e-9);
}

/// Two stored windows with explanations become the first two presets, in file order,
/// then automatic and full range.
#[test]
fn presets_list_the_files_windows_first() {
    let extra = vec![
        (0x0028, 0x1050, "DS", support::text("100\\500")),
        (0x0028, 0x1051, "DS", support::text("11\\101")),
        (0x0028, 0x1055, "LO", support::text("BONE\\SOFT")),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = support::grey16(1, 3, &[97, 300, 600], &extra);
    let r = load(&support::write(dir.path(), "two.dcm", &bytes)).expect("loads");
    let presets = r.levels.presets();
    let names: Vec<&str> = presets.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["BONE", "SOFT", "automatic", "full range"]);
    assert_eq!(
        (presets[1].window.center, presets[1].window.width),
        (500.0, 101.0)
    );
    // SOFT, LINEAR 500 / 101: 600 → (600 - 499.5) / 100 + 0.5 = 1.505 → 1; 300 → 0.
    let soft = r.levels.render(Some(&presets[1].window), false);
    assert_eq!(soft.as_raw(), &[0.0, 0.0, 1.0]);
    // Full range 97..600, LINEAR_EXACT: 300 → (300 - 348.5) / 503 + 0.5.
    let full = r.levels.render(Some(&presets[3].window), false);
    let want = (300.0 - 348.5) / 503.0 + 0.5;
    assert!(
        (f64::from(full.as_raw()[1]) - want).abs() < 1e-6,
        "{full:?}"
    );
}
