//! Owns reading PNG / JPEG / TIFF / BMP with the `image` crate: size check from the header
//! before decoding, then grey (or BT.601 luma of colour) divided by the maximum code value
//! (255 for 8-bit, 65535 for 16-bit; float images are clamped to [0, 1]).

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageFormat, ImageReader};

use super::colour::{Planes, rgb_luma};
use super::error::{ReadError, one_line};
use super::info::ImageInfo;
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

/// Width and height straight from a PNG (IHDR) or BMP (info header) header, so that a
/// zero-size image is named as such (the decoders reject it with a vaguer message).
fn header_size(bytes: &[u8]) -> Option<(u64, u64)> {
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

/// Check the header's size, then decode (with the 100 MP limit as a second guard).
fn decode(bytes: &[u8], path: &Path) -> Result<(DynamicImage, String), ReadError> {
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
    let image = full.decode().map_err(|e| raster_error(&e, &format, path))?;
    Ok((image, format))
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

/// Grey values in [0, 1] and (colour, bits) of a decoded raster image.
fn grey_values(image: &DynamicImage) -> (Vec<f32>, bool, u16) {
    let n = image.width() as usize * image.height() as usize;
    let colour = image.color().has_color();
    let bits = image.color().bits_per_pixel() / u16::from(image.color().channel_count());
    let values = match image {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageLumaA8(_) => image
            .to_luma8()
            .pixels()
            .map(|p| f32::from(p.0[0]) / 255.0)
            .collect(),
        DynamicImage::ImageRgb32F(_) | DynamicImage::ImageRgba32F(_) => {
            let rgb = image.to_rgb32f().into_raw();
            rgb_luma(&rgb, n, Planes::Interleaved)
                .into_iter()
                .map(|v| v.clamp(0.0, 1.0))
                .collect()
        }
        _ if !colour => image
            .to_luma16()
            .pixels()
            .map(|p| f32::from(p.0[0]) / 65535.0)
            .collect(),
        _ if bits <= 8 => {
            let rgb: Vec<f32> = image
                .to_rgb8()
                .into_raw()
                .into_iter()
                .map(f32::from)
                .collect();
            rgb_luma(&rgb, n, Planes::Interleaved)
                .into_iter()
                .map(|v| v / 255.0)
                .collect()
        }
        _ => {
            let rgb: Vec<f32> = image
                .to_rgb16()
                .into_raw()
                .into_iter()
                .map(f32::from)
                .collect();
            rgb_luma(&rgb, n, Planes::Interleaved)
                .into_iter()
                .map(|v| v / 65535.0)
                .collect()
        }
    };
    (values, colour, bits)
}

/// Load a raster radiograph as display values.
pub fn load(bytes: &[u8], path: &Path) -> Result<Radiograph, ReadError> {
    let (image, format) = decode(bytes, path)?;
    let (values, colour, bits) = grey_values(&image);
    let mut info = ImageInfo::raster(&format, colour, bits);
    if image.color().has_alpha() {
        info.note("alpha channel ignored".to_owned());
    }
    let grey = GreyImage::from_raw(image.width(), image.height(), values).ok_or_else(|| {
        ReadError::Decode {
            reason: "pixel count mismatch".to_owned(),
            path: path.to_owned(),
        }
    })?;
    Ok(Radiograph { image: grey, info })
}

/// The decoded samples of a raster image: grey as is, colour as interleaved RGB (alpha
/// dropped), at the image's own bit depth (8 or 16; float images scaled to 16 bit).
pub fn stored(bytes: &[u8], path: &Path) -> Result<StoredFrame, ReadError> {
    let (image, _) = decode(bytes, path)?;
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
    }
}
