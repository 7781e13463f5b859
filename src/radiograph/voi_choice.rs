//! Owns choosing the VOI transform of a grey DICOM image, in this order of preference:
//!
//! 1. the file's **first** stored window (`WindowCenter` / `WindowWidth`), with the first
//!    `VOILUTFunction` (LINEAR when absent; an unknown name is noted and read as LINEAR),
//!    when it is usable for that function and its ramp meets the pixel values;
//! 2. else the first `VOILUTSequence` table (when a file has both, PS3.3 C.11.2 leaves the
//!    choice to the application; the window is preferred because it is what the
//!    `ImageInfo` reports and what a viewer shows by default);
//! 3. else the 0.5 %–99.5 % percentile window, LINEAR.
//!
//! Every stored window is recorded in [`ImageInfo::windows`]; skipped ones get a note.

use dicom_dictionary_std::tags;
use dicom_object::DefaultDicomObject;

use super::info::{ImageInfo, VoiFunction, Window, WindowSource};
use super::voi_lut::{self, VoiLut};
use super::{header, voi};

/// The VOI transform chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Voi {
    Window(Window),
    Table(VoiLut),
}

/// The first `VOILUTFunction` value, LINEAR when absent or unknown (noted).
fn function(obj: &DefaultDicomObject, info: &mut ImageInfo) -> VoiFunction {
    let Some(text) = header::text(obj, tags::VOILUT_FUNCTION) else {
        return VoiFunction::Linear;
    };
    let first = text.split('\\').next().unwrap_or_default();
    voi::function(first).unwrap_or_else(|| {
        let shown: String = first.chars().take(16).collect();
        info.note(format!("VOI LUT function {shown} unknown, LINEAR used"));
        VoiFunction::Linear
    })
}

/// Choose the VOI transform for `values` (modality values) and fill `info.windows`; also
/// the file's VOI function, which the file's other windows are offered with.
pub fn choose(
    obj: &DefaultDicomObject,
    signed_pixels: bool,
    values: &[f32],
    info: &mut ImageInfo,
) -> (Voi, VoiFunction) {
    info.windows = header::windows(obj);
    let function = function(obj, info);
    (pick(obj, signed_pixels, values, info, function), function)
}

fn pick(
    obj: &DefaultDicomObject,
    signed_pixels: bool,
    values: &[f32],
    info: &mut ImageInfo,
    function: VoiFunction,
) -> Voi {
    let mut skipped = None;
    if let Some(first) = info.windows.first() {
        let (center, width) = (first.center, first.width);
        if voi::usable_with(center, width, function) && !voi::misses(values, center, width) {
            return Voi::Window(Window {
                center,
                width,
                source: WindowSource::File,
                function,
            });
        }
        skipped = Some(format!(
            "stored window {center}/{width} unusable or outside the pixel values"
        ));
    }
    match voi_lut::read(obj, signed_pixels) {
        Some(Ok(lut)) => {
            if let Some(why) = skipped {
                info.note(format!("{why}, VOI LUT table used"));
            }
            return Voi::Table(lut);
        }
        Some(Err(why)) => info.note(format!("{why}; table ignored")),
        None => {}
    }
    if let Some(why) = skipped {
        info.note(format!("{why}, percentile window used"));
    }
    Voi::Window(voi::percentile_window(values).unwrap_or(Window {
        center: 0.5,
        width: 1.0,
        source: WindowSource::Percentile,
        function: VoiFunction::Linear,
    }))
}
