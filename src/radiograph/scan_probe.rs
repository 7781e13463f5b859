//! Owns looking at one file of a scanned folder without decoding pixels: the DICOM header
//! up to (not including) Pixel Data, or a raster image's dimensions, and deciding whether
//! it is a radiograph candidate, a DICOMDIR, a non-image DICOM object (report, PDF,
//! presentation state...) or not an image at all.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use dicom_dictionary_std::tags;
use dicom_object::DefaultDicomObject;

use super::dicom;
use super::error::one_line;
use super::framing;
use super::header;
use super::info::PatientText;
use super::scan::{SkipReason, ViewHints};

/// Media Storage Directory Storage: the SOP class of a DICOMDIR.
const DICOMDIR_CLASS: &str = "1.2.840.10008.1.3.10";

/// Bytes read first: enough to recognise the framing and to check the element lengths of
/// a usual header against the file's size before parsing it.
const HEAD: usize = 65536;

/// What one file turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Probe {
    /// A DICOM image: grouping keys, display text and view hints.
    Dicom(Box<DicomImage>),
    /// A PNG / JPEG / TIFF / BMP image (no patient or study).
    Raster { width: u32, height: u32 },
    /// Not a radiograph candidate.
    Skip(SkipReason),
}

/// Header facts of a DICOM image found while scanning.
#[derive(Debug, Clone, PartialEq)]
pub struct DicomImage {
    /// `PatientID` (grouping key only: never logged, never serialised).
    pub patient_key: String,
    /// `StudyInstanceUID` (grouping key only).
    pub study_key: String,
    pub patient: PatientText,
    pub modality: Option<String>,
    pub rows: u32,
    pub columns: u32,
    pub view: ViewHints,
}

/// Look at the file at `path`.
pub fn probe(path: &Path) -> Probe {
    let mut head = Vec::with_capacity(HEAD);
    let opened = File::open(path).and_then(|f| f.take(HEAD as u64).read_to_end(&mut head));
    if let Err(e) = opened {
        return Probe::Skip(SkipReason::Unreadable(one_line(&e)));
    }
    if is_dicomdir_name(path) {
        return Probe::Skip(SkipReason::DicomDir);
    }
    if head.get(128..132) != Some(b"DICM") && super::is_raster(&head) {
        return raster(path);
    }
    if framing::framing(&head).is_none() {
        return Probe::Skip(SkipReason::NotAnImage(super::describe(&head)));
    }
    dicom_header(&head, path)
}

fn file_len(path: &Path) -> usize {
    std::fs::metadata(path).map_or(0, |m| usize::try_from(m.len()).unwrap_or(usize::MAX))
}

fn is_dicomdir_name(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.eq_ignore_ascii_case("DICOMDIR"))
}

fn raster(path: &Path) -> Probe {
    let dims = image::ImageReader::open(path)
        .and_then(image::ImageReader::with_guessed_format)
        .map_err(|e| one_line(&e))
        .and_then(|r| r.into_dimensions().map_err(|e| one_line(&e)));
    match dims {
        Ok((width, height)) => Probe::Raster { width, height },
        Err(why) => Probe::Skip(SkipReason::Unreadable(why)),
    }
}

fn dicom_header(head: &[u8], path: &Path) -> Probe {
    let file = match File::open(path) {
        Ok(f) => BufReader::new(f),
        Err(e) => return Probe::Skip(SkipReason::Unreadable(one_line(&e))),
    };
    let obj = match dicom::parse(head, file_len(path), file, Some(tags::PIXEL_DATA), path) {
        Ok((obj, _)) => obj,
        Err(e) => return Probe::Skip(SkipReason::Unreadable(first_reason(&e.to_string()))),
    };
    classify(&obj)
}

/// The error text without the trailing path (kept in memory only, but paths stay out of
/// reasons so that a reason can be shown or logged on its own).
fn first_reason(message: &str) -> String {
    message
        .rsplit_once(": /")
        .map_or(message, |(head, _)| head)
        .to_owned()
}

/// Image, DICOMDIR or other object, from the header alone (Pixel Data is not read, so an
/// image is recognised by non-zero Rows and Columns).
fn classify(obj: &DefaultDicomObject) -> Probe {
    let sop_class = obj.meta().media_storage_sop_class_uid();
    if sop_class == DICOMDIR_CLASS || header::has(obj, tags::DIRECTORY_RECORD_SEQUENCE) {
        return Probe::Skip(SkipReason::DicomDir);
    }
    let layout = header::layout(obj);
    let modality = header::text(obj, tags::MODALITY);
    if layout.rows == 0 || layout.columns == 0 {
        return Probe::Skip(SkipReason::NoImage { modality });
    }
    Probe::Dicom(Box::new(DicomImage {
        patient_key: header::text(obj, tags::PATIENT_ID).unwrap_or_default(),
        study_key: header::text(obj, tags::STUDY_INSTANCE_UID).unwrap_or_default(),
        patient: header::patient(obj),
        modality,
        rows: layout.rows,
        columns: layout.columns,
        view: ViewHints {
            view_position: header::text(obj, tags::VIEW_POSITION),
            image_laterality: header::text(obj, tags::IMAGE_LATERALITY)
                .or_else(|| header::text(obj, tags::LATERALITY)),
            series_description: header::text(obj, tags::SERIES_DESCRIPTION),
            body_part: header::text(obj, tags::BODY_PART_EXAMINED),
            series_number: header::text(obj, tags::SERIES_NUMBER),
            instance_number: header::text(obj, tags::INSTANCE_NUMBER),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_lose_their_path() {
        assert_eq!(
            first_reason("cannot parse the DICOM file (x): /tmp/a/b.dcm"),
            "cannot parse the DICOM file (x)"
        );
        assert_eq!(first_reason("no path here"), "no path here");
    }

    #[test]
    fn dicomdir_by_name() {
        assert!(is_dicomdir_name(Path::new("/x/dicomdir")));
        assert!(!is_dicomdir_name(Path::new("/x/DICOMDIR.txt")));
    }
}
