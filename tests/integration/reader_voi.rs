//! Integration tests of the VOI stage of `screwid::radiograph` on hand-built DICOM files:
//! several stored windows with explanations, `LINEAR_EXACT` and SIGMOID window functions,
//! VOI LUT Sequence tables (alone, after a rescale, and in place of an unusable window),
//! and Presentation LUT Shape INVERSE applied once. Expected values are worked by hand in
//! the comments from PS3.3 C.11.2.1.

use super::reader_support as support;

use screwid::radiograph::{Radiograph, VoiFunction, WindowSource, load};
use support::{Element, grey16, item, text, words, write};

fn load_bytes(name: &str, bytes: &[u8]) -> Radiograph {
    let dir = tempfile::tempdir().expect("tempdir");
    load(&write(dir.path(), name, bytes)).expect("loads")
}

fn assert_close(got: &[f32], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (f64::from(*g) - w).abs() < 1e-6,
            "got {got:?}, want {want:?}"
        );
    }
}

fn window(c: &str, w: &str) -> Vec<Element> {
    vec![
        (0x0028, 0x1050, "DS", text(c)),
        (0x0028, 0x1051, "DS", text(w)),
    ]
}

/// Two windows: both listed with their explanations, the first (100 / 11) applied:
/// LINEAR 97 → (97 - 99.5) / 10 + 0.5 = 0.25.
#[test]
fn every_window_is_listed_and_the_first_applied() {
    let mut extra = window("100\\500", "11\\101");
    extra.push((0x0028, 0x1055, "LO", text("BONE\\SOFT")));
    let r = load_bytes("two.dcm", &grey16(1, 1, &[97], &extra));
    assert_close(r.image.as_raw(), &[0.25]);
    let listed: Vec<(f64, f64, Option<&str>)> = r
        .info
        .windows
        .iter()
        .map(|w| (w.center, w.width, w.explanation.as_deref()))
        .collect();
    assert_eq!(
        listed,
        vec![(100.0, 11.0, Some("BONE")), (500.0, 101.0, Some("SOFT"))]
    );
    let applied = r.info.window.expect("window");
    assert_eq!(
        (
            applied.center,
            applied.width,
            applied.source,
            applied.function
        ),
        (100.0, 11.0, WindowSource::File, VoiFunction::Linear)
    );
}

/// `LINEAR_EXACT` c = 100, w = 10: ramp 95..105, y = (x - 100) / 10 + 0.5:
/// 95 → 0, 100 → 0.5, 102 → 0.7, 105 → 1, 106 → 1.
#[test]
fn linear_exact_window() {
    let mut extra = window("100", "10");
    extra.push((0x0028, 0x1056, "CS", text("LINEAR_EXACT")));
    let r = load_bytes(
        "exact.dcm",
        &grey16(1, 5, &[95, 100, 102, 105, 106], &extra),
    );
    assert_close(r.image.as_raw(), &[0.0, 0.5, 0.7, 1.0, 1.0]);
    assert_eq!(
        r.info.window.expect("window").function,
        VoiFunction::LinearExact
    );
}

/// `LINEAR_EXACT` allows a width below 1 (LINEAR does not): c = 10, w = 0.5:
/// 9 → 0, 10 → 0.5, 11 → 1.
#[test]
fn linear_exact_narrow_window_is_usable() {
    let mut extra = window("10", "0.5");
    extra.push((0x0028, 0x1056, "CS", text("LINEAR_EXACT")));
    let r = load_bytes("narrow.dcm", &grey16(1, 3, &[9, 10, 11], &extra));
    assert_close(r.image.as_raw(), &[0.0, 0.5, 1.0]);
    assert_eq!(r.info.window.expect("window").source, WindowSource::File);
}

