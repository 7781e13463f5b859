//! Owns reading DICOM header attributes into plain values: image geometry, modality,
//! photometric interpretation, pixel spacing (with zero / bad spacing rejected), the stored
//! windows, presentation LUT shape and patient text. No pixel decoding here.

use dicom_dictionary_std::tags;
use dicom_object::mem::InMemElement;
use dicom_object::{DefaultDicomObject, Tag};

use super::info::{FileWindow, PatientText};

/// The geometry and layout attributes needed before decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub rows: u32,
    pub columns: u32,
    pub samples_per_pixel: u16,
    pub bits_allocated: u16,
    pub bits_stored: u16,
    pub high_bit: u16,
    pub frames: u32,
    pub photometric: String,
}

/// Element, if present.
fn element(obj: &DefaultDicomObject, tag: Tag) -> Option<&InMemElement> {
    obj.get(tag)
}

/// Trimmed text of an element, `None` when absent, empty or not text.
pub fn text(obj: &DefaultDicomObject, tag: Tag) -> Option<String> {
    let value = element(obj, tag)?.to_str().ok()?;
    let trimmed = value.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// An unsigned integer attribute, `None` when absent or unreadable.
fn uint(obj: &DefaultDicomObject, tag: Tag) -> Option<u32> {
    element(obj, tag)?.to_int::<u32>().ok()
}

/// All numbers of a decimal / float attribute (`None` when absent or unparsable).
pub fn floats(obj: &DefaultDicomObject, tag: Tag) -> Option<Vec<f64>> {
    element(obj, tag)?.to_multi_float64().ok()
}

/// Rows, columns, samples, bits and frames; missing attributes read as 0 (rows, columns,
/// bits allocated) or their DICOM default (1 sample, bits stored = bits allocated, high bit
/// = bits stored - 1, 1 frame).
#[must_use]
pub fn layout(obj: &DefaultDicomObject) -> Layout {
    let bits_allocated = uint(obj, tags::BITS_ALLOCATED).unwrap_or(0);
    let to_u16 = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
    Layout {
        rows: uint(obj, tags::ROWS).unwrap_or(0),
        columns: uint(obj, tags::COLUMNS).unwrap_or(0),
        samples_per_pixel: to_u16(uint(obj, tags::SAMPLES_PER_PIXEL).unwrap_or(1)),
        bits_allocated: to_u16(bits_allocated),
        bits_stored: to_u16(uint(obj, tags::BITS_STORED).unwrap_or(bits_allocated)),
        high_bit: to_u16(uint(obj, tags::HIGH_BIT).unwrap_or_else(|| {
            uint(obj, tags::BITS_STORED)
                .unwrap_or(bits_allocated)
                .saturating_sub(1)
        })),
        frames: uint(obj, tags::NUMBER_OF_FRAMES).unwrap_or(1).max(1),
        photometric: text(obj, tags::PHOTOMETRIC_INTERPRETATION)
            .unwrap_or_else(|| "MONOCHROME2".to_owned()),
    }
}

/// Pixel spacing (row, column) in mm: `PixelSpacing`, else `ImagerPixelSpacing`; a value
/// that is missing a number, or is outside [`SPACING_MM`], is skipped with a note.
pub fn pixel_spacing(obj: &DefaultDicomObject, notes: &mut Vec<String>) -> Option<[f64; 2]> {
    for (tag, name) in [
        (tags::PIXEL_SPACING, "pixel spacing"),
        (tags::IMAGER_PIXEL_SPACING, "imager pixel spacing"),
    ] {
        let Some(raw) = text(obj, tag) else { continue };
        match floats(obj, tag).as_deref() {
            Some(&[row, col, ..]) if valid_spacing(row) && valid_spacing(col) => {
                return Some([row, col]);
            }
            _ => notes.push(format!(
                "{name} {} ignored",
                raw.chars().take(40).collect::<String>()
            )),
        }
    }
    None
}

/// Pixel spacings a projection radiograph can have, in mm: detectors and film digitisers
/// sample at 0.05-1 mm. Outside it the value is a mistake (0.0001 mm, 1000 mm were seen in
/// edited files) and, trusted, would tell the screw classifiers a false screw size; the
/// image is then read as one without a spacing, with its caution.
pub const SPACING_MM: std::ops::RangeInclusive<f64> = 0.02..=2.0;

fn valid_spacing(mm: f64) -> bool {
    SPACING_MM.contains(&mm)
}

/// Every stored window: `WindowCenter` / `WindowWidth` values paired in order (as many
/// as the shorter list), each with its `WindowCenterWidthExplanation` value if any.
#[must_use]
pub fn windows(obj: &DefaultDicomObject) -> Vec<FileWindow> {
    let centers = floats(obj, tags::WINDOW_CENTER).unwrap_or_default();
    let widths = floats(obj, tags::WINDOW_WIDTH).unwrap_or_default();
    let explanations: Vec<String> = element(obj, tags::WINDOW_CENTER_WIDTH_EXPLANATION)
        .and_then(|e| e.to_multi_str().ok())
        .map(|v| v.iter().map(|s| s.trim().to_owned()).collect())
        .unwrap_or_default();
    centers
        .iter()
        .zip(&widths)
        .enumerate()
        .map(|(i, (&center, &width))| FileWindow {
            center,
            width,
            explanation: explanations.get(i).filter(|s| !s.is_empty()).cloned(),
        })
        .collect()
}

/// Whether `PresentationLUTShape` says INVERSE.
#[must_use]
pub fn presentation_inverse(obj: &DefaultDicomObject) -> bool {
    text(obj, tags::PRESENTATION_LUT_SHAPE).is_some_and(|s| s.eq_ignore_ascii_case("INVERSE"))
}

/// Patient name, id, study date and description, for display only.
#[must_use]
pub fn patient(obj: &DefaultDicomObject) -> PatientText {
    PatientText {
        name: text(obj, tags::PATIENT_NAME),
        id: text(obj, tags::PATIENT_ID),
        study_date: text(obj, tags::STUDY_DATE),
        study_description: text(obj, tags::STUDY_DESCRIPTION),
    }
}

/// Whether the element is present at all (even empty).
#[must_use]
pub fn has(obj: &DefaultDicomObject, tag: Tag) -> bool {
    obj.get(tag).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_radiographs_spacings_are_trusted() {
        for ok in [0.02, 0.1, 0.143, 0.2, 1.0, 2.0] {
            assert!(valid_spacing(ok), "{ok}");
        }
        for bad in [
            0.0,
            -0.1,
            0.0001,
            0.01,
            2.5,
            1000.0,
            1e308,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert!(!valid_spacing(bad), "{bad}");
        }
    }
}
