//! Integration tests of `screwid::radiograph` on bad inputs and raster images written into
//! a temporary directory: empty, text and PDF files, truncated, zero-size and over-size
//! DICOM / BMP headers, refused layouts, and PNG written with `image`. Expected values are
//! worked by hand. Well-formed synthetic DICOM is in `reader_synthetic.rs`.

use super::reader_support as support;

use std::path::{Path, PathBuf};

use screwid::radiograph::{ReadError, SourceFormat, load, stored_values};
use support::{grey16, text, us, write};

/// Every error is one line that ends with the file's path.
fn assert_one_line(err: &ReadError, path: &Path) {
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "multi-line error: {msg:?}");
    assert!(
        msg.ends_with(&format!(": {}", path.display())),
        "path not last: {msg}"
    );
}

// ---------------------------------------------------------------- bad input

fn fails(name: &str, bytes: &[u8]) -> ReadError {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), name, bytes);
    let err = load(&path).expect_err("must fail");
    assert_one_line(&err, &path);
    err
}

#[test]
fn empty_file() {
    assert!(matches!(fails("empty.dcm", b""), ReadError::Empty { .. }));
}

/// A name holding a newline, a tab or a terminal escape still gives a one-line message,
/// with the name escaped (`\n`, `\t`, `\u{1b}`) at its end, from every kind of error.
#[test]
fn a_file_name_with_control_characters_gives_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: [(&str, &[u8], &str); 3] = [
        ("two\nlines.dcm", b"", "two\\nlines.dcm"),
        ("tab\there.png", b"hello", "tab\\there.png"),
        ("esc\u{1b}[2K.dcm", b"DICMnot really", "esc\\u{1b}[2K.dcm"),
    ];
    for (name, bytes, shown) in cases {
        let path = write(dir.path(), name, bytes);
        let msg = load(&path).expect_err("bad input").to_string();
        assert_eq!(msg.lines().count(), 1, "{msg:?}");
        assert!(!msg.contains(['\n', '\t', '\u{1b}']), "{msg:?}");
        let end = format!(": {}/{shown}", dir.path().display());
        assert!(msg.ends_with(&end), "{msg:?} does not end with {end:?}");
    }
    let missing = dir.path().join("gone\n.dcm");
    let msg = load(&missing).expect_err("missing").to_string();
    assert_eq!(msg.lines().count(), 1, "{msg:?}");
    assert!(msg.ends_with("gone\\n.dcm"), "{msg:?}");
}

#[test]
fn text_named_dcm() {
    let e = fails("notes.dcm", b"Patient notes\nnot an image\n");
    assert!(
        matches!(e, ReadError::UnknownFormat { .. }) && e.to_string().contains("(text)"),
        "{e}"
    );
}

