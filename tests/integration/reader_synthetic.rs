//! Integration tests of `screwid::radiograph` on small DICOM files built byte by byte (see
//! `support`): window, rescale, Modality LUT, inversion, signed values, percentile window,
//! no preamble, multi-frame, CT, planar RGB. Expected values are worked by hand.

use super::reader_support as support;

use screwid::radiograph::{Radiograph, WindowSource, load, stored_values};
use support::{grey16, text, us, words, write};

fn load_bytes(name: &str, bytes: &[u8]) -> Radiograph {
    let dir = tempfile::tempdir().expect("tempdir");
    load(&write(dir.path(), name, bytes)).expect("loads")
}

/// Window c = 100, w = 11 by hand: x = 97 → 0.25, 102 → 0.75; MONOCHROME1 → 1 - y.
#[test]
fn monochrome1_with_window_by_hand() {
    let window = [
        (0x0028, 0x1050, "DS", text("100")),
        (0x0028, 0x1051, "DS", text("11")),
    ];
    let mut extra = window.to_vec();
    extra.push((0x0028, 0x0004, "CS", text("MONOCHROME1")));
    let r = load_bytes("m1.dcm", &grey16(1, 4, &[97, 102, 0, 1000], &extra));
    assert_eq!(r.image.as_raw(), &vec![0.75, 0.25, 1.0, 0.0]);
    let r2 = load_bytes("m2.dcm", &grey16(1, 4, &[97, 102, 0, 1000], &window));
    assert_eq!(r2.image.as_raw(), &vec![0.25, 0.75, 0.0, 1.0]);
}

/// Slope 2, intercept -100: stored 100 → 100, stored 101 → 102; window 101 / 11.
#[test]
fn rescale_comes_before_the_window() {
    let extra = [
        (0x0028, 0x1050, "DS", text("101")),
        (0x0028, 0x1051, "DS", text("11")),
        (0x0028, 0x1052, "DS", text("-100")),
        (0x0028, 0x1053, "DS", text("2")),
    ];
    let r = load_bytes("rescale.dcm", &grey16(1, 2, &[100, 101], &extra));
    // 100 → (100 - 100.5) / 10 + 0.5 = 0.45; 102 → (102 - 100.5) / 10 + 0.5 = 0.65
    let v = r.image.as_raw();
    assert!(
        (v[0] - 0.45).abs() < 1e-6 && (v[1] - 0.65).abs() < 1e-6,
        "{v:?}"
    );
}

/// 12 bits stored, signed: 0x0FFB is -5 and the unused high bits are ignored.
#[test]
fn signed_12_bit_stored_values() {
    let extra = [
        (0x0028, 0x0101, "US", us(12)),
        (0x0028, 0x0102, "US", us(11)),
        (0x0028, 0x0103, "US", us(1)),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "s12.dcm",
        &grey16(1, 4, &[0x0FFB, 0xF005, 0x07FF, 0x0800], &extra),
    );
    assert_eq!(
        stored_values(&path).expect("decodes").samples,
        vec![-5, 5, 2047, -2048]
    );
}

#[test]
fn no_window_gives_a_percentile_window() {
    #[allow(clippy::cast_possible_truncation)]
    let ramp: Vec<u16> = (0..=1000u32).map(|i| i as u16).collect();
    let r = load_bytes("ramp.dcm", &grey16(1, 1001, &ramp, &[]));
    let w = r.info.window.expect("window");
    // 0.5 % of 0..=1000 is 5, 99.5 % is 995: w = 991, c = 500.5.
    assert_eq!(
        (w.center, w.width, w.source),
        (500.5, 991.0, WindowSource::Percentile)
    );
}

