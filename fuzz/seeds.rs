//! Seed inputs for the reader fuzzer, all built here (no third-party files): small DICOM
//! files of each pixel route and framing (native grey 8 / 16 bit, signed, windows, LUTs,
//! MONOCHROME1, RGB planar, 4:2:2, palette, bare and meta-less data sets, deflate, RLE,
//! JPEG baseline encapsulated) and PNG / JPEG / TIFF / BMP written with `image`.

use super::support::{self, Element, bare_dataset, grey16, grey16_elements, item, text, us, words};

const IMPLICIT_LE: &str = "1.2.840.10008.1.2";
const DEFLATE: &str = "1.2.840.10008.1.2.1.99";
const RLE: &str = "1.2.840.10008.1.2.5";
const JPEG_BASELINE: &str = "1.2.840.10008.1.2.4.50";

fn ramp(n: u16) -> Vec<u16> {
    (0..n).map(|i| i.wrapping_mul(977) % 4096).collect()
}

/// Image attributes of an 8-bit image with `spp` samples and `photometric`.
fn header8(rows: u16, cols: u16, spp: u16, photometric: &str, planar: u16) -> Vec<Element> {
    vec![
        (0x0008, 0x0060, "CS", text("DX")),
        (0x0028, 0x0002, "US", us(spp)),
        (0x0028, 0x0004, "CS", text(photometric)),
        (0x0028, 0x0006, "US", us(planar)),
        (0x0028, 0x0010, "US", us(rows)),
        (0x0028, 0x0011, "US", us(cols)),
        (0x0028, 0x0100, "US", us(8)),
        (0x0028, 0x0101, "US", us(8)),
        (0x0028, 0x0102, "US", us(7)),
        (0x0028, 0x0103, "US", us(0)),
    ]
}

fn with_pixels(mut elements: Vec<Element>, vr: &'static str, pixels: Vec<u8>) -> Vec<Element> {
    elements.push((0x7FE0, 0x0010, vr, pixels));
    elements
}

/// Encapsulated pixel data (undefined length, empty offset table, one fragment) appended
/// to a file whose other elements all sort before Pixel Data.
fn encapsulated(ts: &str, elements: &[Element], fragment: &[u8]) -> Vec<u8> {
    let mut out = support::dicom_file(ts, elements, true);
    out.extend_from_slice(&[0xE0, 0x7F, 0x10, 0x00, b'O', b'B', 0, 0]);
    out.extend_from_slice(&u32::MAX.to_le_bytes());
    out.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0]);
    let mut frag = fragment.to_vec();
    if frag.len() % 2 == 1 {
        frag.push(0);
    }
    out.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0]);
    out.extend_from_slice(&u32::try_from(frag.len()).expect("small").to_le_bytes());
    out.extend_from_slice(&frag);
    out.extend_from_slice(&[0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
    out
}

/// An RLE Lossless frame of 8-bit grey: one segment of literal runs (PS3.5 G.3.1).
fn rle_frame(pixels: &[u8]) -> Vec<u8> {
    let mut segment = Vec::new();
    for run in pixels.chunks(128) {
        segment.push(u8::try_from(run.len() - 1).expect("≤ 127"));
        segment.extend_from_slice(run);
    }
    let mut out = 1u32.to_le_bytes().to_vec();
    out.extend_from_slice(&64u32.to_le_bytes());
    out.extend_from_slice(&[0; 56]);
    out.extend_from_slice(&segment);
    out
}

/// Raw deflate of `data` in stored (uncompressed) blocks (RFC 1951 3.2.4).
fn deflate_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let chunks: Vec<&[u8]> = data.chunks(65535).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        out.push(u8::from(i + 1 == chunks.len()));
        let n = u16::try_from(chunk.len()).expect("≤ 65535");
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&(!n).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

fn dicom_seeds() -> Vec<(String, Vec<u8>)> {
    let window = |c: &str, w: &str| -> Vec<Element> {
        vec![
            (0x0028, 0x1050, "DS", text(c)),
            (0x0028, 0x1051, "DS", text(w)),
        ]
    };
    let seeds = vec![
        (
            "grey16".to_owned(),
            grey16(3, 4, &ramp(12), &window("2048", "4096")),
        ),
        ("grey16_sigmoid_mono1".to_owned(), {
            let mut e = window("100\\500", "40\\11");
            e.push((0x0028, 0x0004, "CS", text("MONOCHROME1")));
            e.push((0x0028, 0x1055, "LO", text("A\\B")));
            e.push((0x0028, 0x1056, "CS", text("SIGMOID")));
            e.push((0x2050, 0x0020, "CS", text("INVERSE")));
            grey16(2, 2, &[90, 100, 110, 120], &e)
        }),
        ("signed12".to_owned(), {
            let e = [
                (0x0028, 0x0101, "US", us(12)),
                (0x0028, 0x0102, "US", us(11)),
                (0x0028, 0x0103, "US", us(1)),
            ];
            grey16(1, 4, &[0x0FFB, 0xF005, 0x07FF, 0x0800], &e)
        }),
        ("luts".to_owned(), {
            let m = item(&[
                (0x0028, 0x3002, "US", words(&[3, 10, 16])),
                (0x0028, 0x3006, "OW", words(&[0, 500, 1000])),
            ]);
            let v = item(&[
                (0x0028, 0x3002, "US", words(&[3, 0, 8])),
                (0x0028, 0x3006, "OW", words(&[0, 51, 255])),
            ]);
            grey16(
                1,
                4,
                &[10, 11, 12, 99],
                &[(0x0028, 0x3000, "SQ", m), (0x0028, 0x3010, "SQ", v)],
            )
        }),
    ];
    seeds
}

fn colour_and_framing_seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    let grey8 = with_pixels(
        header8(2, 4, 1, "MONOCHROME2", 0),
        "OB",
        vec![0, 40, 80, 120, 160, 200, 240, 255],
    );
    seeds.push((
        "grey8".into(),
        support::dicom_file(support::EXPLICIT_LE, &grey8, true),
    ));
    let rgb = with_pixels(header8(1, 2, 3, "RGB", 1), "OB", vec![255, 0, 0, 0, 0, 255]);
    seeds.push((
        "rgb_planar".into(),
        support::dicom_file(support::EXPLICIT_LE, &rgb, true),
    ));
    let ybr = with_pixels(
        header8(1, 4, 3, "YBR_FULL_422", 0),
        "OB",
        vec![51, 204, 90, 200, 0, 255, 128, 128],
    );
    seeds.push((
        "ybr422".into(),
        support::dicom_file(support::EXPLICIT_LE, &ybr, true),
    ));
    let mut pal = with_pixels(header8(1, 4, 1, "PALETTE COLOR", 0), "OB", vec![0, 1, 2, 3]);
    for k in 0..3u16 {
        pal.push((0x0028, 0x1101 + k, "US", words(&[4, 0, 16])));
        pal.push((0x0028, 0x1201 + k, "OW", words(&[0, 21845, 43690, 65535])));
    }
    seeds.push((
        "palette".into(),
        support::dicom_file(support::EXPLICIT_LE, &pal, true),
    ));
    let plain = grey16_elements(2, 3, &ramp(6));
    seeds.push(("bare_implicit".into(), bare_dataset(&plain, false)));
    seeds.push(("bare_explicit".into(), bare_dataset(&plain, true)));
    seeds.push((
        "no_preamble".into(),
        support::dicom_file(support::EXPLICIT_LE, &plain, false),
    ));
    seeds.push((
        "no_magic".into(),
        support::dicom_file(IMPLICIT_LE, &plain, false)[4..].to_vec(),
    ));
    let deflated = {
        let meta_only = support::dicom_file(DEFLATE, &[], true);
        let mut out = meta_only.clone();
        out.extend_from_slice(&deflate_stored(&bare_dataset(&plain, true)));
        out
    };
    seeds.push(("deflate".into(), deflated));
    let header = header8(2, 4, 1, "MONOCHROME2", 0);
    let pixels = [0u8, 40, 80, 120, 160, 200, 240, 255];
    seeds.push((
        "rle".into(),
        encapsulated(RLE, &header, &rle_frame(&pixels)),
    ));
    let mut jpeg = Vec::new();
    let grey: Vec<u8> = (0..64u8).map(|i| i * 4).collect();
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
        .encode(&grey, 8, 8, image::ExtendedColorType::L8)
        .expect("jpeg");
    seeds.push((
        "jpeg_baseline".into(),
        encapsulated(JPEG_BASELINE, &header8(8, 8, 1, "MONOCHROME2", 0), &jpeg),
    ));
    seeds
}