#[test]
fn pdf_header() {
    let e = fails("report.dcm", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n");
    assert!(e.to_string().contains("a PDF document"), "{e}");
}

#[test]
fn missing_file() {
    let e = load(Path::new("/nonexistent/screwid/x.dcm")).expect_err("must fail");
    assert!(matches!(e, ReadError::Io { .. }), "{e}");
}

#[test]
fn truncated_dicom_header() {
    let full = grey16(4, 4, &[0; 16], &[]);
    let e = fails("cut.dcm", &full[..200]);
    assert!(
        matches!(
            e,
            ReadError::DicomParse { .. } | ReadError::NoPixelData { .. }
        ),
        "{e}"
    );
}

#[test]
fn truncated_pixel_data() {
    let full = grey16(64, 64, &[7; 64 * 64], &[]);
    let e = fails("cut.dcm", &full[..full.len() - 4000]);
    assert!(
        matches!(e, ReadError::DicomParse { .. } | ReadError::Decode { .. }),
        "{e}"
    );
}

#[test]
fn dicom_without_pixel_data() {
    let bytes = support::dicom_file(
        support::EXPLICIT_LE,
        &[(0x0008, 0x0060, "CS", text("SR"))],
        true,
    );
    assert!(matches!(
        fails("report.dcm", &bytes),
        ReadError::NoPixelData { .. }
    ));
}

#[test]
fn zero_size_dicom() {
    let e = fails("zero.dcm", &grey16(0, 16, &[], &[]));
    assert!(
        matches!(
            e,
            ReadError::ZeroSize {
                width: 16,
                height: 0,
                ..
            }
        ),
        "{e}"
    );
}

/// 20000 x 20000 declared with 8 bytes of pixels: refused from the header.
#[test]
fn over_40_megapixels_is_refused_before_decoding() {
    let e = fails("huge.dcm", &grey16(20000, 20000, &[0; 4], &[]));
    assert!(matches!(e, ReadError::TooLarge { .. }), "{e}");
    assert!(e.to_string().contains("20000 x 20000"), "{e}");
}

fn bmp_header(width: i32, height: i32) -> Vec<u8> {
    let mut b = b"BM".to_vec();
    b.extend_from_slice(&54u32.to_le_bytes()); // file size (header only)
    b.extend_from_slice(&[0; 4]);
    b.extend_from_slice(&54u32.to_le_bytes()); // pixel offset
    b.extend_from_slice(&40u32.to_le_bytes()); // BITMAPINFOHEADER
    b.extend_from_slice(&width.to_le_bytes());
    b.extend_from_slice(&height.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&24u16.to_le_bytes());
    b.extend_from_slice(&[0; 24]);
    b
}

#[test]
fn huge_bmp_header_is_refused() {
    let e = fails("huge.bmp", &bmp_header(20000, 20000));
    assert!(matches!(e, ReadError::TooLarge { .. }), "{e}");
}

#[test]
fn zero_size_bmp() {
    let e = fails("zero.bmp", &bmp_header(0, 0));
    assert!(matches!(e, ReadError::ZeroSize { .. }), "{e}");
}

// ---------------------------------------------------------------- raster images

fn save(dir: &Path, name: &str, image: impl Into<image::DynamicImage>) -> PathBuf {
    let path = dir.join(name);
    image.into().save(&path).expect("save");
    path
}

#[test]
fn png_8_bit_grey_is_code_over_255() {
    let dir = tempfile::tempdir().expect("tempdir");
    let img = image::GrayImage::from_raw(3, 1, vec![0, 51, 255]).expect("buffer");
    let r = load(&save(dir.path(), "g8.png", img)).expect("loads");
    assert_eq!(r.image.as_raw(), &vec![0.0, 0.2, 1.0]);
    assert_eq!(
        (r.info.photometric.as_str(), r.info.bits_stored),
        ("MONOCHROME2", 8)
    );
    assert_eq!(
        r.info.source,
        SourceFormat::Raster {
            format: "PNG".into()
        }
    );
}

#[test]
fn png_16_bit_grey_is_code_over_65535() {
    let dir = tempfile::tempdir().expect("tempdir");
    let img = image::ImageBuffer::<image::Luma<u16>, _>::from_raw(2, 1, vec![13107u16, 65535])
        .expect("buffer");
    let path = save(dir.path(), "g16.png", img);
    let r = load(&path).expect("loads");
    assert_eq!(r.image.as_raw(), &vec![0.2, 1.0]);
    assert_eq!(r.info.bits_stored, 16);
    assert_eq!(
        stored_values(&path).expect("stored").samples,
        vec![13107, 65535]
    );
}

#[test]
fn png_rgb_is_bt601_luma() {
    let dir = tempfile::tempdir().expect("tempdir");
    let img = image::RgbImage::from_raw(2, 1, vec![255, 0, 0, 0, 0, 255]).expect("buffer");
    let r = load(&save(dir.path(), "rgb.png", img)).expect("loads");
    let v = r.image.as_raw();
    assert!(
        (v[0] - 0.299).abs() < 1e-6 && (v[1] - 0.114).abs() < 1e-6,
        "{v:?}"
    );
    assert_eq!(r.info.photometric, "RGB");
}

#[test]
fn png_rgb_16_bit_is_luma_over_65535() {
    let dir = tempfile::tempdir().expect("tempdir");
    let img = image::ImageBuffer::<image::Rgb<u16>, _>::from_raw(1, 1, vec![0u16, 65535, 0])
        .expect("buffer");
    let r = load(&save(dir.path(), "rgb16.png", img)).expect("loads");
    assert!((r.image.as_raw()[0] - 0.587).abs() < 1e-6);
}

#[test]
fn content_wins_over_extension() {
    let dir = tempfile::tempdir().expect("tempdir");
    let png = save(
        dir.path(),
        "grey.png",
        image::GrayImage::from_raw(1, 1, vec![255]).expect("buffer"),
    );
    let misnamed = dir.path().join("actually_png.dcm");
    std::fs::rename(&png, &misnamed).expect("rename");
    assert_eq!(load(&misnamed).expect("loads").image.as_raw(), &vec![1.0]);
}

/// Native data with `HighBit` 15 but `BitsStored` 12 (high-aligned) is refused, not misread.
#[test]
fn high_aligned_native_data_is_refused() {
    let extra = [
        (0x0028, 0x0101, "US", us(12)),
        (0x0028, 0x0102, "US", us(15)),
    ];
    let e = fails("hb.dcm", &grey16(1, 1, &[0xFFF0], &extra));
    assert!(
        matches!(e, ReadError::UnsupportedLayout { .. }) && e.to_string().contains("HighBit 15"),
        "{e}"
    );
}

/// A device never ends; reading it must be refused, not attempted (found by trying
/// `screwid analyze /dev/zero`, which grew to 24 GB).
#[test]
fn a_device_is_refused_without_reading_it() {
    let err = load(Path::new("/dev/zero")).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("not a regular file") && message.ends_with("/dev/zero"),
        "{message}"
    );
}
