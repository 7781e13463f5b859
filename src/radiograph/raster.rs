//! Owns reading PNG / JPEG / TIFF / BMP with the `image` crate: size check from the header
//! before decoding, then grey (or BT.601 luma of colour) divided by the maximum code value
//! (255 for 8-bit, 65535 for 16-bit; float images are clamped to [0, 1]), turned upright
//! by the EXIF orientation (JPEG, TIFF, PNG, WebP) first. `load` hands non-interlaced PNGs
//! to `png_rows.rs` (row by row, same values); `stored` keeps the `image` path.

use std::io::Cursor;
use std::path::Path;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use super::colour::{Planes, rgb_luma};
use super::error::{ReadError, one_line};
use super::info::ImageInfo;
use super::levels::Levels;
use super::png_rows::{self, PngGrey};
use super::{GreyImage, Radiograph, StoredFrame, check_size};

/// A reader over the bytes with the format guessed from content.
fn reader<'a>(bytes: &'a [u8], path: &Path) -> Result<ImageReader<Cursor<&'a [u8]>>, ReadError> {
    ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ReadError::Io {
            reason: one_line(&e),
            path: path.to_owned(),
        })
}

fn format_name(format: Option<ImageFormat>) -> String {
    match format {
        Some(ImageFormat::Png) => "PNG".to_owned(),
        Some(ImageFormat::Jpeg) => "JPEG".to_owned(),
        Some(ImageFormat::Tiff) => "TIFF".to_owned(),
        Some(ImageFormat::Bmp) => "BMP".to_owned(),
        Some(other) => format!("{other:?}").to_uppercase(),
        None => "unknown".to_owned(),
    }
}

/// Width and height from the first JPEG frame header (SOF0–SOF15 but DHT, JPG, DAC),
/// walking the marker segments; `None` when a scan or the end comes first.
fn jpeg_size(bytes: &[u8]) -> Option<(u64, u64)> {
    let mut at = 2;
    loop {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        if marker == 0xFF {
            at += 1; // fill byte
            continue;
        }
        if matches!(marker, 0x01 | 0xD0..=0xD7) {
            at += 2;
            continue;
        }
        if matches!(marker, 0xD9 | 0xDA) {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2)?,
            *bytes.get(at + 3)?,
        ]));
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let be = |k: usize| -> Option<u64> {
                Some(u16::from_be_bytes([*bytes.get(k)?, *bytes.get(k + 1)?]).into())
            };
            return Some((be(at + 7)?, be(at + 5)?));
        }
        at += 2 + len.max(2);
    }
}

/// Width and height straight from a PNG (IHDR), BMP (info header) or JPEG (frame) header,
/// so that a zero-size or huge image is named as such before any decoder runs (the
/// decoders reject a zero size with a vaguer message, and need more than the header).
fn header_size(bytes: &[u8]) -> Option<(u64, u64)> {
    if bytes.starts_with(b"\xFF\xD8") {
        return jpeg_size(bytes);
    }
    let word = |at: usize| -> Option<[u8; 4]> { bytes.get(at..at + 4)?.try_into().ok() };
    if bytes.starts_with(b"\x89PNG") {
        return Some((
            u32::from_be_bytes(word(16)?).into(),
            u32::from_be_bytes(word(20)?).into(),
        ));
    }
    if bytes.starts_with(b"BM") {
        let (w, h) = (i32::from_le_bytes(word(18)?), i32::from_le_bytes(word(22)?));
        return Some((w.unsigned_abs().into(), h.unsigned_abs().into()));
    }
    None
}

/// A decoded raster image, its format name and the EXIF orientation applied (if any).
struct Decoded {
    image: DynamicImage,
    format: String,
    turned: Option<Orientation>,
}

/// Check the header's size, then decode (with the 100 MP limit as a second guard) and
/// apply the EXIF orientation, so that the image shows upright as a viewer shows it.
fn decode(bytes: &[u8], path: &Path) -> Result<Decoded, ReadError> {
    if let Some((width, height)) = header_size(bytes) {
        check_size(width, height, path)?;
    }
    let probe = reader(bytes, path)?;
    let format = format_name(probe.format());
    let (width, height) = probe
        .into_dimensions()
        .map_err(|e| raster_error(&e, &format, path))?;
    check_size(u64::from(width), u64::from(height), path)?;
    let mut full = reader(bytes, path)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    full.limits(limits);
    let mut decoder = full
        .into_decoder()
        .map_err(|e| raster_error(&e, &format, path))?;
    // Unreadable EXIF is not worth refusing the image for: shown as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image =
        DynamicImage::from_decoder(decoder).map_err(|e| raster_error(&e, &format, path))?;
    image.apply_orientation(orientation);
    let turned = (orientation != Orientation::NoTransforms).then_some(orientation);
    Ok(Decoded {
        image,
        format,
        turned,
    })
}

fn raster_error(e: &image::ImageError, format: &str, path: &Path) -> ReadError {
    match e {
        image::ImageError::Unsupported(_) => ReadError::UnsupportedLayout {
            what: format!("{format}: {}", one_line(e)),
            path: path.to_owned(),
        },
        _ => ReadError::Decode {
            reason: format!("{format}: {}", one_line(e)),
            path: path.to_owned(),
        },
    }
}

