//! Owns decoding a PNG row by row with the `png` crate straight into one `f32` buffer of
//! grey codes: a 40-megapixel 16-bit RGBA PNG decodes through 320 MB of pixels, which the
//! `image` path held whole (with a 16-bit RGB copy and its `f32` samples beside it: 1.1 GB
//! peak, measured). Here only the file, the code buffer and one row are held. Codes are
//! those of the `image` path: the grey sample, or the BT.601 luma of RGB (the same
//! [`rgb_luma`]), with the maximum code (255 or 65535); alpha ignored, palette and low bit
//! depths expanded (the same `Transformations::EXPAND` that `image` asks for), the EXIF
//! orientation applied after. Interlaced PNGs (rows come in seven passes) are left to the
//! `image` path.

use std::io::Cursor;
use std::path::Path;

use image::imageops::{
    flip_horizontal_in_place, flip_vertical_in_place, rotate90, rotate180_in_place, rotate270,
};
use image::metadata::Orientation;
use png::{BitDepth, ColorType, Transformations};

use super::colour::{Planes, rgb_luma};
use super::error::{ReadError, one_line};
use super::{GreyImage, check_size};

/// A PNG read as grey codes `0..=max` (upright), with what `ImageInfo` says of it.
pub struct PngGrey {
    pub codes: GreyImage,
    pub max: f32,
    pub colour: bool,
    pub bits: u16,
    pub alpha: bool,
    pub turned: Option<Orientation>,
}

/// How one decoded row's samples are laid out.
#[derive(Clone, Copy)]
struct Layout {
    channels: usize,
    sixteen: bool,
    colour: bool,
}

impl Layout {
    fn max(self) -> f32 {
        if self.sixteen { 65535.0 } else { 255.0 }
    }

    /// Sample `i` of a row (16-bit samples are big-endian in PNG).
    fn sample(self, row: &[u8], i: usize) -> f32 {
        if self.sixteen {
            f32::from(u16::from_be_bytes([row[2 * i], row[2 * i + 1]]))
        } else {
            f32::from(row[i])
        }
    }
}

/// Decode a PNG row by row into grey codes; `Ok(None)` for an interlaced one.
///
/// # Errors
/// [`ReadError::Decode`] for a damaged stream, size refusals as [`check_size`].
pub fn decode(bytes: &[u8], path: &Path) -> Result<Option<PngGrey>, ReadError> {
    let error = |e: &png::DecodingError| ReadError::Decode {
        reason: format!("PNG: {}", one_line(e)),
        path: path.to_owned(),
    };
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(|e| error(&e))?;
    let info = reader.info();
    let (width, height) = (info.width, info.height);
    check_size(u64::from(width), u64::from(height), path)?;
    if info.interlaced {
        return Ok(None);
    }
    // As `image` reads it: unreadable EXIF is shown as stored.
    let orientation = info
        .exif_metadata
        .as_deref()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let (colour_type, depth) = reader.output_color_type();
    let layout = Layout {
        channels: colour_type.samples(),
        sixteen: depth == BitDepth::Sixteen,
        colour: matches!(colour_type, ColorType::Rgb | ColorType::Rgba),
    };
    let n = width as usize * height as usize;
    let mut values = Vec::with_capacity(n);
    let mut rgb = Vec::new();
    while values.len() < n {
        let Some(row) = reader.next_row().map_err(|e| error(&e))? else {
            break;
        };
        push_row(row.data(), width as usize, layout, &mut rgb, &mut values);
    }
    let codes = GreyImage::from_raw(width, height, values).ok_or_else(|| ReadError::Decode {
        reason: "PNG: fewer rows than the header says".to_owned(),
        path: path.to_owned(),
    })?;
    Ok(Some(PngGrey {
        codes: turn(codes, orientation),
        max: layout.max(),
        colour: layout.colour,
        bits: if layout.sixteen { 16 } else { 8 },
        alpha: matches!(colour_type, ColorType::GrayscaleAlpha | ColorType::Rgba),
        turned: (orientation != Orientation::NoTransforms).then_some(orientation),
    }))
}

/// Append one row's codes: the first sample, or the luma of the first three.
fn push_row(row: &[u8], width: usize, layout: Layout, rgb: &mut Vec<f32>, out: &mut Vec<f32>) {
    let at = |p: usize, c: usize| layout.sample(row, p * layout.channels + c);
    if !layout.colour {
        out.extend((0..width).map(|p| at(p, 0)));
        return;
    }
    rgb.clear();
    rgb.extend((0..width).flat_map(|p| [at(p, 0), at(p, 1), at(p, 2)]));
    out.extend(rgb_luma(rgb, width, Planes::Interleaved));
}

/// Turn the grey image upright, as `DynamicImage::apply_orientation` does.
fn turn(mut image: GreyImage, orientation: Orientation) -> GreyImage {
    match orientation {
        Orientation::NoTransforms => image,
        Orientation::Rotate90 => rotate90(&image),
        Orientation::Rotate270 => rotate270(&image),
        Orientation::Rotate180 => {
            rotate180_in_place(&mut image);
            image
        }
        Orientation::FlipHorizontal => {
            flip_horizontal_in_place(&mut image);
            image
        }
        Orientation::FlipVertical => {
            flip_vertical_in_place(&mut image);
            image
        }
        Orientation::Rotate90FlipH => {
            let mut turned = rotate90(&image);
            flip_horizontal_in_place(&mut turned);
            turned
        }
        Orientation::Rotate270FlipH => {
            let mut turned = rotate270(&image);
            flip_horizontal_in_place(&mut turned);
            turned
        }
    }
}
