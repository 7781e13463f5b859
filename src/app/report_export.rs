//! "Export report…": the top bar's button and identifiers checkbox, the save dialog and
//! the writing of the PDF or PNG, all off the UI thread; the outcome comes back as a
//! one-line message.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};

use super::analysis::Case;
use crate::pack::ModelPack;
use crate::report::{CardSummary, ExportDate, ReportInput, write_report};

/// How an export ended.
pub enum ExportOutcome {
    Written(PathBuf),
    Failed(String),
    /// The user closed the dialog without choosing a file.
    Cancelled,
}

/// The export controls and the state of a running export.
pub struct ReportExporter {
    /// Whether the report carries the patient's name, ID and study; on by default, as on
    /// the command line.
    pub include_identifiers: bool,
    tx: Sender<ExportOutcome>,
    rx: Receiver<ExportOutcome>,
    running: usize,
    /// Wakes the UI when a background export ends.
    ctx: Option<egui::Context>,
}

impl Default for ReportExporter {
    fn default() -> Self {
        let (tx, rx) = channel();
        Self {
            include_identifiers: true,
            tx,
            rx,
            running: 0,
            ctx: None,
        }
    }
}

impl ReportExporter {
    /// Draws the button and the checkbox; true when the button was clicked.
    pub fn ui(&mut self, ui: &mut egui::Ui, has_case: bool) -> bool {
        let enabled = has_case && self.running == 0;
        let clicked = ui
            .add_enabled(enabled, egui::Button::new("Export report…"))
            .on_hover_text("Save the case as a PDF or PNG report for the operative plan")
            .clicked();
        ui.checkbox(&mut self.include_identifiers, "include patient identifiers");
        clicked
    }

    /// Whether an export is still running (dialog open or file being written).
    pub fn is_busy(&self) -> bool {
        self.running > 0
    }

    /// Asks for a file name in the save dialog, then writes the report there, all on one
    /// background thread.
    pub fn export_with_dialog(&mut self, input: ReportInput, pack_dir: PathBuf) {
        self.spawn(move || {
            let chosen = rfd::FileDialog::new()
                .set_title("Export the report")
                .set_file_name("screwid-report.pdf")
                .add_filter("PDF report", &["pdf"])
                .add_filter("PNG page", &["png"])
                .save_file();
            match chosen {
                Some(path) => write(input, &pack_dir, path),
                None => ExportOutcome::Cancelled,
            }
        });
    }

    /// Writes the report to `path` on a background thread, without a dialog.
    pub fn export_to(&mut self, input: ReportInput, pack_dir: PathBuf, path: PathBuf) {
        self.spawn(move || write(input, &pack_dir, path));
    }

    /// The one-line messages of exports that ended since the last call: `(text, ok)`.
    pub fn poll(&mut self, ctx: &egui::Context) -> Vec<(String, bool)> {
        self.ctx = Some(ctx.clone());
        let mut messages = Vec::new();
        while let Ok(outcome) = self.rx.try_recv() {
            self.running = self.running.saturating_sub(1);
            match outcome {
                ExportOutcome::Written(path) => {
                    messages.push((
                        format!("Report written: {}", crate::radiograph::shown_path(&path)),
                        true,
                    ));
                }
                ExportOutcome::Failed(message) => messages.push((message, false)),
                ExportOutcome::Cancelled => {}
            }
        }
        messages
    }

    fn spawn(&mut self, job: impl FnOnce() -> ExportOutcome + Send + 'static) {
        let tx = self.tx.clone();
        let ctx = self.ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("screwid-report-export".to_owned())
            .spawn(move || {
                let _ = tx.send(job());
                if let Some(ctx) = ctx {
                    ctx.request_repaint();
                }
            });
        self.running += 1;
        if let Err(e) = spawned {
            let _ = self.tx.send(ExportOutcome::Failed(format!(
                "cannot start the export: {e}"
            )));
        }
    }
}

/// What the report of the case on screen is made from (the model card is read later, on
/// the export thread).
pub fn input_for(case: &Case, pack: &ModelPack, include_identifiers: bool) -> ReportInput {
    ReportInput::new(
        case.report.clone(),
        case.images.iter().map(|i| i.image.clone()).collect(),
        pack.manifest.classes.clone(),
        ExportDate::today_utc(),
    )
    .with_identifiers(
        include_identifiers,
        case.images.iter().map(|i| &i.info.patient),
    )
}

fn write(input: ReportInput, pack_dir: &Path, path: PathBuf) -> ExportOutcome {
    let trained_on = input.report.pack.trained_on.clone();
    let input = input.with_card(CardSummary::read(pack_dir, &trained_on));
    match write_report(&input, &path) {
        Ok(()) => ExportOutcome::Written(path),
        Err(e) => ExportOutcome::Failed(e.to_string()),
    }
}
