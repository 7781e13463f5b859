//! Owns the DICOM grey pipeline on decoded pixel data: stored values (bits-stored mask,
//! sign) → modality rescale or Modality LUT table → VOI (window or table, chosen in
//! `voi_choice.rs`) → MONOCHROME1 / INVERSE inversion, once; the modality values are kept
//! for re-windowing (`levels.rs`).

use std::path::Path;

use dicom_object::DefaultDicomObject;
use dicom_pixeldata::{
    ConvertOptions, DecodedPixelData, ModalityLutOption, PixelRepresentation, Rescale, VoiLutOption,
};

use super::error::{ReadError, one_line};
use super::header;
use super::info::ImageInfo;
use super::levels::Levels;
use super::voi_choice::{self, Voi};
use super::{modality, voi};

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

/// Rescale → window → inversion, for one-sample (grey) images: the display values, and
/// the modality values with the VOI chosen and the inversion flag ([`Levels`]).
pub fn grey_pipeline(
    obj: &DefaultDicomObject,
    px: &DecodedPixelData<'_>,
    info: &mut ImageInfo,
    path: &Path,
) -> Result<(Vec<f32>, Levels), ReadError> {
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
    // Kept before the VOI, so that a viewer can apply another window.
    let modality_values = values.clone();
    let (voi, function) = voi_choice::choose(obj, signed, &values, info);
    let table = match voi {
        Voi::Window(window) => {
            voi::apply_window(&mut values, &window);
            info.window = Some(window);
            None
        }
        Voi::Table(lut) => {
            for v in &mut values {
                *v = lut.map(*v);
            }
            info.voi_table = Some(lut.table.clone());
            Some(lut)
        }
    };
    let mono1 = info.photometric == "MONOCHROME1";
    let inverse = header::presentation_inverse(obj);
    if inverse && !mono1 {
        info.note("Presentation LUT INVERSE on MONOCHROME2, shown inverted".to_owned());
    }
    if mono1 || inverse {
        voi::invert(&mut values);
    }
    let levels = Levels::modality(
        (px.columns(), px.rows()),
        modality_values,
        info.window,
        table,
        &info.windows,
        function,
        mono1 || inverse,
    );
    Ok((values, levels))
}

/// Grey stored values (bits-stored mask, sign extension) via an identity rescale.
pub fn stored_grey(px: &DecodedPixelData<'_>, path: &Path) -> Result<Vec<i32>, ReadError> {
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
