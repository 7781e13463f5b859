//! Owns DICOM files: parsing (with or without the 128-byte preamble), the checks made
//! before decoding (pixel data present, size, layout), decoding the first frame with
//! dicom-pixeldata, and the grey pipeline (stored values → modality rescale → VOI window →
//! MONOCHROME1 inversion) or the colour → luma path.

use std::path::Path;

use dicom_dictionary_std::tags;
use dicom_object::file::ReadPreamble;
use dicom_object::{DefaultDicomObject, OpenFileOptions};
use dicom_pixeldata::{
    ConvertOptions, DecodedPixelData, ModalityLutOption, PixelDecoder, PixelRepresentation,
    PlanarConfiguration, Rescale, VoiLutFunction, VoiLutOption,
};

use super::colour::{Planes, rgb_luma, ybr_luma};
use super::error::{ReadError, one_line};
use super::header::{self, Layout};
use super::info::{ImageInfo, SourceFormat, Window, WindowSource};
use super::{GreyImage, Radiograph, StoredFrame, check_size, modality, syntax, voi};

/// Parse a DICOM file held in memory; `bytes` starts at the preamble or at "DICM".
pub fn open(bytes: &[u8], path: &Path) -> Result<DefaultDicomObject, ReadError> {
    let start = if bytes.get(128..132) == Some(b"DICM") {
        128
    } else {
        0
    };
    OpenFileOptions::new()
        .read_preamble(ReadPreamble::Never)
        .from_reader(&bytes[start..])
        .map_err(|e| ReadError::DicomParse {
            reason: one_line(&e),
            path: path.to_owned(),
        })
}

/// Checks made before any pixel is decoded or allocated.
fn check(obj: &DefaultDicomObject, path: &Path) -> Result<Layout, ReadError> {
    if !header::has(obj, tags::PIXEL_DATA) {
        return Err(ReadError::NoPixelData {
            path: path.to_owned(),
        });
    }
    let layout = header::layout(obj);
    check_size(u64::from(layout.columns), u64::from(layout.rows), path)?;
    let refuse = |what: String| {
        Err(ReadError::UnsupportedLayout {
            what,
            path: path.to_owned(),
        })
    };
    if !matches!(layout.bits_allocated, 8 | 16) {
        return refuse(format!(
            "BitsAllocated {}, only 8 and 16 are read",
            layout.bits_allocated
        ));
    }
    if layout.bits_stored == 0 || layout.bits_stored > layout.bits_allocated {
        return refuse(format!(
            "BitsStored {} with BitsAllocated {}",
            layout.bits_stored, layout.bits_allocated
        ));
    }
    if !matches!(layout.samples_per_pixel, 1 | 3) {
        return refuse(format!("SamplesPerPixel {}", layout.samples_per_pixel));
    }
    let native = syntax::is_native(obj.meta().transfer_syntax());
    if native && layout.high_bit + 1 != layout.bits_stored {
        // The decoder keeps the low BitsStored bits; data aligned elsewhere would be garbage.
        return refuse(format!(
            "HighBit {} with BitsStored {}",
            layout.high_bit, layout.bits_stored
        ));
    }
    let subsampled = layout.photometric.contains("422") || layout.photometric.contains("420");
    if layout.photometric == "PALETTE COLOR" || (native && subsampled) {
        return refuse(format!(
            "PhotometricInterpretation {} not supported yet",
            layout.photometric
        ));
    }
    Ok(layout)
}

/// Decode the first frame, turning codec failures into one-line errors.
fn decode<'a>(obj: &'a DefaultDicomObject, path: &Path) -> Result<DecodedPixelData<'a>, ReadError> {
    obj.decode_pixel_data_frame(0)
        .map_err(|e| decode_error(&e, obj, path))
}

fn decode_error(e: &dicom_pixeldata::Error, obj: &DefaultDicomObject, path: &Path) -> ReadError {
    let reason = one_line(e);
    let codec = syntax::name(obj.meta().transfer_syntax());
    let path = path.to_owned();
    if let Some(bits) = sample_precision(&reason) {
        // "JPEG Extended (Process 2 and 4)" → "JPEG Extended 12-bit"
        let family = codec.split(" (").next().unwrap_or(&codec);
        return ReadError::UnsupportedCodec {
            codec: format!("{family} {bits}-bit"),
            detail: format!("SamplePrecision {bits}"),
            path,
        };
    }
    let lower = reason.to_lowercase();
    if lower.contains("unsupported transfer syntax") || lower.contains("unknown transfer syntax") {
        return ReadError::UnsupportedCodec {
            codec,
            detail: "no decoder in this build".to_owned(),
            path,
        };
    }
    ReadError::Decode {
        reason: format!("{codec}: {reason}"),
        path,
    }
}

