//! What a printed report says, independent of how it is drawn: a list of blocks (title,
//! headings, paragraphs, the screw table, the views) that the PNG page and the PDF both lay
//! out, so the two formats carry the same content.

use std::path::Path;

use super::input::{Identifiers, ReportInput};
use super::{ImageReport, Report, ScrewReport};
use crate::classify::UNCERTAIN;
use crate::radiograph::PatientText;
use crate::view::View;
use crate::vote::{MIN_CONFIDENT_SCREWS, Tally};

/// Body text.
pub const INK: [u8; 3] = [20, 20, 20];
/// Warnings: mixed implants, weak evidence, identifiers that disagree.
pub const WARNING: [u8; 3] = [200, 90, 0];

/// One piece of a report, in reading order.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Title(String),
    Heading(String),
    Paragraph(Paragraph),
    Table(Table),
    /// The overlaid views, side by side.
    Views,
}

/// Text that wraps to the page width.
#[derive(Clone, Debug, PartialEq)]
pub struct Paragraph {
    pub text: String,
    pub colour: [u8; 3],
    pub bold: bool,
}

/// Columns with a header row; `weights` share the page width.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub weights: Vec<f32>,
    pub rows: Vec<Row>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub cells: Vec<String>,
    pub colour: [u8; 3],
    /// Overruled screws stand out.
    pub bold: bool,
}

fn text(s: impl Into<String>) -> Block {
    Block::Paragraph(Paragraph {
        text: s.into(),
        colour: INK,
        bold: false,
    })
}

fn strong(s: impl Into<String>, colour: [u8; 3]) -> Block {
    Block::Paragraph(Paragraph {
        text: s.into(),
        colour,
        bold: true,
    })
}

/// The whole report, in reading order.
#[must_use]
pub fn blocks(input: &ReportInput) -> Vec<Block> {
    let report = &input.report;
    let mut out = vec![
        Block::Title("ScrewID report: pedicle screw manufacturer".to_owned()),
        text(format!("Exported {} by {}.", input.date, report.generator)),
        Block::Heading("Patient".to_owned()),
    ];
    out.extend(patient_blocks(&input.identifiers));
    out.push(Block::Heading("Radiographs".to_owned()));
    if !input.images.is_empty() {
        out.push(Block::Views);
    }
    out.extend(image_lines(report));
    out.push(Block::Heading("Verdict".to_owned()));
    out.extend(verdict_blocks(input));
    out.push(Block::Heading("Screws".to_owned()));
    if report.screws().next().is_none() {
        out.push(text("No screws were found."));
    } else {
        out.push(text(
            "Each screw's number is drawn beside its box. conf.: the model's confidence in \
             its call; class columns: the model's probability for each class; OVERRULED: \
             the surgeon set the manufacturer, and the vote counts the surgeon's label.",
        ));
        out.push(screw_table(input));
    }
    out.push(Block::Heading("Overrules".to_owned()));
    out.extend(overrule_lines(report));
    out.push(Block::Heading("Model pack".to_owned()));
    out.extend(pack_lines(input));
    out
}

fn patient_blocks(identifiers: &Identifiers) -> Vec<Block> {
    match identifiers {
        Identifiers::Omitted => {
            vec![text(
                "Patient identifiers were left out of this report at export.",
            )]
        }
        Identifiers::Included(list) if list.is_empty() => {
            vec![text("The radiographs carry no patient identifiers.")]
        }
        Identifiers::Included(list) => {
            let mut out: Vec<Block> = list.iter().map(|p| text(patient_line(p))).collect();
            if list.len() > 1 {
                out.insert(
                    0,
                    strong("The images name different patients: check them.", WARNING),
                );
            }
            out
        }
    }
}

fn patient_line(p: &PatientText) -> String {
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "not recorded".to_owned());
    format!(
        "Name: {}; patient ID: {}; study date: {}; study: {}",
        or_none(&p.name),
        or_none(&p.id),
        p.study_date
            .as_deref()
            .map_or_else(|| "not recorded".to_owned(), dicom_date),
        or_none(&p.study_description)
    )
}