/// Grey (or luma) codes, the maximum code, and (colour, bits) of a decoded raster image;
/// float images give their values, maximum 1.
fn grey_codes(image: &DynamicImage) -> (Vec<f32>, f32, bool, u16) {
    let n = image.width() as usize * image.height() as usize;
    let colour = image.color().has_color();
    let bits = image.color().bits_per_pixel() / u16::from(image.color().channel_count());
    let (codes, max) = match image {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageLumaA8(_) => (
            image
                .to_luma8()
                .pixels()
                .map(|p| f32::from(p.0[0]))
                .collect(),
            255.0,
        ),
        DynamicImage::ImageRgb32F(_) | DynamicImage::ImageRgba32F(_) => {
            let rgb = image.to_rgb32f().into_raw();
            (rgb_luma(&rgb, n, Planes::Interleaved), 1.0)
        }
        _ if !colour => (
            image
                .to_luma16()
                .pixels()
                .map(|p| f32::from(p.0[0]))
                .collect(),
            65535.0,
        ),
        _ if bits <= 8 => {
            let rgb: Vec<f32> = image
                .to_rgb8()
                .into_raw()
                .into_iter()
                .map(f32::from)
                .collect();
            (rgb_luma(&rgb, n, Planes::Interleaved), 255.0)
        }
        _ => {
            let rgb: Vec<f32> = image
                .to_rgb16()
                .into_raw()
                .into_iter()
                .map(f32::from)
                .collect();
            (rgb_luma(&rgb, n, Planes::Interleaved), 65535.0)
        }
    };
    (codes, max, colour, bits)
}

/// Load a raster radiograph as display values (PNG row by row, `png_rows.rs`).
pub fn load(bytes: &[u8], path: &Path) -> Result<Radiograph, ReadError> {
    if bytes.starts_with(b"\x89PNG") {
        if let Some((width, height)) = header_size(bytes) {
            check_size(width, height, path)?;
        }
        if let Some(png) = png_rows::decode(bytes, path)? {
            return png_radiograph(png, path);
        }
    }
    let Decoded {
        image,
        format,
        turned,
    } = decode(bytes, path)?;
    let (codes, max, colour, bits) = grey_codes(&image);
    let (values, levels) = Levels::codes(image.width(), image.height(), codes, max);
    let mut info = ImageInfo::raster(&format, colour, bits);
    if let Some(orientation) = turned {
        info.note(format!("EXIF orientation {orientation:?} applied"));
    }
    if image.color().has_alpha() {
        info.note("alpha channel ignored".to_owned());
    }
    let grey = GreyImage::from_raw(image.width(), image.height(), values).ok_or_else(|| {
        ReadError::Decode {
            reason: "pixel count mismatch".to_owned(),
            path: path.to_owned(),
        }
    })?;
    Ok(Radiograph {
        image: grey,
        info,
        levels,
    })
}

/// Display values `code / max` (as the `image` path), with the codes kept for the viewer.
fn png_radiograph(png: PngGrey, path: &Path) -> Result<Radiograph, ReadError> {
    let (w, h) = png.codes.dimensions();
    let (values, levels) = Levels::codes(w, h, png.codes.into_raw(), png.max);
    let image = GreyImage::from_raw(w, h, values).ok_or_else(|| ReadError::Decode {
        reason: "pixel count mismatch".to_owned(),
        path: path.to_owned(),
    })?;
    let mut info = ImageInfo::raster("PNG", png.colour, png.bits);
    if let Some(orientation) = png.turned {
        info.note(format!("EXIF orientation {orientation:?} applied"));
    }
    if png.alpha {
        info.note("alpha channel ignored".to_owned());
    }
    Ok(Radiograph {
        image,
        info,
        levels,
    })
}

/// The decoded samples of a raster image: grey as is, colour as interleaved RGB (alpha
/// dropped), at the image's own bit depth (8 or 16; float images scaled to 16 bit).
pub fn stored(bytes: &[u8], path: &Path) -> Result<StoredFrame, ReadError> {
    let image = decode(bytes, path)?.image;
    let (width, height) = (image.width(), image.height());
    let colour = image.color().has_color();
    let eight = image.color().bits_per_pixel() / u16::from(image.color().channel_count()) <= 8;
    let samples: Vec<i32> = match (colour, eight) {
        (false, true) => image
            .to_luma8()
            .into_raw()
            .into_iter()
            .map(i32::from)
            .collect(),
        (false, false) => image
            .to_luma16()
            .into_raw()
            .into_iter()
            .map(i32::from)
            .collect(),
        (true, true) => image
            .to_rgb8()
            .into_raw()
            .into_iter()
            .map(i32::from)
            .collect(),
        (true, false) => image
            .to_rgb16()
            .into_raw()
            .into_iter()
            .map(i32::from)
            .collect(),
    };
    Ok(StoredFrame {
        width,
        height,
        samples_per_pixel: if colour { 3 } else { 1 },
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_sizes_of_png_and_bmp() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&300u32.to_be_bytes());
        png.extend_from_slice(&200u32.to_be_bytes());
        assert_eq!(header_size(&png), Some((300, 200)));
        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0; 16]);
        bmp.extend_from_slice(&640i32.to_le_bytes());
        bmp.extend_from_slice(&(-480i32).to_le_bytes()); // top-down
        assert_eq!(header_size(&bmp), Some((640, 480)));
        assert_eq!(header_size(b"BM"), None);
        // SOI, APP0 (length 4), fill byte, SOF0: precision 8, height 0x0102, width 0x0304
        let jpeg = b"\xFF\xD8\xFF\xE0\x00\x04ab\xFF\xFF\xC0\x00\x0B\x08\x01\x02\x03\x04";
        assert_eq!(header_size(jpeg), Some((0x0304, 0x0102)));
        assert_eq!(header_size(b"\xFF\xD8\xFF\xDA\x00\x02"), None);
        assert_eq!(header_size(b"\xFF\xD8\xFF\xE0\x00"), None);
    }
}