/// The `N` of "SamplePrecision(N)" in a JPEG decoder error.
fn sample_precision(reason: &str) -> Option<u32> {
    let rest = &reason[reason.find("SamplePrecision(")? + "SamplePrecision(".len()..];
    rest[..rest.find(')')?].trim().parse().ok()
}

/// Header-derived info; `window` is filled in by the pipeline.
fn base_info(obj: &DefaultDicomObject, layout: &Layout) -> ImageInfo {
    let mut notes = Vec::new();
    let pixel_spacing_mm = header::pixel_spacing(obj, &mut notes);
    let mut info = ImageInfo {
        source: SourceFormat::Dicom {
            transfer_syntax: syntax::name(obj.meta().transfer_syntax()),
        },
        modality: header::text(obj, tags::MODALITY),
        photometric: layout.photometric.clone(),
        bits_stored: layout.bits_stored,
        pixel_spacing_mm,
        window: None,
        frames: layout.frames,
        patient: header::patient(obj),
        notes: Vec::new(),
    };
    for n in notes {
        info.note(n);
    }
    if layout.frames > 1 {
        info.note(format!("{} frames, only the first is read", layout.frames));
    }
    info
}

/// Load a DICOM radiograph as display values.
pub fn load(bytes: &[u8], path: &Path) -> Result<Radiograph, ReadError> {
    let obj = open(bytes, path)?;
    let layout = check(&obj, path)?;
    let px = decode(&obj, path)?;
    let mut info = base_info(&obj, &layout);
    let values = if px.samples_per_pixel() == 1 {
        grey_pipeline(&obj, &px, &mut info, path)?
    } else {
        colour_luma(&px, path)?
    };
    let image =
        GreyImage::from_raw(px.columns(), px.rows(), values).ok_or_else(|| ReadError::Decode {
            reason: "decoded pixel count mismatch".to_owned(),
            path: path.to_owned(),
        })?;
    Ok(Radiograph { image, info })
}

/// Modality values (stored values after rescale slope / intercept) of the first frame.
fn modality_values(px: &DecodedPixelData<'_>, path: &Path) -> Result<Vec<f32>, ReadError> {
    let options = ConvertOptions::new()
        .with_modality_lut(ModalityLutOption::Default)
        .with_voi_lut(VoiLutOption::Identity);
    px.to_vec_frame_with_options(0, &options)
        .map_err(|e| ReadError::Decode {
            reason: one_line(&e),
            path: path.to_owned(),
        })
}

/// Rescale → window → inversion, for one-sample (grey) images.
fn grey_pipeline(
    obj: &DefaultDicomObject,
    px: &DecodedPixelData<'_>,
    info: &mut ImageInfo,
    path: &Path,
) -> Result<Vec<f32>, ReadError> {
    let signed = px.pixel_representation() == PixelRepresentation::Signed;
    let mut values = match modality::read(obj, signed) {
        Some(Ok(lut)) => stored_grey(px, path)?
            .into_iter()
            .map(|s| lut.map(s))
            .collect(),
        Some(Err(why)) => {
            info.note(format!("{why}; rescale slope/intercept used"));
            modality_values(px, path)?
        }
        None => modality_values(px, path)?,
    };
    let window = choose_window(obj, px, &values, info);
    voi::apply_window(&mut values, &window);
    info.window = Some(window);
    let mono1 = info.photometric == "MONOCHROME1";
    let inverse = header::presentation_inverse(obj);
    if inverse && !mono1 {
        info.note("Presentation LUT INVERSE on MONOCHROME2, shown inverted".to_owned());
    }
    if mono1 || inverse {
        voi::invert(&mut values);
    }
    Ok(values)
}