/// A DICOM DA value `YYYYMMDD` as `YYYY-MM-DD`; anything else as it is.
#[must_use]
pub fn dicom_date(value: &str) -> String {
    let v = value.trim();
    if v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}-{}", &v[..4], &v[4..6], &v[6..])
    } else {
        v.to_owned()
    }
}

/// The file name alone: hospital folder names often carry patient names, which must not
/// reach a report exported without identifiers.
fn file_name(file: &str) -> String {
    Path::new(file)
        .file_name()
        .map_or_else(|| file.to_owned(), |n| n.to_string_lossy().into_owned())
}

fn image_lines(report: &Report) -> Vec<Block> {
    let count = report.images.len();
    report
        .images
        .iter()
        .enumerate()
        .map(|(i, image)| {
            let place = match (count, i) {
                (1, _) => String::new(),
                (2, 0) => " (left)".to_owned(),
                (2, _) => " (right)".to_owned(),
                _ => format!(" (number {} from the left)", i + 1),
            };
            text(image_line(image, &place))
        })
        .collect()
}

fn image_line(image: &ImageReport, place: &str) -> String {
    let head = format!(
        "{}{place}: {} x {} pixels, {} view ({:.0} %)",
        file_name(&image.file),
        image.width,
        image.height,
        view_name(image.view.as_str()),
        image.view_confidence * 100.0
    );
    match (&image.note, &image.caution) {
        (Some(note), _) => format!("{head}; not searched: {note}"),
        (None, Some(caution)) => format!(
            "{head}, {} found; caution: {caution}",
            super::text::screws(image.screws.len())
        ),
        (None, None) => format!("{head}, {} found", super::text::screws(image.screws.len())),
    }
}

fn view_name(view: &str) -> &str {
    match view {
        "ap" => "AP",
        other => other,
    }
}

fn verdict_blocks(input: &ReportInput) -> Vec<Block> {
    let v = &input.report.verdict;
    let mut out = vec![strong(
        format!("Verdict: {}", v.both.headline()),
        verdict_colour(input, &v.both.label),
    )];
    if v.both.label == UNCERTAIN {
        out.push(strong(
            format!(
                "Uncertain: the evidence is weak. No manufacturer has at least \
                 {MIN_CONFIDENT_SCREWS} confident screws and more than any other; \
                 read the screw table before relying on this report."
            ),
            WARNING,
        ));
    }
    out.push(text(format!(
        "Majority vote, both views: {}.",
        v.both.summary()
    )));
    out.push(text(format!(
        "Probability-weighted vote, both views: {} ({}).",
        v.both.weighted_label,
        means(&v.both)
    )));
    for (name, view, tally) in [
        ("AP", View::Ap, &v.per_view.ap),
        ("Lateral", View::Lateral, &v.per_view.lateral),
    ] {
        if !input.report.has_view(view) {
            out.push(text(format!("{name}: no {} image.", view.as_str())));
            continue;
        }
        out.push(text(format!(
            "{name}: majority {} ({}); probability-weighted {}.",
            tally.label,
            tally.summary(),
            tally.weighted_label
        )));
    }
    out.push(mixed_block(input));
    out
}

fn verdict_colour(input: &ReportInput, label: &str) -> [u8; 3] {
    if input.classes.iter().any(|c| c.name == label) {
        input.colour_of(label)
    } else {
        WARNING
    }
}

fn means(tally: &Tally) -> String {
    let parts: Vec<String> = tally
        .mean_probabilities
        .iter()
        .map(|(k, p)| format!("mean {k} {:.0} %", p * 100.0))
        .collect();
    if parts.is_empty() {
        "no screws".to_owned()
    } else {
        parts.join(", ")
    }
}

fn mixed_block(input: &ReportInput) -> Block {
    let v = &input.report.verdict;
    if !v.mixed {
        return text("Not mixed: no second manufacturer holds a confident share of the screws.");
    }
    let list: Vec<String> = v
        .mixed_labels
        .iter()
        .map(|l| {
            let n = v.both.votes.get(l).copied().unwrap_or(0);
            format!("{l} ({})", super::text::screws(n as usize))
        })
        .collect();
    strong(format!("MIXED IMPLANTS: {}", list.join(" + ")), WARNING)
}

