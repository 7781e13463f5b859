//! Runs the stages in order over one patient's images: view, detect, classify, vote, and
//! gathers the [`Report`].
//!
//! Reading files is the caller's job (the CLI and the app read them differently and report
//! unreadable files their own way); this module starts from decoded radiographs.

use std::time::Instant;

use crate::classify::{ScrewCall, classify_screws};
use crate::detect::{Detection, detect_screws};
use crate::pack::{ModelError, ModelPack};
use crate::radiograph::Radiograph;
use crate::report::{ImageReport, PackRef, Report, SCHEMA, ScrewReport, vote_over};
use crate::view::{View, classify_view};
use crate::vote::Verdict;

/// A radiograph and the name it is reported under.
pub struct NamedRadiograph {
    pub name: String,
    pub radiograph: Radiograph,
}

/// Where the analysis of a patient is, for progress displays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Working on image `index` of `total` (0-based), at the named stage.
    Image {
        index: usize,
        total: usize,
        stage: &'static str,
    },
    Voting,
}

/// Analyses one patient's images.
///
/// # Errors
/// A model that fails to run; unreadable images never get here.
pub fn analyze(
    pack: &ModelPack,
    images: &[NamedRadiograph],
    progress: &dyn Fn(Progress),
) -> Result<Report, ModelError> {
    let total = images.len();
    let reports = images
        .iter()
        .enumerate()
        .map(|(index, image)| {
            let stage = |stage| {
                progress(Progress::Image {
                    index,
                    total,
                    stage,
                });
            };
            analyze_image(pack, image, &stage)
        })
        .collect::<Result<Vec<_>, _>>()?;
    progress(Progress::Voting);
    Ok(assemble(pack, reports))
}

/// View, detection and classification of one image.
///
/// # Errors
/// A model that fails to run.
pub fn analyze_image(
    pack: &ModelPack,
    image: &NamedRadiograph,
    stage: &dyn Fn(&'static str),
) -> Result<ImageReport, ModelError> {
    let radiograph = &image.radiograph;
    let (width, height) = radiograph.image.dimensions();
    let mut report = ImageReport {
        file: image.name.clone(),
        width,
        height,
        view: View::Other,
        view_confidence: 0.0,
        note: None,
        caution: None,
        pixel_spacing_mm: radiograph.info.pixel_spacing_mm,
        screws: Vec::new(),
    };

    stage("view");
    let started = Instant::now();
    let decision = classify_view(pack, radiograph)?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis(),
        view = decision.view.as_str(),
        "view classified"
    );
    report.view = decision.view;
    report.view_confidence = decision.confidence;
    if decision.view == View::Other {
        report.note = decision.note;
        return Ok(report);
    }

    stage("detect");
    let started = Instant::now();
    let detections = detect_screws(pack, &radiograph.image)?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis(),
        screws = detections.len(),
        "screws detected"
    );

    stage("classify");
    let started = Instant::now();
    let spacing = radiograph.info.pixel_spacing_mm;
    let calls = classify_screws(pack, &radiograph.image, spacing, decision.view, &detections)?;
    if spacing.is_none() && pack.classifiers_use_scale() {
        report.caution = Some(assumed_scale_note(pack));
    }
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis(),
        "screws classified"
    );
    report.screws = screw_reports(&pack.class_names(), &detections, calls);
    in_reading_order(&mut report.screws);
    Ok(report)
}

/// The image note when a scale-channel pack reads a file without a pixel spacing.
fn assumed_scale_note(pack: &ModelPack) -> String {
    let field = pack
        .manifest
        .models
        .classifier_ap
        .assumed_long_side_mm
        .unwrap_or(crate::pack::DEFAULT_ASSUMED_LONG_SIDE_MM);
    format!(
        "no pixel spacing in this file: screw sizes assume the image spans {field:.0} mm, so the \
         labels are less reliable; open the DICOM from PACS if you have it"
    )
}

/// Screws from the top of the film down, then left to right: the order of the table, the
/// printed report and the JSON, so that "screw 3" is the same screw everywhere.
fn in_reading_order(screws: &mut [ScrewReport]) {
    screws.sort_by(|a, b| {
        let (ax, ay) = a.box_in_image.centre();
        let (bx, by) = b.box_in_image.centre();
        ay.total_cmp(&by).then(ax.total_cmp(&bx))
    });
}

fn screw_reports(
    classes: &[String],
    detections: &[Detection],
    calls: Vec<ScrewCall>,
) -> Vec<ScrewReport> {
    detections
        .iter()
        .zip(calls)
        .map(|(d, call)| ScrewReport {
            box_in_image: d.box_in_image,
            detection_score: d.score,
            probabilities: classes
                .iter()
                .cloned()
                .zip(call.probabilities.iter().copied())
                .collect(),
            label: call.label,
            confidence: call.confidence,
            other_design: call.other,
            overrule: None,
        })
        .collect()
}

/// The verdict over every image's screws, and the report around it.
#[must_use]
pub fn assemble(pack: &ModelPack, images: Vec<ImageReport>) -> Report {
    let mut report = Report {
        schema: SCHEMA.to_owned(),
        generator: format!("screwid {}", env!("CARGO_PKG_VERSION")),
        pack: PackRef {
            name: pack.manifest.name.clone(),
            version: pack.manifest.version.clone(),
            trained_on: pack.manifest.trained_on.clone(),
        },
        images,
        verdict: Verdict::default(),
    };
    report.verdict = vote_over(&report, &pack.class_names(), &pack.manifest.thresholds);
    report
}
