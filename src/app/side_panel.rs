//! The side panel: the verdict with its votes, a mixed-implants warning, and every screw's
//! call, linked with the boxes in the images.

use egui::{Color32, RichText};

use super::case_view::ScrewRef;
use super::palette::{MIXED, colour_of};
use super::screw_detail::ScrewDetail;
use super::screw_table;
use crate::pack::Manifest;
use crate::report::{Report, vote_over};
use crate::view::View;

/// What the surgeon can change about a case from the panel.
pub struct Review<'a> {
    pub report: &'a mut Report,
    /// The confidence below which a screw is uncertain.
    pub threshold: &'a mut f32,
    pub selected: &'a mut Option<ScrewRef>,
    /// The selected screw's crop.
    pub detail: &'a ScrewDetail,
}

/// Draws the verdict, the review controls and the screw list; returns the screw the
/// pointer is over.
pub fn ui(
    ui: &mut egui::Ui,
    review: Review<'_>,
    manifest: &Manifest,
    hovered_box: Option<ScrewRef>,
) -> Option<ScrewRef> {
    let Review {
        report,
        threshold,
        selected,
        detail,
    } = review;
    verdict_ui(ui, report, manifest);
    ui.separator();
    threshold_ui(ui, report, manifest, threshold);
    if let Some(r) = *selected {
        selected_ui(ui, report, manifest, detail, r);
    }
    ui.separator();
    images_ui(ui, report);
    ui.separator();
    screw_table::ui(ui, report, manifest, selected, hovered_box)
}

/// The selected screw: its crop, its probabilities, and the overrule.
fn selected_ui(
    ui: &mut egui::Ui,
    report: &mut Report,
    manifest: &Manifest,
    detail: &ScrewDetail,
    r: ScrewRef,
) {
    ui.separator();
    let Some(screw) = report.images.get(r.0).and_then(|i| i.screws.get(r.1)) else {
        return;
    };
    ui.label(RichText::new(format!("Selected screw: {}", screw.caption())).strong());
    detail.ui(ui, screw, manifest);
    overrule_ui(ui, report, manifest, r);
}

fn verdict_ui(ui: &mut egui::Ui, report: &Report, manifest: &Manifest) {
    let v = &report.verdict;
    let headline = format!("Verdict: {}", v.both.headline());
    ui.heading(
        RichText::new(headline)
            .color(colour_of(manifest, &v.both.label))
            .strong(),
    );
    ui.label(format!("Majority vote: {}", v.both.summary()));
    ui.label(format!(
        "Probability-weighted vote: {}",
        v.both.weighted_label
    ));
    ui.label(format!("AP: {}", report.view_summary(View::Ap)));
    ui.label(format!("Lateral: {}", report.view_summary(View::Lateral)));
    if v.mixed {
        egui::Frame::group(ui.style())
            .stroke(egui::Stroke::new(2.0, MIXED))
            .show(ui, |ui| {
                ui.label(RichText::new("Mixed implants").color(MIXED).strong());
                let rows = screw_table::reading_order(report);
                for label in &v.mixed_labels {
                    let n = v.both.votes.get(label).copied().unwrap_or(0);
                    // Which screws, by their table number, so the surgeon can find them.
                    let numbers: Vec<String> = rows
                        .iter()
                        .enumerate()
                        .filter(|(_, ((i, s), _))| {
                            report.images[*i].screws[*s].effective_label() == label
                        })
                        .map(|(row, _)| format!("#{}", row + 1))
                        .collect();
                    ui.label(
                        RichText::new(format!("{label}: {n} screws ({})", numbers.join(", ")))
                            .color(colour_of(manifest, label)),
                    );
                }
            });
    }
}

/// The confidence threshold: moving it relabels every screw and votes again, live.
fn threshold_ui(ui: &mut egui::Ui, report: &mut Report, manifest: &Manifest, threshold: &mut f32) {
    let slider = egui::Slider::new(threshold, 0.34..=0.99).text("confidence threshold");
    if ui.add(slider).changed() {
        let classes: Vec<String> = manifest.classes.iter().map(|c| c.name.clone()).collect();
        report.relabel(&classes, *threshold, &manifest.thresholds);
    }
}

/// The surgeon's own label for the selected screw, kept in the report and counted.
fn overrule_ui(
    ui: &mut egui::Ui,
    report: &mut Report,
    manifest: &Manifest,
    (image, screw): ScrewRef,
) {
    let Some(s) = report
        .images
        .get_mut(image)
        .and_then(|i| i.screws.get_mut(screw))
    else {
        return;
    };
    let before = s.overrule.clone();
    let shown = s
        .overrule
        .clone()
        .unwrap_or_else(|| "model's call".to_owned());
    egui::ComboBox::from_label(format!("overrule screw (model: {})", s.label))
        .selected_text(shown)
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut s.overrule, None, "model's call");
            for c in &manifest.classes {
                ui.selectable_value(&mut s.overrule, Some(c.name.clone()), &c.name);
            }
        });
    if s.overrule != before {
        let classes: Vec<String> = manifest.classes.iter().map(|c| c.name.clone()).collect();
        report.verdict = vote_over(report, &classes, &manifest.thresholds);
    }
}

fn images_ui(ui: &mut egui::Ui, report: &Report) {
    for image in &report.images {
        let line = format!(
            "{}: {} ({:.0} %), {}",
            image.file,
            image.view.as_str(),
            image.view_confidence * 100.0,
            crate::report::screws(image.screws.len())
        );
        ui.label(line);
        if let Some(note) = &image.note {
            ui.label(RichText::new(format!("Not searched: {note}")).color(Color32::LIGHT_RED));
        }
        if let Some(caution) = &image.caution {
            ui.label(RichText::new(format!("Caution: {caution}")).color(Color32::YELLOW));
        }
    }
}
