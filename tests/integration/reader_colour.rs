//! Integration tests of `screwid::radiograph` on hand-built colour DICOM files that
//! dicom-pixeldata does not turn into grey itself: native `YBR_FULL_422` /
//! `YBR_PARTIAL_422` (read by our own 4:2:2 code) and `PALETTE COLOR` (palette LUTs →
//! BT.601 luma). Expected grey values are worked by hand in the comments.

use super::reader_support as support;

use screwid::radiograph::{ReadError, load, stored_values};
use support::{Element, text, us, words, write};

/// An 8-bit, three-sample, one-row image with `photometric` and native `pixels`.
fn ybr(photometric: &str, cols: u16, pixels: Vec<u8>) -> Vec<u8> {
    let elements: Vec<Element> = vec![
        (0x0028, 0x0002, "US", us(3)),
        (0x0028, 0x0004, "CS", text(photometric)),
        (0x0028, 0x0006, "US", us(0)),
        (0x0028, 0x0010, "US", us(1)),
        (0x0028, 0x0011, "US", us(cols)),
        (0x0028, 0x0100, "US", us(8)),
        (0x0028, 0x0101, "US", us(8)),
        (0x0028, 0x0102, "US", us(7)),
        (0x0028, 0x0103, "US", us(0)),
        (0x7FE0, 0x0010, "OB", pixels),
    ];
    support::dicom_file(support::EXPLICIT_LE, &elements, true)
}

fn assert_close(got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-5, "got {got:?}, want {want:?}");
    }
}

/// `Y1 Y2 Cb Cr` pairs: Y 51 → 51 / 255 = 0.2, 204 → 0.8, 0 → 0, 255 → 1 (luma = Y).
#[test]
fn ybr_full_422_native_is_its_luma() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = ybr("YBR_FULL_422", 4, vec![51, 204, 90, 200, 0, 255, 128, 128]);
    let path = write(dir.path(), "ybr422.dcm", &bytes);
    let r = load(&path).expect("loads");
    assert_eq!((r.image.width(), r.image.height()), (4, 1));
    assert_close(r.image.as_raw(), &[0.2, 0.8, 0.0, 1.0]);
    assert_eq!(r.info.photometric, "YBR_FULL_422");
    let s = stored_values(&path).expect("decodes");
    assert_eq!(s.samples_per_pixel, 3);
    assert_eq!(
        s.samples,
        vec![51, 90, 200, 204, 90, 200, 0, 128, 128, 255, 128, 128]
    );
}

/// Partial range: Y 16 → 0, 235 → 1, 126 → 110 / 219, 240 → clamped to 1.
#[test]
fn ybr_partial_422_native_uses_the_video_range() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = ybr(
        "YBR_PARTIAL_422",
        4,
        vec![16, 235, 128, 128, 126, 240, 60, 70],
    );
    let r = load(&write(dir.path(), "p422.dcm", &bytes)).expect("loads");
    assert_close(r.image.as_raw(), &[0.0, 1.0, 110.0 / 219.0, 1.0]);
}

#[test]
fn native_420_and_odd_422_are_refused_in_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p420 = write(
        dir.path(),
        "p420.dcm",
        &ybr("YBR_PARTIAL_420", 2, vec![16, 16, 128, 128]),
    );
    let e = load(&p420).expect_err("refused");
    assert!(matches!(e, ReadError::UnsupportedLayout { .. }), "{e}");
    assert!(e.to_string().contains("YBR_PARTIAL_420"), "{e}");
    let odd = write(dir.path(), "odd.dcm", &ybr("YBR_FULL_422", 3, vec![1; 6]));
    let e = load(&odd).expect_err("refused");
    assert!(e.to_string().contains("odd number of columns"), "{e}");
    let short = write(dir.path(), "short.dcm", &ybr("YBR_FULL_422", 4, vec![1; 4]));
    assert!(matches!(
        load(&short).expect_err("short"),
        ReadError::Decode { .. }
    ));
}

/// A palette image: 8-bit indices, 16-bit tables of 4 entries starting at `first`.
fn palette_file(first: u16, indices: Vec<u8>, with_tables: bool) -> Vec<u8> {
    let cols = u16::try_from(indices.len()).expect("few pixels");
    let mut elements: Vec<Element> = vec![
        (0x0028, 0x0002, "US", us(1)),
        (0x0028, 0x0004, "CS", text("PALETTE COLOR")),
        (0x0028, 0x0010, "US", us(1)),
        (0x0028, 0x0011, "US", us(cols)),
        (0x0028, 0x0100, "US", us(8)),
        (0x0028, 0x0101, "US", us(8)),
        (0x0028, 0x0102, "US", us(7)),
        (0x0028, 0x0103, "US", us(0)),
        (0x7FE0, 0x0010, "OB", indices),
    ];
    if with_tables {
        let full = 65535;
        // entries: black, red, green, white
        for (k, table) in [[0, full, 0, full], [0, 0, full, full], [0, 0, 0, full]]
            .iter()
            .enumerate()
        {
            let k = u16::try_from(k).expect("3 channels");
            elements.push((0x0028, 0x1101 + k, "US", words(&[4, first, 16])));
            elements.push((0x0028, 0x1201 + k, "OW", words(table)));
        }
    }
    support::dicom_file(support::EXPLICIT_LE, &elements, true)
}

/// Indices 0..=3 → black 0, red 0.299, green 0.587, white 1; 9 is past the end → white.
#[test]
fn palette_colour_is_the_luma_of_its_entries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "pal.dcm",
        &palette_file(0, vec![0, 1, 2, 3, 9], true),
    );
    let r = load(&path).expect("loads");
    assert_close(r.image.as_raw(), &[0.0, 0.299, 0.587, 1.0, 1.0]);
    assert_eq!(r.info.window, None);
    assert_eq!(
        stored_values(&path).expect("decodes").samples,
        vec![0, 1, 2, 3, 9]
    );
}

/// First mapped value 10: index 10 → entry 0 (black), 11 → red, 5 (below) → entry 0.
#[test]
fn palette_first_mapped_value_offsets_the_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = palette_file(10, vec![10, 11, 5, 13], true);
    let r = load(&write(dir.path(), "pal10.dcm", &bytes)).expect("loads");
    assert_close(r.image.as_raw(), &[0.0, 0.299, 0.0, 1.0]);
}

#[test]
fn palette_without_tables_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "nopal.dcm", &palette_file(0, vec![0, 1], false));
    let e = load(&path).expect_err("refused");
    assert!(matches!(e, ReadError::UnsupportedLayout { .. }), "{e}");
    assert!(e.to_string().contains("palette"), "{e}");
}
