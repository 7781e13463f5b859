//! Integration tests of `screwid::radiograph` on DICOM files without the Part 10 framing:
//! bare data sets (no preamble, no `DICM`, no file meta) in Implicit and Explicit VR Little
//! Endian, a file meta group without `DICM`, and a real file (`RG2_UNC`) stripped to its data
//! set, which must show exactly as the original. Expected values are worked by hand.

use super::reader_support as support;

use screwid::radiograph::{ReadError, load, stored_values};
use support::{Element, bare_dataset, grey16_elements, text, write};

/// Window 100 / 11: stored 97 → 0.25, 102 → 0.75 (LINEAR, see `reader_synthetic.rs`).
fn windowed() -> Vec<Element> {
    let mut e = grey16_elements(1, 2, &[97, 102]);
    e.push((0x0028, 0x1050, "DS", text("100")));
    e.push((0x0028, 0x1051, "DS", text("11")));
    e
}

fn loads_as_windowed(name: &str, bytes: &[u8], note: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), name, bytes);
    let r = load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(r.image.as_raw(), &vec![0.25, 0.75], "{name}");
    assert_eq!(r.info.modality.as_deref(), Some("CR"));
    assert!(
        r.info.notes.iter().any(|n| n.contains(note)),
        "{name}: {:?}",
        r.info.notes
    );
    assert!(
        !r.info.notes.join(" ").contains("DOE"),
        "patient text in notes"
    );
    assert_eq!(stored_values(&path).expect("stored").samples, vec![97, 102]);
}

#[test]
fn bare_implicit_vr_data_set_without_extension() {
    let bytes = bare_dataset(&windowed(), false);
    loads_as_windowed("IM000001", &bytes, "Implicit VR Little Endian");
}

#[test]
fn bare_explicit_vr_data_set() {
    let bytes = bare_dataset(&windowed(), true);
    loads_as_windowed("bare.dcm", &bytes, "Explicit VR Little Endian");
}

#[test]
fn file_meta_without_the_dicm_marker() {
    let full = support::dicom_file(support::EXPLICIT_LE, &windowed(), false);
    assert!(full.starts_with(b"DICM"));
    loads_as_windowed("nomagic.dcm", &full[4..], "without the DICM marker");
}

#[test]
fn a_bare_data_set_without_pixels_is_no_image() {
    let bytes = bare_dataset(&[(0x0008, 0x0060, "CS", text("SR"))], false);
    let dir = tempfile::tempdir().expect("tempdir");
    let e = load(&write(dir.path(), "sr", &bytes)).expect_err("no image");
    assert!(matches!(e, ReadError::NoPixelData { .. }), "{e}");
}

/// `RG2_UNC` (Explicit VR LE) with its preamble, `DICM` and file meta group cut off shows
/// pixel for pixel as the original: the meta group length (0002,0000) is the UL value at
/// byte 140, the group starts at 144.
#[test]
fn rg2_stripped_to_its_data_set_shows_as_the_original() {
    let Some(root) = support::realdata() else {
        return;
    };
    let original = root.join("dicom-test-files-wg04/RG2_UNC");
    let bytes = std::fs::read(&original).expect("read");
    assert_eq!(&bytes[128..132], b"DICM");
    let group_len = u32::from_le_bytes(bytes[140..144].try_into().expect("4 bytes"));
    let start = 144 + usize::try_from(group_len).expect("small");
    let dir = tempfile::tempdir().expect("tempdir");
    let bare = write(dir.path(), "rg2_bare", &bytes[start..]);
    let a = load(&original).expect("original");
    let b = load(&bare).expect("bare");
    assert_eq!(a.image.dimensions(), b.image.dimensions());
    assert!(a.image.as_raw() == b.image.as_raw(), "pixels differ");
    assert_eq!(a.info.window, b.info.window);
}