fn screw_table(input: &ReportInput) -> Block {
    let classes: Vec<&str> = input.classes.iter().map(|c| c.name.as_str()).collect();
    let mut header: Vec<String> = ["#", "view", "manufacturer", "conf."]
        .map(String::from)
        .to_vec();
    // Class columns hold each class's probability; the class name is their header.
    header.extend(classes.iter().map(|c| (*c).to_owned()));
    let mut weights = vec![0.5, 0.8, 1.5, 0.7];
    weights.extend(classes.iter().map(|_| 0.9));
    // Only a pack with an "other design" output adds the column.
    let other = input.report.screws().any(|(_, s)| s.other_design.is_some());
    if other {
        header.push("other design".to_owned());
        weights.push(0.9);
    }
    header.push("note".to_owned());
    weights.push(3.0);
    let rows = numbered_screws(&input.report)
        .map(|(n, image, s)| screw_row(input, &classes, other, n, image, s))
        .collect();
    Block::Table(Table {
        header,
        weights,
        rows,
    })
}

/// Every screw with its number in the table (from 1, image by image) and its image.
fn numbered_screws(report: &Report) -> impl Iterator<Item = (usize, &ImageReport, &ScrewReport)> {
    report
        .images
        .iter()
        .flat_map(|image| image.screws.iter().map(move |s| (image, s)))
        .enumerate()
        .map(|(i, (image, s))| (i + 1, image, s))
}

fn screw_row(
    input: &ReportInput,
    classes: &[&str],
    other: bool,
    n: usize,
    image: &ImageReport,
    s: &ScrewReport,
) -> Row {
    let mut cells = vec![
        n.to_string(),
        view_name(image.view.as_str()).to_owned(),
        s.effective_label().to_owned(),
        // The model's confidence belongs to the model's label, not the surgeon's.
        if s.overrule.is_some() {
            "-".to_owned()
        } else {
            format!("{:.0} %", s.confidence * 100.0)
        },
    ];
    cells.extend(classes.iter().map(|c| {
        let p = s.probabilities.get(*c).copied().unwrap_or(0.0);
        format!("{:.0} %", p * 100.0)
    }));
    if other {
        cells.push(format!("{:.0} %", s.other_design.unwrap_or(0.0) * 100.0));
    }
    cells.push(screw_note(s));
    let colour = if s.effective_label() == UNCERTAIN {
        INK
    } else {
        input.colour_of(s.effective_label())
    };
    Row {
        cells,
        colour,
        bold: s.overrule.is_some(),
    }
}

fn screw_note(s: &ScrewReport) -> String {
    match &s.overrule {
        Some(_) => format!("OVERRULED; model: {}", model_call(s)),
        None if s.label == UNCERTAIN => "uncertain: casts no vote".to_owned(),
        None => String::new(),
    }
}

fn model_call(s: &ScrewReport) -> String {
    format!("{} {:.0} %", s.label, s.confidence * 100.0)
}

fn overrule_lines(report: &Report) -> Vec<Block> {
    let lines: Vec<Block> = numbered_screws(report)
        .filter_map(|(n, image, s)| {
            s.overrule.as_ref().map(|label| {
                text(format!(
                    "Screw {n} ({}): {label}, set by the surgeon; the model said {}.",
                    view_name(image.view.as_str()),
                    model_call(s)
                ))
            })
        })
        .collect();
    if lines.is_empty() {
        return vec![text("None: every screw carries the model's call.")];
    }
    let mut out = lines;
    out.push(text("The verdict above counts the surgeon's labels."));
    out
}

fn pack_lines(input: &ReportInput) -> Vec<Block> {
    let pack = &input.report.pack;
    let mut out = vec![
        text(format!("Model pack: {} {}", pack.name, pack.version)),
        text(format!("Trained on: {}", pack.trained_on)),
    ];
    out.push(match &input.card {
        Some(card) => text(format!("Model card ({}): {}", card.source, card.text)),
        None => text("The pack has no model card."),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dicom_dates_read_as_iso_days() {
        assert_eq!(dicom_date("20240229"), "2024-02-29");
        assert_eq!(dicom_date("2024"), "2024");
    }

    #[test]
    fn only_the_file_name_of_a_path_is_printed() {
        assert_eq!(file_name("/data/DOE_JANE/ap.dcm"), "ap.dcm");
        assert_eq!(file_name("ap.dcm"), "ap.dcm");
    }
}