fn raster_seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    let grey = image::GrayImage::from_fn(8, 4, |x, y| {
        image::Luma([u8::try_from(x * 30 + y).unwrap_or(0)])
    });
    let grey16 = image::ImageBuffer::<image::Luma<u16>, _>::from_fn(4, 4, |x, y| {
        image::Luma([u16::try_from(x * 9000 + y).unwrap_or(0)])
    });
    let rgb = image::RgbImage::from_fn(4, 4, |x, y| {
        image::Rgb([
            u8::try_from(x * 60).unwrap_or(0),
            u8::try_from(y * 60).unwrap_or(0),
            128,
        ])
    });
    for (name, img, format) in [
        (
            "png8",
            image::DynamicImage::from(grey.clone()),
            image::ImageFormat::Png,
        ),
        (
            "png16",
            image::DynamicImage::from(grey16.clone()),
            image::ImageFormat::Png,
        ),
        (
            "png_rgb",
            image::DynamicImage::from(rgb.clone()),
            image::ImageFormat::Png,
        ),
        (
            "jpeg",
            image::DynamicImage::from(grey.clone()),
            image::ImageFormat::Jpeg,
        ),
        (
            "jpeg_rgb",
            image::DynamicImage::from(rgb.clone()),
            image::ImageFormat::Jpeg,
        ),
        (
            "tiff16",
            image::DynamicImage::from(grey16),
            image::ImageFormat::Tiff,
        ),
        (
            "tiff_rgb",
            image::DynamicImage::from(rgb.clone()),
            image::ImageFormat::Tiff,
        ),
        (
            "bmp",
            image::DynamicImage::from(rgb),
            image::ImageFormat::Bmp,
        ),
    ] {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, format).expect("encode");
        seeds.push((name.to_owned(), out.into_inner()));
    }
    seeds
}

/// Every seed, named.
pub fn all() -> Vec<(String, Vec<u8>)> {
    let mut seeds = dicom_seeds();
    seeds.extend(colour_and_framing_seeds());
    seeds.extend(raster_seeds());
    seeds
}
