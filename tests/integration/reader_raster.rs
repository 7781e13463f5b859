//! Integration tests of `screwid::radiograph` on raster images built here: PNG / JPEG /
//! TIFF headers declaring over 40 megapixels (refused from the header, before any pixel
//! buffer), a JPEG and a PNG with an EXIF orientation (turned upright), 16-bit grey TIFF,
//! and PNGs read row by row (16-bit RGBA, palette).
//! Expected values are worked by hand.

use super::reader_support::write;

use std::path::Path;

use screwid::radiograph::{ReadError, SourceFormat, load};

fn fails(name: &str, bytes: &[u8]) -> ReadError {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), name, bytes);
    let err = load(&path).expect_err("must fail");
    let msg = err.to_string();
    assert!(!msg.contains('\n') && msg.ends_with(&format!(": {}", path.display())));
    err
}

fn assert_too_large(err: &ReadError) {
    assert!(
        matches!(
            err,
            ReadError::TooLarge {
                width: 20000,
                height: 20000,
                ..
            }
        ),
        "{err}"
    );
}

/// A PNG signature and IHDR declaring 20000 x 20000, then nothing.
#[test]
fn huge_png_header_is_refused() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend_from_slice(&20000u32.to_be_bytes());
    png.extend_from_slice(&20000u32.to_be_bytes());
    png.extend_from_slice(&[8, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_too_large(&fails("huge.png", &png));
}

/// A little-endian TIFF whose first IFD declares 20000 x 20000, 8-bit grey, one strip.
#[test]
fn huge_tiff_header_is_refused() {
    let mut t = b"II*\0".to_vec();
    t.extend_from_slice(&8u32.to_le_bytes());
    let entries: [(u16, u16, u32); 8] = [
        (256, 4, 20000), // ImageWidth, LONG
        (257, 4, 20000), // ImageLength
        (258, 3, 8),     // BitsPerSample, SHORT
        (259, 3, 1),     // Compression none
        (262, 3, 1),     // BlackIsZero
        (273, 4, 200),   // StripOffsets
        (278, 4, 20000), // RowsPerStrip
        (279, 4, 400_000_000),
    ];
    t.extend_from_slice(&u16::try_from(entries.len()).expect("8").to_le_bytes());
    for (tag, kind, value) in entries {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&1u32.to_le_bytes());
        t.extend_from_slice(&value.to_le_bytes());
    }
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_too_large(&fails("huge.tif", &t));
}

/// A baseline JPEG whose frame header declares 20000 x 20000 grey, with no scan data.
#[test]
fn huge_jpeg_header_is_refused() {
    let mut j = vec![0xFF, 0xD8];
    // DQT: table 0, all ones
    j.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x43, 0x00]);
    j.extend_from_slice(&[1; 64]);
    // SOF0: precision 8, height, width, 1 component (id 1, 1x1, table 0)
    j.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 8]);
    j.extend_from_slice(&20000u16.to_be_bytes());
    j.extend_from_slice(&20000u16.to_be_bytes());
    j.extend_from_slice(&[1, 1, 0x11, 0]);
    j.extend_from_slice(&[0xFF, 0xD9]);
    assert_too_large(&fails("huge.jpg", &j));
}

/// An APP1 Exif segment holding one IFD entry: Orientation (0x0112) = `value`.
fn exif_orientation(value: u16) -> Vec<u8> {
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&value.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(
        &u16::try_from(payload.len() + 2)
            .expect("small")
            .to_be_bytes(),
    );
    seg.extend_from_slice(&payload);
    seg
}

/// 16 x 8 grey, left half black, right half white, stored with orientation 6 ("rotate
/// 90° clockwise to display"): shown 8 wide x 16 tall, the stored left (black) at the top.
#[test]
fn jpeg_exif_orientation_is_applied() {
    let pixels: Vec<u8> = (0..8 * 16)
        .map(|i| if i % 16 < 8 { 0 } else { 255 })
        .collect();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 100)
        .encode(&pixels, 16, 8, image::ExtendedColorType::L8)
        .expect("encode");
    let mut with_exif = jpeg[..2].to_vec();
    with_exif.extend_from_slice(&exif_orientation(6));
    with_exif.extend_from_slice(&jpeg[2..]);
    let dir = tempfile::tempdir().expect("tempdir");
    let r = load(&write(dir.path(), "turned.jpg", &with_exif)).expect("loads");
    assert_eq!(r.image.dimensions(), (8, 16));
    let top = r.image.get_pixel(4, 2).0[0];
    let bottom = r.image.get_pixel(4, 13).0[0];
    assert!(top < 0.1 && bottom > 0.9, "top {top}, bottom {bottom}");
    assert!(
        r.info.notes.iter().any(|n| n.contains("orientation")),
        "{:?}",
        r.info.notes
    );
    // The same stream without the segment stays 16 x 8, no note.
    let plain = load(&write(dir.path(), "plain.jpg", &jpeg)).expect("loads");
    assert_eq!(plain.image.dimensions(), (16, 8));
    assert!(plain.info.notes.is_empty(), "{:?}", plain.info.notes);
}

