//! The top bar: opening files and folders, recent cases, resident mode, export, the
//! analysis progress with its cancel button, and the model pack in use.

use std::path::{Path, PathBuf};

use egui::RichText;

use super::ScrewIdApp;
use crate::app::dialogs::Dialogs;
use crate::app::pack_loader::PackSlot;
use crate::app::palette::BANNER;

impl ScrewIdApp {
    /// Opens a dialog (on its own thread); a failure to do so is a toast.
    fn open_dialog(&mut self, which: fn(&mut Dialogs, Option<PathBuf>) -> std::io::Result<()>) {
        let start_in = self.settings.last_folder.clone();
        if let Err(e) = which(&mut self.dialogs, start_in) {
            self.toasts
                .warn(format!("cannot open the file dialog: {e}"));
        }
    }

    pub(super) fn top_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let can_open = !self.dialogs.is_open();
            if ui
                .add_enabled(can_open, egui::Button::new("Open radiographs…"))
                .clicked()
            {
                self.open_dialog(Dialogs::files);
            }
            if ui
                .add_enabled(can_open, egui::Button::new("Open folder…"))
                .on_hover_text("A folder, a CD or the folder of a DICOMDIR: lists its radiographs by patient and study")
                .clicked()
            {
                self.open_dialog(Dialogs::folder);
            }
            self.recent_menu(ui);
            self.resident.top_bar_ui(ui);
            let exportable = self.case.is_some() && !self.resident.hides_answer();
            if self.exporter.ui(ui, exportable) {
                self.export_with_dialog();
            }
            if self.worker.is_running() {
                ui.spinner();
                ui.label(format!("Analysing: {}", self.worker.progress()));
                if ui.button("Cancel").clicked() {
                    self.cancel_analysis();
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                self.pack_label(ui);
            });
        });
        if let Some(pack) = self.pack.ready() {
            ui.label(
                RichText::new(format!("Trained on: {}", pack.manifest.trained_on)).color(BANNER),
            );
        }
    }

    fn recent_menu(&mut self, ui: &mut egui::Ui) {
        let mut chosen = None;
        ui.add_enabled_ui(!self.settings.recent.is_empty(), |ui| {
            ui.menu_button("Recent", |ui| {
                for files in &self.settings.recent {
                    if ui.button(recent_label(files)).clicked() {
                        chosen = Some(files.clone());
                    }
                }
            });
        });
        if let Some(files) = chosen {
            self.open(files);
        }
    }

    fn pack_label(&mut self, ui: &mut egui::Ui) {
        if ui
            .add_enabled(!self.dialogs.is_open(), egui::Button::new("Model pack…"))
            .on_hover_text("Use another model pack (a folder with manifest.json)")
            .clicked()
            && let Err(e) = self.dialogs.pack()
        {
            self.toasts
                .warn(format!("cannot open the file dialog: {e}"));
        }
        match &self.pack {
            PackSlot::Loading(_) => {
                ui.label("Loading model pack…");
                ui.spinner();
            }
            PackSlot::Ready(pack) => {
                ui.label(format!(
                    "Model pack: {} {}",
                    pack.manifest.name, pack.manifest.version
                ));
            }
            PackSlot::Failed(message) => {
                ui.label(
                    RichText::new(format!("No model pack: {message}"))
                        .color(egui::Color32::LIGHT_RED),
                );
            }
        }
    }
}

/// A recent case as a menu line: its files' names.
fn recent_label(files: &[PathBuf]) -> String {
    let names: Vec<String> = files
        .iter()
        .map(|p| {
            let folder = p
                .parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned());
            let name = p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            folder.map_or(name.clone(), |f| format!("{f}/{name}"))
        })
        .collect();
    names.join(", ")
}