/// The file's first usable window, else the percentile window (with a note saying why).
fn choose_window(
    obj: &DefaultDicomObject,
    px: &DecodedPixelData<'_>,
    values: &[f32],
    info: &mut ImageInfo,
) -> Window {
    match header::first_window(obj) {
        Some((center, width))
            if voi::usable(center, width) && !voi::misses(values, center, width) =>
        {
            if let Ok(Some([function, ..])) = px.voi_lut_function()
                && *function != VoiLutFunction::Linear
            {
                info.note(format!("VOI LUT function {function:?} applied as LINEAR"));
            }
            return Window {
                center,
                width,
                source: WindowSource::File,
            };
        }
        Some((center, width)) => {
            info.note(format!("stored window {center}/{width} unusable or outside the pixel values, percentile window used"));
        }
        None if header::has(obj, tags::VOILUT_SEQUENCE) => {
            info.note("VOI LUT table ignored, percentile window used".to_owned());
        }
        None => {}
    }
    voi::percentile_window(values).unwrap_or(Window {
        center: 0.5,
        width: 1.0,
        source: WindowSource::Percentile,
    })
}

/// Raw samples of the first frame as `f32`, de-planarised to interleaved order.
fn raw_samples(px: &DecodedPixelData<'_>, path: &Path) -> Result<Vec<f32>, ReadError> {
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

fn planes(px: &DecodedPixelData<'_>) -> Planes {
    match px.planar_configuration() {
        PlanarConfiguration::Standard => Planes::Interleaved,
        PlanarConfiguration::PixelFirst => Planes::Planar,
    }
}

/// Colour (RGB / `YBR_FULL`) → luma divided by the maximum stored code.
fn colour_luma(px: &DecodedPixelData<'_>, path: &Path) -> Result<Vec<f32>, ReadError> {
    let samples = raw_samples(px, path)?;
    let n = px.rows() as usize * px.columns() as usize;
    let luma = if px.photometric_interpretation().as_str() == "YBR_FULL" {
        ybr_luma(&samples, n, planes(px))
    } else {
        rgb_luma(&samples, n, planes(px))
    };
    #[allow(clippy::cast_precision_loss)] // at most 2^16 - 1
    let max = ((1u32 << px.bits_stored().min(16)) - 1) as f32;
    Ok(luma
        .into_iter()
        .map(|v| (v / max).clamp(0.0, 1.0))
        .collect())
}

/// First frame's decoded samples before rescale / window: grey via the library's
/// bits-stored mask and sign extension, colour as interleaved raw samples.
pub fn stored(bytes: &[u8], path: &Path) -> Result<StoredFrame, ReadError> {
    let obj = open(bytes, path)?;
    check(&obj, path)?;
    let px = decode(&obj, path)?;
    let samples_per_pixel = px.samples_per_pixel();
    let samples = if samples_per_pixel == 1 {
        stored_grey(&px, path)?
    } else {
        let n = px.rows() as usize * px.columns() as usize;
        let raw = raw_samples(&px, path)?;
        interleave(&raw, n, planes(&px))
    };
    Ok(StoredFrame {
        width: px.columns(),
        height: px.rows(),
        samples_per_pixel,
        samples,
    })
}

/// Grey stored values (bits-stored mask, sign extension) via an identity rescale.
fn stored_grey(px: &DecodedPixelData<'_>, path: &Path) -> Result<Vec<i32>, ReadError> {
    let identity = Rescale {
        slope: 1.0,
        intercept: 0.0,
    };
    let options = ConvertOptions::new()
        .with_modality_lut(ModalityLutOption::Override(identity))
        .with_voi_lut(VoiLutOption::Identity);
    px.to_vec_frame_with_options::<i32>(0, &options)
        .map_err(|e| ReadError::Decode {
            reason: one_line(&e),
            path: path.to_owned(),
        })
}

#[allow(clippy::cast_possible_truncation)] // raw samples are u8 / u16 values
fn interleave(raw: &[f32], n: usize, planes: Planes) -> Vec<i32> {
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
    fn sample_precision_is_read_from_the_jpeg_error() {
        let msg = "could not decode: unsupported JPEG feature: SamplePrecision(12)";
        assert_eq!(sample_precision(msg), Some(12));
        assert_eq!(sample_precision("something else"), None);
    }

    #[test]
    fn planar_samples_are_interleaved() {
        let planar = [1.0, 2.0, 10.0, 20.0, 100.0, 200.0];
        assert_eq!(
            interleave(&planar, 2, Planes::Planar),
            vec![1, 10, 100, 2, 20, 200]
        );
    }

    #[test]
    fn garbage_is_a_parse_error() {
        let err = open(b"DICMnot really", Path::new("x.dcm")).expect_err("must fail");
        assert!(matches!(err, ReadError::DicomParse { .. }), "{err}");
    }
}
