//! What a report is made from, filled alike by the app and the command line: the analysis,
//! the display images, the pack's classes, the patient identifiers (or the choice to leave
//! them out), the model card summary and the export date.

use image::{RgbImage, imageops};

use super::card::CardSummary;
use super::date::ExportDate;
use super::{ImageReport, Report, draw_overlay_with, side_by_side};
use crate::pack::ClassInfo;
use crate::radiograph::{GreyImage, PatientText};

/// The patient identifiers of a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identifiers {
    /// Left out by the user's choice.
    Omitted,
    /// Each distinct set of identifiers the images carry (empty when they carry none;
    /// more than one when the images name different patients).
    Included(Vec<PatientText>),
}

/// Everything a report page shows.
#[derive(Clone, Debug)]
pub struct ReportInput {
    pub report: Report,
    /// The display images, in `report.images` order.
    pub images: Vec<GreyImage>,
    /// The pack's classes, for their names and colours.
    pub classes: Vec<ClassInfo>,
    pub identifiers: Identifiers,
    pub card: Option<CardSummary>,
    pub date: ExportDate,
}

impl ReportInput {
    /// A report without patient identifiers or model card; add them with
    /// [`Self::with_identifiers`] and [`Self::with_card`].
    #[must_use]
    pub fn new(
        report: Report,
        images: Vec<GreyImage>,
        classes: Vec<ClassInfo>,
        date: ExportDate,
    ) -> Self {
        Self {
            report,
            images,
            classes,
            identifiers: Identifiers::Omitted,
            card: None,
            date,
        }
    }

    /// Includes the images' patient identifiers when `include`, else records that they
    /// were left out.
    #[must_use]
    pub fn with_identifiers<'a>(
        mut self,
        include: bool,
        patients: impl IntoIterator<Item = &'a PatientText>,
    ) -> Self {
        self.identifiers = if include {
            let mut distinct: Vec<PatientText> = Vec::new();
            for p in patients {
                let empty = *p == PatientText::default();
                if !empty && !distinct.contains(p) {
                    distinct.push(p.clone());
                }
            }
            Identifiers::Included(distinct)
        } else {
            Identifiers::Omitted
        };
        self
    }

    #[must_use]
    pub fn with_card(mut self, card: Option<CardSummary>) -> Self {
        self.card = card;
        self
    }

    /// The drawing colour of a class (grey for a label the pack does not know).
    #[must_use]
    pub fn colour_of(&self, label: &str) -> [u8; 3] {
        crate::pack::class_colour(&self.classes, label)
    }

    /// Width over height of the views placed side by side at a common height.
    #[must_use]
    pub fn views_aspect(&self) -> f32 {
        let aspect: f32 = self.image_aspects().iter().sum();
        if aspect > 0.0 { aspect } else { 1.0 }
    }

    /// The views side by side, `width` pixels wide, each screw drawn over its image with
    /// its number in the screw table.
    ///
    /// Each image is shrunk before the boxes are drawn, so the boxes keep the exact class
    /// colour and a visible thickness at page size.
    #[must_use]
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "page sizes are small positive numbers"
    )]
    pub fn views(&self, width: u32) -> RgbImage {
        let height = (width as f32 / self.views_aspect()).round().max(1.0) as u32;
        let colour_of = |label: &str| self.colour_of(label);
        let mut first_number = 1;
        let drawn: Vec<RgbImage> = self
            .images
            .iter()
            .zip(&self.report.images)
            .map(|(image, report)| {
                let w = (image.width() as f32 * height as f32 / image.height().max(1) as f32)
                    .round()
                    .max(1.0) as u32;
                let small = imageops::resize(image, w, height, imageops::FilterType::Triangle);
                let scaled = scaled_report(report, w, height);
                let first = first_number;
                first_number += report.screws.len();
                draw_overlay_with(&small, &scaled, &colour_of, &|i, s| {
                    format!("{} {}", first + i, s.caption())
                })
            })
            .collect();
        side_by_side(&drawn)
    }

    #[expect(clippy::cast_precision_loss, reason = "image sides are far below 2^24")]
    fn image_aspects(&self) -> Vec<f32> {
        self.images
            .iter()
            .map(|i| i.width() as f32 / i.height().max(1) as f32)
            .collect()
    }
}

/// The report of an image shrunk to `width` × `height`, boxes scaled with it.
#[expect(clippy::cast_precision_loss, reason = "image sides are far below 2^24")]
fn scaled_report(report: &ImageReport, width: u32, height: u32) -> ImageReport {
    let sx = width as f32 / report.width.max(1) as f32;
    let sy = height as f32 / report.height.max(1) as f32;
    let mut scaled = report.clone();
    scaled.width = width;
    scaled.height = height;
    for s in &mut scaled.screws {
        let b = &mut s.box_in_image;
        (b.x0, b.x1, b.y0, b.y1) = (b.x0 * sx, b.x1 * sx, b.y0 * sy, b.y1 * sy);
    }
    scaled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patient(name: &str) -> PatientText {
        PatientText {
            name: Some(name.into()),
            ..PatientText::default()
        }
    }

    fn input() -> ReportInput {
        let report = Report {
            schema: String::new(),
            generator: String::new(),
            pack: super::super::PackRef {
                name: String::new(),
                version: String::new(),
                trained_on: String::new(),
            },
            images: Vec::new(),
            verdict: crate::vote::Verdict::default(),
        };
        ReportInput::new(report, Vec::new(), Vec::new(), ExportDate::today_utc())
    }

    #[test]
    fn identifiers_are_deduplicated_and_empty_ones_dropped() {
        let a = patient("DOE^JANE");
        let both = [a.clone(), PatientText::default(), a.clone()];
        let included = input().with_identifiers(true, &both);
        assert_eq!(included.identifiers, Identifiers::Included(vec![a]));
        let left_out = input().with_identifiers(false, &both);
        assert_eq!(left_out.identifiers, Identifiers::Omitted);
    }
}