#[test]
fn no_preamble_multi_frame_ct_with_patient_text() {
    let elements: Vec<support::Element> = vec![
        (0x0008, 0x0060, "CS", text("CT")),
        (0x0010, 0x0010, "PN", text("DOE^JANE")),
        (0x0028, 0x0002, "US", us(1)),
        (0x0028, 0x0004, "CS", text("MONOCHROME2")),
        (0x0028, 0x0008, "IS", text("2")),
        (0x0028, 0x0010, "US", us(1)),
        (0x0028, 0x0011, "US", us(2)),
        (0x0028, 0x0100, "US", us(16)),
        (0x0028, 0x0101, "US", us(16)),
        (0x0028, 0x0102, "US", us(15)),
        (0x0028, 0x0103, "US", us(0)),
        (0x0028, 0x0030, "DS", text("0.15\\0.16")),
        (0x7FE0, 0x0010, "OW", words(&[10, 20, 30, 40])),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "ct",
        &support::dicom_file(support::EXPLICIT_LE, &elements, false),
    );
    let r = load(&path).expect("loads");
    assert_eq!(r.info.modality.as_deref(), Some("CT"));
    assert_eq!(
        (r.info.frames, r.image.width(), r.image.height()),
        (2, 2, 1)
    );
    assert_eq!(r.info.pixel_spacing_mm, Some([0.15, 0.16]));
    assert_eq!(r.info.patient.name.as_deref(), Some("DOE^JANE"));
    assert!(
        r.info.notes.iter().any(|n| n.contains("2 frames")),
        "{:?}",
        r.info.notes
    );
    assert!(
        !r.info.notes.join(" ").contains("DOE"),
        "patient text in notes"
    );
    assert_eq!(stored_values(&path).expect("decodes").samples, vec![10, 20]);
}

/// Planar (`PlanarConfiguration` 1) 8-bit RGB: red, then blue pixel.
#[test]
fn planar_rgb_dicom_is_luma() {
    let elements: Vec<support::Element> = vec![
        (0x0028, 0x0002, "US", us(3)),
        (0x0028, 0x0004, "CS", text("RGB")),
        (0x0028, 0x0006, "US", us(1)),
        (0x0028, 0x0010, "US", us(1)),
        (0x0028, 0x0011, "US", us(2)),
        (0x0028, 0x0100, "US", us(8)),
        (0x0028, 0x0101, "US", us(8)),
        (0x0028, 0x0102, "US", us(7)),
        (0x0028, 0x0103, "US", us(0)),
        (0x7FE0, 0x0010, "OB", vec![255, 0, 0, 0, 0, 255]),
    ];
    let r = load_bytes(
        "rgb.dcm",
        &support::dicom_file(support::EXPLICIT_LE, &elements, true),
    );
    let v = r.image.as_raw();
    assert!(
        (v[0] - 0.299).abs() < 1e-6 && (v[1] - 0.114).abs() < 1e-6,
        "{v:?}"
    );
    assert_eq!(r.info.window, None);
}

/// Modality LUT: descriptor [3 entries, first 10, 16 bit], data [0, 500, 1000]; window
/// 500 / 1001 (ramp 0..1000): stored 10 → 0 → 0.0, 11 → 500 → ~0.5, 12 and 99 → 1000 → 1.0.
#[test]
fn modality_lut_table_is_applied() {
    let lut = support::item(&[
        (0x0028, 0x3002, "US", words(&[3, 10, 16])),
        (0x0028, 0x3006, "OW", words(&[0, 500, 1000])),
    ]);
    let extra = [
        (0x0028, 0x1050, "DS", text("500.5")),
        (0x0028, 0x1051, "DS", text("1001")),
        (0x0028, 0x3000, "SQ", lut),
    ];
    let r = load_bytes("mlut.dcm", &grey16(1, 4, &[10, 11, 12, 99], &extra));
    let v = r.image.as_raw();
    // 500 → (500 - 500) / 1000 + 0.5 = 0.5
    assert_eq!(v, &vec![0.0, 0.5, 1.0, 1.0], "{:?}", r.info.notes);
}

/// Presentation LUT Shape INVERSE inverts MONOCHROME2 (with a note) and does not invert
/// MONOCHROME1 a second time. Window 100 / 11: stored 97 → 0.25.
#[test]
fn presentation_lut_inverse_inverts_once() {
    let base = [
        (0x0028, 0x1050, "DS", text("100")),
        (0x0028, 0x1051, "DS", text("11")),
        (0x2050, 0x0020, "CS", text("INVERSE")),
    ];
    let mono2 = load_bytes("inv2.dcm", &grey16(1, 1, &[97], &base));
    assert_eq!(mono2.image.as_raw(), &vec![0.75]);
    assert!(
        mono2.info.notes.iter().any(|n| n.contains("INVERSE")),
        "{:?}",
        mono2.info.notes
    );
    let mut extra = base.to_vec();
    extra.push((0x0028, 0x0004, "CS", text("MONOCHROME1")));
    assert_eq!(
        load_bytes("inv1.dcm", &grey16(1, 1, &[97], &extra))
            .image
            .as_raw(),
        &vec![0.75]
    );
}
