//! The report as a plain-text table, for the terminal.

use std::fmt::Write;

use super::{ImageReport, Report, ScrewReport};
use crate::view::View;

/// The per-screw table and the verdict, as lines of text.
#[must_use]
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Model pack: {} {} - {}",
        report.pack.name, report.pack.version, report.pack.trained_on
    );
    // Screws are numbered across images, as in the app's table and the printed report.
    let mut first = 1;
    for image in &report.images {
        image_section(&mut out, image, first);
        first += image.screws.len();
    }
    verdict_section(&mut out, report);
    out
}

fn image_section(out: &mut String, image: &ImageReport, first: usize) {
    let _ = writeln!(
        out,
        "\n{} ({} x {}): view {} ({:.0} %), {}",
        image.file,
        image.width,
        image.height,
        image.view.as_str(),
        image.view_confidence * 100.0,
        screws(image.screws.len())
    );
    if let Some(note) = &image.note {
        let _ = writeln!(out, "  not searched: {note}");
        return;
    }
    if let Some(caution) = &image.caution {
        let _ = writeln!(out, "  caution: {caution}");
    }
    let classes: Vec<&String> = image
        .screws
        .first()
        .map(|s| s.probabilities.keys().collect())
        .unwrap_or_default();
    // Only a pack with an "other design" output adds the column.
    let other = image.screws.iter().any(|s| s.other_design.is_some());
    let _ = write!(
        out,
        "  {:>3}  {:<26} {:>5}  {:<10} {:>5}",
        "#", "box (x0, y0, x1, y1)", "det", "label", "conf"
    );
    for c in &classes {
        let _ = write!(out, " {c:>10}");
    }
    if other {
        let _ = write!(out, " {:>10}", "other");
    }
    out.push('\n');
    for (i, s) in image.screws.iter().enumerate() {
        screw_line(out, first + i, s, &classes, other);
    }
}

fn screw_line(out: &mut String, n: usize, s: &ScrewReport, classes: &[&String], other: bool) {
    let b = s.box_in_image;
    let corners = format!("{:.0}, {:.0}, {:.0}, {:.0}", b.x0, b.y0, b.x1, b.y1);
    let _ = write!(
        out,
        "  {:>3}  {:<26} {:>5.2}  {:<10} {:>4.0}%",
        n,
        corners,
        s.detection_score,
        s.label,
        s.confidence * 100.0
    );
    for c in classes {
        let _ = write!(out, " {:>9.0}%", s.probabilities[*c] * 100.0);
    }
    if other {
        let _ = write!(out, " {:>9.0}%", s.other_design.unwrap_or(0.0) * 100.0);
    }
    out.push('\n');
}

fn verdict_section(out: &mut String, report: &Report) {
    let v = &report.verdict;
    let _ = writeln!(
        out,
        "\nVerdict: {}, votes {}",
        v.both.headline(),
        v.both.summary()
    );
    let _ = writeln!(out, "  probability-weighted: {}", v.both.weighted_label);
    let _ = writeln!(
        out,
        "  AP: {}; lateral: {}",
        report.view_summary(View::Ap),
        report.view_summary(View::Lateral)
    );
    if v.mixed {
        let _ = writeln!(out, "  MIXED IMPLANTS: {}", v.mixed_labels.join(" + "));
    }
}

/// "1 screw", "2 screws".
#[must_use]
pub fn screws(n: usize) -> String {
    if n == 1 {
        "1 screw".to_owned()
    } else {
        format!("{n} screws")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_other_design_column_follows_the_classes() {
        let s = ScrewReport {
            box_in_image: crate::geometry::PixelBox::from([1.0, 2.0, 3.0, 4.0]),
            detection_score: 0.9,
            label: "uncertain".to_owned(),
            confidence: 0.3,
            probabilities: [("A".to_owned(), 0.3), ("B".to_owned(), 0.25)].into(),
            other_design: Some(0.45),
            overrule: None,
        };
        let (a, b) = ("A".to_owned(), "B".to_owned());
        let mut with = String::new();
        screw_line(&mut with, 1, &s, &[&a, &b], true);
        assert!(
            with.trim_end().ends_with("30%        25%        45%"),
            "{with}"
        );
        let mut without = String::new();
        screw_line(&mut without, 1, &s, &[&a, &b], false);
        assert!(without.trim_end().ends_with("30%        25%"), "{without}");
    }

    #[test]
    fn one_screw_is_singular() {
        assert_eq!(screws(0), "0 screws");
        assert_eq!(screws(1), "1 screw");
        assert_eq!(screws(2), "2 screws");
    }
}
