//! The app's state and its frame: top bar, side panel, images, toasts.

use std::path::{Path, PathBuf};

use super::analysis::{AnalysisWorker, Case, Job};
use super::case_view::{CaseView, ScrewRef};
use super::dialogs::{Dialogs, Picked};
use super::folder_browser::FolderBrowser;
use super::pack_loader::PackSlot;
use super::report_export::{ReportExporter, input_for};
use super::resident::Resident;
use super::screw_detail::ScrewDetail;
use super::settings::Settings;
use super::side_panel;
use super::toasts::Toasts;

mod top_bar;

/// What the app starts with.
pub struct AppOptions {
    pub pack_dir: PathBuf,
    /// Radiographs to analyse as soon as the pack is loaded.
    pub initial_files: Vec<PathBuf>,
    /// Where resident mode keeps its reads (`reads.jsonl`); `None` keeps none.
    pub data_dir: Option<PathBuf>,
    /// Where settings are kept; `None` keeps nothing (tests). The app's binary passes
    /// [`Settings::default_file`].
    pub settings_file: Option<PathBuf>,
    /// When the window was asked for, to log how long the first frame took.
    pub launched: Option<std::time::Instant>,
}

impl AppOptions {
    /// Options with the given pack and files; neither settings nor reads kept.
    #[must_use]
    pub fn new(pack_dir: PathBuf, initial_files: Vec<PathBuf>) -> Self {
        Self {
            pack_dir,
            initial_files,
            data_dir: None,
            settings_file: None,
            launched: None,
        }
    }
}

/// The ScrewID window.
pub struct ScrewIdApp {
    pack: PackSlot,
    worker: AnalysisWorker,
    /// A job waiting for the pack to finish loading.
    queued: Option<Job>,
    case: Option<(Case, CaseView)>,
    selected: Option<ScrewRef>,
    hovered: Option<ScrewRef>,
    detail: ScrewDetail,
    /// The confidence threshold now applied to the case.
    threshold: f32,
    dialogs: Dialogs,
    folder: FolderBrowser,
    toasts: Toasts,
    exporter: ReportExporter,
    /// Set once the pack loader has been started (it needs the egui context to wake us).
    started: bool,
    pack_dir: PathBuf,
    settings: Settings,
    settings_file: Option<PathBuf>,
    launched: Option<std::time::Instant>,
    resident: Resident,
}

impl ScrewIdApp {
    #[must_use]
    pub fn new(options: AppOptions) -> Self {
        let settings = options
            .settings_file
            .as_deref()
            .map(Settings::load)
            .unwrap_or_default();
        let files = options.initial_files;
        Self {
            pack: PackSlot::Failed(String::new()),
            worker: AnalysisWorker::default(),
            queued: (!files.is_empty()).then_some(Job {
                files,
                auto_pair: false,
            }),
            case: None,
            selected: None,
            hovered: None,
            detail: ScrewDetail::default(),
            threshold: 0.0,
            dialogs: Dialogs::default(),
            folder: FolderBrowser::default(),
            toasts: Toasts::default(),
            exporter: ReportExporter::default(),
            started: false,
            pack_dir: options.pack_dir,
            settings,
            settings_file: options.settings_file,
            launched: options.launched,
            resident: Resident::new(options.data_dir.as_deref()),
        }
    }

    /// The screw selected in the table or on the images.
    #[must_use]
    pub fn selected_screw(&self) -> Option<ScrewRef> {
        self.selected
    }

    /// The screw whose row or box the pointer was over at the last frame.
    #[must_use]
    pub fn hovered_screw(&self) -> Option<ScrewRef> {
        self.hovered
    }

    /// The settings as they stand (saved on each change when a settings file is set).
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The folder scan shown in the folder window, once done.
    #[must_use]
    pub fn folder_scan(&self) -> Option<&crate::radiograph::FolderScan> {
        self.folder.result()
    }