/// SIGMOID c = 100, w = 40: y = 1 / (1 + exp(-4 (x - 100) / 40)):
/// 100 → 0.5, 110 → 1 / (1 + e^-1) = 0.7310585786, 90 → 0.2689414214.
#[test]
fn sigmoid_window() {
    let mut extra = window("100", "40");
    extra.push((0x0028, 0x1056, "CS", text("SIGMOID")));
    let r = load_bytes("sig.dcm", &grey16(1, 3, &[100, 110, 90], &extra));
    assert_close(r.image.as_raw(), &[0.5, 0.731_058_578_6, 0.268_941_421_4]);
    assert_eq!(
        r.info.window.expect("window").function,
        VoiFunction::Sigmoid
    );
}

/// MONOCHROME1 with Presentation LUT Shape INVERSE (as DX requires) is inverted once:
/// SIGMOID 110 → 0.7310585786 → 1 - 0.7310585786 = 0.2689414214.
#[test]
fn monochrome1_with_inverse_is_inverted_once() {
    let mut extra = window("100", "40");
    extra.push((0x0028, 0x0004, "CS", text("MONOCHROME1")));
    extra.push((0x0028, 0x1056, "CS", text("SIGMOID")));
    extra.push((0x2050, 0x0020, "CS", text("INVERSE")));
    let r = load_bytes("m1inv.dcm", &grey16(1, 1, &[110], &extra));
    assert_close(r.image.as_raw(), &[0.268_941_421_4]);
}

/// A VOI LUT of 3 entries from 100, 8 bits, data 0 / 51 / 255: 100 → 0, 101 → 51 / 255 =
/// 0.2, 102 → 1, 50 (below) → 0, 900 (above) → 1.
fn voi_lut() -> Element {
    let table = item(&[
        (0x0028, 0x3002, "US", words(&[3, 100, 8])),
        (0x0028, 0x3003, "LO", text("HAND")),
        (0x0028, 0x3006, "OW", words(&[0, 51, 255])),
    ]);
    (0x0028, 0x3010, "SQ", table)
}

#[test]
fn voi_lut_table_without_a_window() {
    let r = load_bytes(
        "vlut.dcm",
        &grey16(1, 5, &[100, 101, 102, 50, 900], &[voi_lut()]),
    );
    assert_close(r.image.as_raw(), &[0.0, 0.2, 1.0, 0.0, 1.0]);
    assert_eq!(r.info.window, None);
    let t = r.info.voi_table.expect("table applied");
    assert_eq!(
        (t.entries, t.first, t.bits, t.explanation.as_deref()),
        (3, 100, 8, Some("HAND"))
    );
}

/// Rescale slope 2 before the table: stored 50 → 100 → 0, 51 → 102 → 1.
#[test]
fn voi_lut_table_comes_after_the_rescale() {
    let extra = [
        voi_lut(),
        (0x0028, 0x1052, "DS", text("0")),
        (0x0028, 0x1053, "DS", text("2")),
    ];
    let r = load_bytes("vlut2.dcm", &grey16(1, 2, &[50, 51], &extra));
    assert_close(r.image.as_raw(), &[0.0, 1.0]);
}

/// A LINEAR window of width 0 is unusable: the table is used instead, with a note.
#[test]
fn an_unusable_window_gives_way_to_the_table() {
    let mut extra = window("100", "0");
    extra.push(voi_lut());
    let r = load_bytes("vlut3.dcm", &grey16(1, 2, &[101, 102], &extra));
    assert_close(r.image.as_raw(), &[0.2, 1.0]);
    assert!(r.info.voi_table.is_some());
    assert_eq!(r.info.windows.len(), 1);
    assert!(
        r.info
            .notes
            .iter()
            .any(|n| n.contains("VOI LUT table used")),
        "{:?}",
        r.info.notes
    );
}

/// An unknown function name is noted and read as LINEAR: 97 → 0.25 with 100 / 11.
#[test]
fn unknown_function_is_linear_with_a_note() {
    let mut extra = window("100", "11");
    extra.push((0x0028, 0x1056, "CS", text("LOG")));
    let r = load_bytes("log.dcm", &grey16(1, 1, &[97], &extra));
    assert_close(r.image.as_raw(), &[0.25]);
    assert!(
        r.info.notes.iter().any(|n| n.contains("LOG unknown")),
        "{:?}",
        r.info.notes
    );
}
