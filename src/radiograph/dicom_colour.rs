//! Owns the DICOM colour paths: RGB and `YBR_FULL` decoded by dicom-pixeldata (interleaved
//! or planar) → luma codes and the maximum stored code; their stored samples interleaved.

use std::path::Path;

use dicom_pixeldata::{DecodedPixelData, PlanarConfiguration};

use super::colour::{Planes, rgb_luma, ybr_luma};
use super::error::{ReadError, one_line};

/// Raw samples of the first frame as `f32`, de-planarised to interleaved order.
pub fn raw_samples(px: &DecodedPixelData<'_>, path: &Path) -> Result<Vec<f32>, ReadError> {
    let data = px.frame_data(0).map_err(|e| ReadError::Decode {
        reason: one_line(&e),
        path: path.to_owned(),
    })?;
    Ok(if px.bits_allocated() == 8 {
        data.iter().map(|&b| f32::from(b)).collect()
    } else {
        data.chunks_exact(2)
            .map(|c| f32::from(u16::from_ne_bytes([c[0], c[1]])))
            .collect()
    })
}

pub fn planes(px: &DecodedPixelData<'_>) -> Planes {
    match px.planar_configuration() {
        PlanarConfiguration::Standard => Planes::Interleaved,
        PlanarConfiguration::PixelFirst => Planes::Planar,
    }
}

/// Colour (RGB / `YBR_FULL`) → luma codes and the maximum stored code; the display value
/// is their quotient, clamped to [0, 1] (`Levels::codes`).
pub fn colour_codes(px: &DecodedPixelData<'_>, path: &Path) -> Result<(Vec<f32>, f32), ReadError> {
    let samples = raw_samples(px, path)?;
    let n = px.rows() as usize * px.columns() as usize;
    let luma = if px.photometric_interpretation().as_str() == "YBR_FULL" {
        ybr_luma(&samples, n, planes(px))
    } else {
        rgb_luma(&samples, n, planes(px))
    };
    #[allow(clippy::cast_precision_loss)] // at most 2^16 - 1
    let max = ((1u32 << px.bits_stored().min(16)) - 1) as f32;
    Ok((luma, max))
}

#[allow(clippy::cast_possible_truncation)] // raw samples are u8 / u16 values
pub fn interleave(raw: &[f32], n: usize, planes: Planes) -> Vec<i32> {
    match planes {
        Planes::Interleaved => raw.iter().map(|&v| v as i32).collect(),
        Planes::Planar => (0..3 * n)
            .map(|k| raw[(k % 3) * n + k / 3] as i32)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planar_samples_are_interleaved() {
        let planar = [1.0, 2.0, 10.0, 20.0, 100.0, 200.0];
        assert_eq!(
            interleave(&planar, 2, Planes::Planar),
            vec![1, 10, 100, 2, 20, 200]
        );
    }
}