    /// Scans a folder (or a DICOMDIR's folder) and lists it, as the "Open folder…" button does.
    pub fn open_folder(&mut self, ctx: &egui::Context, folder: &Path) {
        self.settings.last_folder = Some(folder.to_path_buf());
        self.save_settings();
        if let Err(e) = self.folder.scan(folder, ctx) {
            self.toasts.warn(format!("cannot scan the folder: {e}"));
        }
    }

    /// Loads the model pack in `dir` instead of the current one, as the "Model pack…"
    /// button does; the case on screen is analysed again with it.
    pub fn switch_pack(&mut self, ctx: &egui::Context, dir: PathBuf) {
        self.settings.pack_dir = Some(dir.clone());
        self.save_settings();
        self.pack_dir = dir;
        let waker = ctx.clone();
        self.pack = PackSlot::load(self.pack_dir.clone(), move || waker.request_repaint());
        if let Some((case, _)) = &self.case {
            self.queued = Some(Job {
                files: case.files.clone(),
                auto_pair: false,
            });
        }
    }

    /// Stops the analysis now running; its result is dropped.
    pub fn cancel_analysis(&mut self) {
        if self.worker.is_running() {
            self.worker.cancel();
            self.toasts.warn("analysis cancelled".to_owned());
        }
    }

    fn save_settings(&self) {
        if let Some(file) = &self.settings_file {
            self.settings.save(file);
        }
    }

