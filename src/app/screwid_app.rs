//! The app's state and its frame: top bar, side panel, images, toasts.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

use egui::RichText;

use super::analysis::{AnalysisWorker, Case};
use super::case_view::{CaseView, ScrewRef};
use super::pack_loader::PackSlot;
use super::palette::BANNER;
use super::side_panel;
use super::toasts::Toasts;

/// What the app starts with.
pub struct AppOptions {
    pub pack_dir: PathBuf,
    /// Radiographs to analyse as soon as the pack is loaded.
    pub initial_files: Vec<PathBuf>,
}

/// The ScrewID window.
pub struct ScrewIdApp {
    pack: PackSlot,
    worker: AnalysisWorker,
    /// Files waiting for the pack to finish loading.
    queued: Vec<PathBuf>,
    case: Option<(Case, CaseView)>,
    selected: Option<ScrewRef>,
    hovered: Option<ScrewRef>,
    /// The confidence threshold now applied to the case.
    threshold: f32,
    dialog: Option<Receiver<Vec<PathBuf>>>,
    toasts: Toasts,
    /// Set once the pack loader has been started (it needs the egui context to wake us).
    started: bool,
    pack_dir: PathBuf,
}

impl ScrewIdApp {
    #[must_use]
    pub fn new(options: AppOptions) -> Self {
        Self {
            pack: PackSlot::Failed(String::new()),
            worker: AnalysisWorker::default(),
            queued: options.initial_files,
            case: None,
            selected: None,
            hovered: None,
            threshold: 0.0,
            dialog: None,
            toasts: Toasts::default(),
            started: false,
            pack_dir: options.pack_dir,
        }
    }

    /// Whether a pack load or an analysis is still running.
    #[must_use]
    pub fn is_busy(&self) -> bool {
        matches!(self.pack, PackSlot::Loading(_))
            || self.worker.is_running()
            || (!self.queued.is_empty() && self.pack.ready().is_some())
    }

    /// The case on screen, if any.
    #[must_use]
    pub fn case(&self) -> Option<&Case> {
        self.case.as_ref().map(|(c, _)| c)
    }

    /// The image viewer of the case on screen (zoom, pan, window, overlays), if any.
    #[must_use]
    pub fn viewer(&self) -> Option<&super::Viewer> {
        self.case.as_ref().map(|(_, v)| v.viewer())
    }

    /// The one-line messages now shown.
    pub fn messages(&self) -> impl Iterator<Item = &str> {
        self.toasts.messages()
    }

    /// Queues files for analysis (they start once the pack is ready).
    pub fn open(&mut self, files: Vec<PathBuf>) {
        if !files.is_empty() {
            self.queued = files;
        }
    }

    /// Everything that happens before drawing: finished background work, dropped files.
    fn poll(&mut self, ctx: &egui::Context) {
        if !self.started {
            self.started = true;
            let waker = ctx.clone();
            self.pack = PackSlot::load(self.pack_dir.clone(), move || waker.request_repaint());
        }
        self.pack.poll();
        if let Some(files) = self.dialog.as_ref().and_then(|rx| rx.try_recv().ok()) {
            self.dialog = None;
            self.open(files);
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        self.open(dropped);
        if let Some(pack) = self.pack.ready().cloned()
            && !self.queued.is_empty()
        {
            self.worker
                .start(pack, std::mem::take(&mut self.queued), ctx.clone());
        }
        if let Some(outcome) = self.worker.poll() {
            for line in outcome.unreadable {
                self.toasts.warn(line);
            }
            match outcome.case {
                Ok(case) => {
                    if let Some(pack) = self.pack.ready() {
                        self.threshold = pack.manifest.thresholds.screw_uncertain_below;
                    }
                    let view = CaseView::new(ctx, &case);
                    self.case = Some((case, view));
                    self.selected = None;
                }
                Err(message) => self.toasts.warn(message),
            }
        }
    }

    /// Opens the file dialog on its own thread, so the window keeps drawing meanwhile.
    fn open_dialog(&mut self) {
        let (tx, rx) = channel();
        let spawned = std::thread::Builder::new()
            .name("screwid-file-dialog".to_owned())
            .spawn(move || {
                let files = rfd::FileDialog::new()
                    .set_title("Open a patient's AP and lateral radiographs")
                    .add_filter(
                        "Radiographs",
                        &["dcm", "dicom", "png", "jpg", "jpeg", "tif", "tiff", "bmp"],
                    )
                    .add_filter("All files", &["*"])
                    .pick_files()
                    .unwrap_or_default();
                let _ = tx.send(files);
            });
        match spawned {
            Ok(_) => self.dialog = Some(rx),
            Err(e) => self
                .toasts
                .warn(format!("cannot open the file dialog: {e}")),
        }
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let can_open = self.dialog.is_none();
            if ui
                .add_enabled(can_open, egui::Button::new("Open radiographs…"))
                .clicked()
            {
                self.open_dialog();
            }
            if self.worker.is_running() {
                ui.spinner();
                ui.label(format!("Analysing: {}", self.worker.progress()));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                self.pack_label(ui);
            });
        });
        if let Some(pack) = self.pack.ready() {
            ui.label(
                RichText::new(format!(
                    "Demonstration models: {}",
                    pack.manifest.trained_on
                ))
                .color(BANNER),
            );
        }
    }

    fn pack_label(&self, ui: &mut egui::Ui) {
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

    fn central(&mut self, ui: &mut egui::Ui) {
        let Some(pack) = self.pack.ready() else {
            return;
        };
        match &mut self.case {
            Some((case, view)) => {
                self.hovered = view
                    .ui(ui, case, &pack.manifest, &mut self.selected)
                    .or(self.hovered);
            }
            None => {
                ui.centered_and_justified(|ui| {
                    ui.label(
                        "Open or drop a patient's AP and lateral radiographs (DICOM, PNG, JPEG).",
                    );
                });
            }
        }
    }
}

impl eframe::App for ScrewIdApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.poll(&ctx);
        egui::Panel::top("top-bar").show(ui, |ui| self.top_bar(ui));
        let box_hover = self.hovered.take();
        if let (Some(pack), Some((case, _))) = (self.pack.ready(), &mut self.case) {
            let manifest = &pack.manifest;
            let review = side_panel::Review {
                report: &mut case.report,
                threshold: &mut self.threshold,
                selected: &mut self.selected,
            };
            egui::Panel::right("verdict")
                .default_size(360.0)
                .show(ui, |ui| {
                    self.hovered = side_panel::ui(ui, review, manifest, box_hover);
                });
        }
        egui::CentralPanel::default().show(ui, |ui| self.central(ui));
        self.toasts.ui(&ctx);
    }
}
