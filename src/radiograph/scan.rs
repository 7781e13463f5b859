//! Owns scanning a folder for radiographs ([`scan_folder`]): walking it recursively (files
//! with any name or none, symlinks not followed), reading only headers, skipping what is
//! not an image (DICOMDIR, structured reports, encapsulated PDF, text...), and grouping
//! the DICOM images by patient and study, with view hints for pairing AP and lateral.
//!
//! A DICOMDIR is not read (dicom-rs cannot parse its directory records, dicom-rs issue
//! 184): the folder it sits in is scanned instead, which finds the same files.
//! `PatientID` and `StudyInstanceUID` are used only as in-memory grouping keys: they are
//! not part of the result, never logged, never serialised.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::info::PatientText;
use super::scan_probe::{self, DicomImage, Probe};

/// Header attributes that help pair the AP and lateral views of a study.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewHints {
    /// `ViewPosition` (e.g. "AP", "PA", "LL", "RL", "LAT").
    pub view_position: Option<String>,
    /// `ImageLaterality`, else `Laterality` ("L", "R", "B", "U").
    pub image_laterality: Option<String>,
    pub series_description: Option<String>,
    /// `BodyPartExamined` (e.g. "LSPINE").
    pub body_part: Option<String>,
    pub series_number: Option<String>,
    pub instance_number: Option<String>,
}

/// One image found.
#[derive(Debug, Clone, PartialEq)]
pub struct ScannedImage {
    pub path: PathBuf,
    /// True for DICOM, false for a PNG / JPEG / TIFF / BMP image.
    pub dicom: bool,
    pub modality: Option<String>,
    pub width: u32,
    pub height: u32,
    pub view: ViewHints,
}

/// The images of one study (one `StudyInstanceUID`), in path order.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyGroup {
    pub study_date: Option<String>,
    pub study_description: Option<String>,
    pub images: Vec<ScannedImage>,
}

/// The studies of one patient (one `PatientID`; files without one share a group).
#[derive(Debug, Clone, PartialEq)]
pub struct PatientGroup {
    /// Name and id for display only (never logged).
    pub patient: PatientText,
    pub studies: Vec<StudyGroup>,
}

/// Why a file was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A DICOMDIR (its folder is scanned instead).
    DicomDir,
    /// A DICOM object without an image (report, PDF, presentation state...).
    NoImage { modality: Option<String> },
    /// Not DICOM nor a supported raster format ("text", "a PDF document"...).
    NotAnImage(String),
    /// Could not be opened or its header could not be parsed.
    Unreadable(String),
}

/// A file that was not taken, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: SkipReason,
}

/// What a folder holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FolderScan {
    /// DICOM images grouped by patient, then study, in first-path order.
    pub patients: Vec<PatientGroup>,
    /// PNG / JPEG / TIFF / BMP images (no patient or study), in path order.
    pub raster: Vec<ScannedImage>,
    pub skipped: Vec<Skipped>,
    /// Whether a DICOMDIR was met (and skipped).
    pub had_dicomdir: bool,
    /// Folders or entries that could not be listed.
    pub walk_errors: usize,
}

/// Scan `dir` recursively; `progress(done, total)` is called after each file.
pub fn scan_folder(dir: &Path, progress: &dyn Fn(usize, usize)) -> FolderScan {
    let (files, walk_errors) = list_files(dir);
    let mut scan = FolderScan {
        walk_errors,
        ..FolderScan::default()
    };
    if walk_errors > 0 {
        tracing::warn!(
            count = walk_errors,
            "folder scan: some entries could not be listed"
        );
    }
    let mut grouping = Grouping::default();
    for (i, path) in files.iter().enumerate() {
        let probe = std::panic::catch_unwind(|| scan_probe::probe(path)).unwrap_or_else(|_| {
            tracing::warn!("folder scan: a header parser panicked; file skipped");
            Probe::Skip(SkipReason::Unreadable("header parser failed".to_owned()))
        });
        match probe {
            Probe::Dicom(image) => grouping.add(path.clone(), *image),
            Probe::Raster { width, height } => scan.raster.push(ScannedImage {
                path: path.clone(),
                dicom: false,
                modality: None,
                width,
                height,
                view: ViewHints::default(),
            }),
            Probe::Skip(reason) => {
                scan.had_dicomdir |= reason == SkipReason::DicomDir;
                scan.skipped.push(Skipped {
                    path: path.clone(),
                    reason,
                });
            }
        }
        progress(i + 1, files.len());
    }
    scan.patients = grouping.finish();
    scan
}

/// Every regular file under `dir`, sorted by path, and the number of walk errors.
fn list_files(dir: &Path) -> (Vec<PathBuf>, usize) {
    let mut errors = 0;
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(false) {
        match entry {
            Ok(e) if e.file_type().is_file() => files.push(e.into_path()),
            Ok(_) => {}
            Err(_) => errors += 1,
        }
    }
    files.sort();
    (files, errors)
}

/// One patient while grouping: display text, study keys in first-seen order, studies.
type PatientEntry = (PatientText, Vec<String>, BTreeMap<String, StudyGroup>);

/// Patients and studies keyed by their identifiers, in first-seen order.
#[derive(Default)]
struct Grouping {
    order: Vec<String>,
    patients: BTreeMap<String, PatientEntry>,
}

impl Grouping {
    fn add(&mut self, path: PathBuf, image: DicomImage) {
        let DicomImage {
            patient_key,
            study_key,
            patient,
            modality,
            rows,
            columns,
            view,
        } = image;
        if !self.patients.contains_key(&patient_key) {
            self.order.push(patient_key.clone());
        }
        let (_, study_order, studies) = self
            .patients
            .entry(patient_key)
            .or_insert_with(|| (patient.clone(), Vec::new(), BTreeMap::new()));
        if !studies.contains_key(&study_key) {
            study_order.push(study_key.clone());
        }
        let study = studies.entry(study_key).or_insert_with(|| StudyGroup {
            study_date: patient.study_date.clone(),
            study_description: patient.study_description.clone(),
            images: Vec::new(),
        });
        study.images.push(ScannedImage {
            path,
            dicom: true,
            modality,
            width: columns,
            height: rows,
            view,
        });
    }

    fn finish(mut self) -> Vec<PatientGroup> {
        let mut out = Vec::new();
        for key in self.order {
            let Some((patient, study_order, mut studies)) = self.patients.remove(&key) else {
                continue;
            };
            let studies = study_order
                .iter()
                .filter_map(|s| studies.remove(s))
                .collect();
            out.push(PatientGroup { patient, studies });
        }
        out
    }
}
