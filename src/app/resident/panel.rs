//! Resident mode's controls: the top-bar toggle, the blind read (manufacturers for the
//! patient and, optionally, for single screws) with its Reveal button, and, once
//! revealed, how the read agrees with the model and the truth.

use egui::RichText;

use super::mode::Resident;
use super::read::{Read, category};
use crate::app::analysis::Case;
use crate::app::case_view::ScrewRef;
use crate::pack::Manifest;

impl Resident {
    /// The top bar's "Resident mode" toggle and the button of the reads summary.
    pub fn top_bar_ui(&mut self, ui: &mut egui::Ui) {
        ui.checkbox(&mut self.on, "Resident mode")
            .on_hover_text("Read each new case yourself before the model's answer is shown");
        let was_open = self.summary.open;
        ui.toggle_value(&mut self.summary.open, "Reads summary");
        if self.summary.open && !was_open {
            self.reload_summary();
        }
    }

    /// The blind read of `case`; returns the screw the pointer is over in the list.
    pub fn record_ui(
        &mut self,
        ui: &mut egui::Ui,
        case: &Case,
        manifest: &Manifest,
        selected: &mut Option<ScrewRef>,
    ) -> Option<ScrewRef> {
        ui.heading("Your read");
        ui.label("Manufacturer of the patient's screws (several if mixed):");
        for class in &manifest.classes {
            let mut chosen = self.draft.patient.contains(&class.name);
            if ui.checkbox(&mut chosen, &class.name).changed() {
                if chosen {
                    self.draft.patient.insert(class.name.clone());
                } else {
                    self.draft.patient.remove(&class.name);
                }
            }
        }
        ui.separator();
        if let Some(r) = *selected {
            self.screw_choice_ui(ui, manifest, r);
        }
        let reveal = ui.add_enabled(self.draft.is_complete(), egui::Button::new("Reveal"));
        if reveal.clicked() {
            self.reveal(case);
        }
        ui.separator();
        self.screw_list_ui(ui, case, selected)
    }

    /// The manufacturer of the selected screw, or none.
    fn screw_choice_ui(&mut self, ui: &mut egui::Ui, manifest: &Manifest, r: ScrewRef) {
        let mut choice = self.draft.screws.get(&r).cloned();
        ui.label(format!("Screw {}: your read", r.1 + 1));
        ui.horizontal_wrapped(|ui| {
            ui.radio_value(&mut choice, None, "no read");
            for class in &manifest.classes {
                ui.radio_value(&mut choice, Some(class.name.clone()), &class.name);
            }
        });
        match choice {
            Some(label) => self.draft.screws.insert(r, label),
            None => self.draft.screws.remove(&r),
        };
    }

    /// Every screw by number and view, with the resident's read and no model label.
    fn screw_list_ui(
        &self,
        ui: &mut egui::Ui,
        case: &Case,
        selected: &mut Option<ScrewRef>,
    ) -> Option<ScrewRef> {
        ui.label("Screws (optional: pick one here or on the image, then its manufacturer):");
        let mut hovered = None;
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("resident-screws")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    for (i, image) in case.report.images.iter().enumerate() {
                        for s in 0..image.screws.len() {
                            let r = (i, s);
                            let name = format!("{} screw {}", image.view.as_str(), s + 1);
                            let response = ui.selectable_label(*selected == Some(r), name);
                            if response.clicked() {
                                *selected = Some(r);
                            }
                            if response.hovered() {
                                hovered = Some(r);
                            }
                            ui.label(self.draft.screws.get(&r).map_or("–", String::as_str));
                            ui.end_row();
                        }
                    }
                });
        });
        hovered
    }

    /// Once revealed: the read beside the model's answer and the truth.
    pub fn outcome_ui(&self, ui: &mut egui::Ui) {
        let Some(read) = &self.revealed else {
            return;
        };
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(RichText::new("Your read").strong());
            for line in outcome_lines(read) {
                ui.label(line);
            }
        });
    }
}

/// The agreement of one read, in words.
fn outcome_lines(read: &Read) -> Vec<String> {
    let p = &read.patient;
    let mut lines = vec![format!(
        "Patient: you {}, model {}: {}",
        category(&p.resident),
        category(&p.model),
        agree_word(p.agrees_with_model())
    )];
    if let (Some(truth), Some(agree)) = (&p.truth, p.agrees_with_truth()) {
        lines.push(format!(
            "Patient vs truth ({}): {}",
            category(truth),
            agree_word(agree)
        ));
    }
    let (agree, read_n) = read.screws_agreeing_with_model();
    if read_n > 0 {
        lines.push(format!("Screws: {agree} of {read_n} agree with the model"));
        let (agree, known) = read.screws_agreeing_with_truth();
        if known > 0 {
            lines.push(format!("Screws: {agree} of {known} agree with the truth"));
        }
    }
    lines
}

fn agree_word(agree: bool) -> &'static str {
    if agree { "agree" } else { "disagree" }
}