/// 16-bit grey TIFF: 13107 / 65535 = 0.2, 65535 → 1, 0 → 0.
#[test]
fn tiff_16_bit_grey_is_code_over_65535() {
    let dir = tempfile::tempdir().expect("tempdir");
    let img = image::ImageBuffer::<image::Luma<u16>, _>::from_raw(3, 1, vec![13107u16, 65535, 0])
        .expect("buffer");
    let path: &Path = &dir.path().join("g16.tif");
    img.save(path).expect("save");
    let r = load(path).expect("loads");
    assert_eq!(r.image.as_raw(), &vec![0.2, 1.0, 0.0]);
    assert_eq!(
        (r.info.photometric.as_str(), r.info.bits_stored),
        ("MONOCHROME2", 16)
    );
    assert_eq!(
        r.info.source,
        SourceFormat::Raster {
            format: "TIFF".into()
        }
    );
}

/// PNGs are decoded row by row (`png_rows.rs`): a 16-bit RGBA pair, worked by hand:
/// pure red is BT.601 0.299, pure blue 0.114, alpha ignored (and noted).
#[test]
fn png_16_bit_rgba_is_luma_alpha_ignored() {
    let img = image::ImageBuffer::<image::Rgba<u16>, _>::from_raw(
        2,
        1,
        vec![65535u16, 0, 0, 0, 0, 0, 65535, 65535],
    )
    .expect("buffer");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rgba16.png");
    img.save(&path).expect("save");
    let r = load(&path).expect("loads");
    let v = r.image.as_raw();
    assert!(
        (v[0] - 0.299).abs() < 1e-6 && (v[1] - 0.114).abs() < 1e-6,
        "{v:?}"
    );
    assert_eq!(r.info.bits_stored, 16);
    assert!(r.info.notes.iter().any(|n| n == "alpha channel ignored"));
}

/// A 1-bit palette PNG (black, mid grey, written with the `png` crate): indices expanded
/// through the palette, then luma / 255: 0 and 128 / 255.
#[test]
fn png_palette_is_expanded() {
    let mut bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, 3, 1);
        enc.set_color(png::ColorType::Indexed);
        enc.set_depth(png::BitDepth::One);
        enc.set_palette(vec![0, 0, 0, 128, 128, 128]);
        let mut w = enc.write_header().expect("header");
        w.write_image_data(&[0b0100_0000]).expect("data"); // indices 0, 1, 0
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let r = load(&write(dir.path(), "palette.png", &bytes)).expect("loads");
    let want = [0.0, 128.0 / 255.0, 0.0];
    for (got, want) in r.image.as_raw().iter().zip(want) {
        assert!((got - want).abs() < 1e-6, "{:?}", r.image.as_raw());
    }
}

/// The 16 x 8 half-black, half-white image of the JPEG test as a PNG with an eXIf chunk
/// (the same TIFF IFD, orientation 6): shown 8 x 16, the stored left (black) at the top.
#[test]
fn png_exif_orientation_is_applied() {
    use image::ImageEncoder as _;
    let pixels: Vec<u8> = (0..8 * 16)
        .map(|i| if i % 16 < 8 { 0 } else { 255 })
        .collect();
    let mut bytes = Vec::new();
    let mut enc = image::codecs::png::PngEncoder::new(&mut bytes);
    // The APP1 segment less its marker, length and "Exif\0\0": the bare TIFF data.
    enc.set_exif_metadata(exif_orientation(6)[10..].to_vec())
        .expect("exif");
    enc.write_image(&pixels, 16, 8, image::ExtendedColorType::L8)
        .expect("encode");
    let dir = tempfile::tempdir().expect("tempdir");
    let r = load(&write(dir.path(), "turned.png", &bytes)).expect("loads");
    assert_eq!(r.image.dimensions(), (8, 16));
    let (top, bottom) = (r.image.get_pixel(4, 0).0[0], r.image.get_pixel(4, 15).0[0]);
    assert!(
        top.abs() < 1e-6 && (bottom - 1.0).abs() < 1e-6,
        "{top} {bottom}"
    );
    assert!(
        r.info.notes.iter().any(|n| n.contains("Rotate90")),
        "{:?}",
        r.info.notes
    );
}