    /// Whether a pack load or an analysis is still running.
    #[must_use]
    pub fn is_busy(&self) -> bool {
        matches!(self.pack, PackSlot::Loading(_))
            || self.worker.is_running()
            || self.folder.is_scanning()
            || self.exporter.is_busy()
            || (self.queued.is_some() && self.pack.ready().is_some())
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
            self.queued = Some(Job {
                files,
                auto_pair: false,
            });
        }
    }

    /// Dropped files are analysed; a dropped folder is scanned and listed.
    fn take_dropped(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        let (folders, files): (Vec<PathBuf>, Vec<PathBuf>) =
            dropped.into_iter().partition(|p| p.is_dir());
        if let Some(folder) = folders.first() {
            self.open_folder(ctx, folder);
        }
        self.open(files);
    }

    fn take_picked(&mut self, ctx: &egui::Context) {
        match self.dialogs.poll() {
            Some(Picked::Files(files)) => self.open(files),
            Some(Picked::Folder(Some(folder))) => self.open_folder(ctx, &folder),
            Some(Picked::Pack(Some(dir))) => self.switch_pack(ctx, dir),
            Some(Picked::Folder(None) | Picked::Pack(None)) | None => {}
        }
    }

    /// Writes the case's report (PDF or PNG by the extension) to `path` off the UI thread,
    /// as "Export report…" does after its dialog; the outcome is a message.
    pub fn export_report(&mut self, path: PathBuf, include_identifiers: bool) {
        match (self.case.as_ref(), self.pack.ready()) {
            (Some((case, _)), Some(pack)) => {
                let input = input_for(case, pack, include_identifiers);
                self.exporter.export_to(input, pack.dir.clone(), path);
            }
            _ => self.toasts.warn("no analysed case to export"),
        }
    }

    fn export_with_dialog(&mut self) {
        if let (Some((case, _)), Some(pack)) = (self.case.as_ref(), self.pack.ready()) {
            let input = input_for(case, pack, self.exporter.include_identifiers);
            self.exporter.export_with_dialog(input, pack.dir.clone());
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
        self.folder.poll();
        self.take_picked(ctx);
        self.take_dropped(ctx);
        for (message, ok) in self.exporter.poll(ctx) {
            if ok {
                self.toasts.info(message);
            } else {
                self.toasts.warn(message);
            }
        }
        if let Some(pack) = self.pack.ready().cloned()
            && let Some(job) = self.queued.take()
        {
            self.resident.case_started(&job.files);
            self.worker.start(pack, job, ctx.clone());
        }
        if let Some(outcome) = self.worker.poll() {
            for line in outcome.unreadable.into_iter().chain(outcome.notes) {
                self.toasts.warn(line);
            }
            match outcome.case {
                Ok(case) => {
                    self.show_case(ctx, case);
                    self.resident.case_arrived();
                }
                Err(message) => self.toasts.warn(message),
            }
        }
        if let Some(warning) = self.resident.take_warning() {
            self.toasts.warn(warning);
        }
        self.remember_window(ctx);
    }

    fn show_case(&mut self, ctx: &egui::Context, mut case: Case) {
        if let Some(pack) = self.pack.ready() {
            let manifest = &pack.manifest;
            self.threshold = self
                .settings
                .threshold
                .unwrap_or(manifest.thresholds.screw_uncertain_below);
            if self.settings.threshold.is_some() {
                let classes: Vec<String> =
                    manifest.classes.iter().map(|c| c.name.clone()).collect();
                case.report
                    .relabel(&classes, self.threshold, &manifest.thresholds);
            }
        }
        self.settings.remember_case(&case.files);
        self.save_settings();
        let view = CaseView::new(ctx, &case);
        self.case = Some((case, view));
        self.selected = None;
        self.detail.clear();
    }

    /// Uploads the selected screw's crop when the selection has changed.
    fn update_detail(&mut self, ctx: &egui::Context) {
        let (Some(r), Some((case, _)), Some(pack)) = (self.selected, &self.case, self.pack.ready())
        else {
            return;
        };
        let screw = case.report.images.get(r.0).and_then(|i| i.screws.get(r.1));
        if let (Some(image), Some(screw)) = (case.images.get(r.0), screw) {
            let spec = match case.report.images[r.0].view {
                crate::view::View::Lateral => &pack.manifest.models.classifier_lateral,
                _ => &pack.manifest.models.classifier_ap,
            };
            let margin = spec.crop_margin.unwrap_or(0.15);
            self.detail.update(ctx, r, &image.image, screw, margin);
        }
    }

    /// Keeps the window size and a threshold the surgeon has finished moving.
    fn remember_window(&mut self, ctx: &egui::Context) {
        let size = ctx.input(|i| i.viewport().inner_rect.map(|r| [r.width(), r.height()]));
        if size.is_some() {
            self.settings.window_size = size;
        }
        let released = !ctx.input(|i| i.pointer.any_down());
        if self.case.is_some() && released && self.settings.threshold != Some(self.threshold) {
            self.settings.threshold = Some(self.threshold);
            self.save_settings();
        }
    }

    fn central(&mut self, ui: &mut egui::Ui) {
        let Some(pack) = self.pack.ready() else {
            return;
        };
        match &mut self.case {
            Some((case, view)) => {
                self.hovered = view
                    .ui(
                        ui,
                        case,
                        &pack.manifest,
                        &mut self.selected,
                        !self.resident.hides_answer(),
                    )
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
        if let Some(launched) = self.launched.take() {
            tracing::debug!(
                elapsed_ms = launched.elapsed().as_millis(),
                "first frame laid out"
            );
        }
        let box_hover = self.hovered.take();
        self.update_detail(&ctx);
        if let (Some(pack), Some((case, _))) = (self.pack.ready(), &mut self.case) {
            let manifest = &pack.manifest;
            egui::Panel::right("verdict")
                .default_size(430.0)
                .show(ui, |ui| {
                    if self.resident.hides_answer() {
                        self.hovered =
                            self.resident
                                .record_ui(ui, case, manifest, &mut self.selected);
                        return;
                    }
                    self.resident.outcome_ui(ui);
                    let review = side_panel::Review {
                        report: &mut case.report,
                        threshold: &mut self.threshold,
                        selected: &mut self.selected,
                        detail: &self.detail,
                    };
                    self.hovered = side_panel::ui(ui, review, manifest, box_hover);
                });
        }
        self.resident
            .window_ui(&ctx, self.pack.ready().map(|p| &p.manifest));
        egui::CentralPanel::default().show(ui, |ui| self.central(ui));
        if let Some(job) = self.folder.ui(&ctx) {
            self.queued = Some(job);
        }
        self.toasts.ui(&ctx);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.save_settings();
    }
}
