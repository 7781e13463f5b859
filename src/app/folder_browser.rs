//! The folder window: scans a folder, CD or DICOMDIR folder on a background thread (with
//! a progress bar), lists its radiographs by patient and study, and hands the images of
//! one study to the analysis: the ones the user ticked, or, when none are ticked, the
//! whole study for the view classifier to pick the AP and lateral pair from.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, channel};

use egui::RichText;

use super::analysis::Job;
use crate::radiograph::{FolderScan, ScannedImage, StudyGroup, scan_folder};

/// Files done and files found, shared with the scanning thread.
#[derive(Default)]
struct ScanProgress {
    done: AtomicUsize,
    total: AtomicUsize,
}

enum State {
    Closed,
    Scanning {
        folder: PathBuf,
        rx: Receiver<FolderScan>,
        progress: Arc<ScanProgress>,
    },
    Ready {
        folder: PathBuf,
        scan: FolderScan,
        ticked: BTreeSet<PathBuf>,
    },
}

/// The folder window and its scan.
pub struct FolderBrowser {
    state: State,
}

impl Default for FolderBrowser {
    fn default() -> Self {
        Self {
            state: State::Closed,
        }
    }
}

impl FolderBrowser {
    /// Starts scanning `folder` (a DICOMDIR file means its folder); the window opens at once.
    ///
    /// # Errors
    /// The scanning thread could not be started.
    pub fn scan(&mut self, folder: &Path, ctx: &egui::Context) -> std::io::Result<()> {
        let folder = if folder.is_file() {
            folder.parent().unwrap_or(folder).to_path_buf()
        } else {
            folder.to_path_buf()
        };
        let (tx, rx) = channel();
        let progress = Arc::new(ScanProgress::default());
        let (shared, dir, waker) = (Arc::clone(&progress), folder.clone(), ctx.clone());
        std::thread::Builder::new()
            .name("screwid-folder-scan".to_owned())
            .spawn(move || {
                let scan = scan_folder(&dir, &|done, total| {
                    shared.done.store(done, Ordering::Relaxed);
                    shared.total.store(total, Ordering::Relaxed);
                    if done % 64 == 0 {
                        waker.request_repaint();
                    }
                });
                let _ = tx.send(scan);
                waker.request_repaint();
            })?;
        self.state = State::Scanning {
            folder,
            rx,
            progress,
        };
        Ok(())
    }

    /// Whether a scan is still running.
    pub fn is_scanning(&self) -> bool {
        matches!(self.state, State::Scanning { .. })
    }

    /// The finished scan, if any (for tests and the status line).
    pub fn result(&self) -> Option<&FolderScan> {
        match &self.state {
            State::Ready { scan, .. } => Some(scan),
            _ => None,
        }
    }

    /// Moves a finished scan into the list.
    pub fn poll(&mut self) {
        if let State::Scanning { folder, rx, .. } = &self.state
            && let Ok(scan) = rx.try_recv()
        {
            self.state = State::Ready {
                folder: folder.clone(),
                scan,
                ticked: BTreeSet::new(),
            };
        }
    }

    /// Draws the window; returns a job when the user asks to analyse a study.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<Job> {
        let folder = match &self.state {
            State::Closed => return None,
            State::Scanning { folder, .. } | State::Ready { folder, .. } => folder_name(folder),
        };
        let mut open = true;
        let mut job = None;
        egui::Window::new("Folder")
            .open(&mut open)
            .default_size([520.0, 560.0])
            .vscroll(true)
            .show(ctx, |ui| {
                ui.label(RichText::new(folder).strong());
                job = self.contents(ui);
            });
        if !open {
            self.state = State::Closed;
        }
        job
    }

    fn contents(&mut self, ui: &mut egui::Ui) -> Option<Job> {
        match &mut self.state {
            State::Closed => None,
            State::Scanning { progress, .. } => {
                let done = progress.done.load(Ordering::Relaxed);
                let total = progress.total.load(Ordering::Relaxed);
                ui.label(format!("Reading headers: {done} of {total} files"));
                #[expect(clippy::cast_precision_loss, reason = "a fraction for a progress bar")]
                let fraction = if total == 0 {
                    0.0
                } else {
                    done as f32 / total as f32
                };
                ui.add(egui::ProgressBar::new(fraction).show_percentage());
                None
            }
            State::Ready { scan, ticked, .. } => listing(ui, scan, ticked),
        }
    }
}

fn folder_name(folder: &Path) -> String {
    folder.file_name().map_or_else(
        || folder.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The summary line and every patient, study and image.
fn listing(ui: &mut egui::Ui, scan: &FolderScan, ticked: &mut BTreeSet<PathBuf>) -> Option<Job> {
    ui.label(summary(scan));
    if scan.had_dicomdir {
        ui.label("A DICOMDIR was found; its folder was scanned file by file instead.");
    }
    ui.label(
        RichText::new("Tick images to choose them, or analyse a study as a whole: the view classifier then picks its AP and lateral pair.")
            .small(),
    );
    let mut job = None;
    for (p, patient) in scan.patients.iter().enumerate() {
        let name = patient.patient.name.as_deref().unwrap_or("(no name)");
        let id = patient.patient.id.as_deref().unwrap_or("(no ID)");
        egui::CollapsingHeader::new(format!("{name} · {id}"))
            .id_salt(("patient", p))
            .default_open(true)
            .show(ui, |ui| {
                for (s, study) in patient.studies.iter().enumerate() {
                    ui.push_id(("study", p, s), |ui| {
                        job = job.take().or_else(|| study_ui(ui, study, ticked));
                    });
                }
            });
    }
    if !scan.raster.is_empty() {
        let images = StudyGroup {
            study_date: None,
            study_description: Some("PNG, JPEG, TIFF and BMP images".to_owned()),
            images: scan.raster.clone(),
        };
        ui.separator();
        ui.push_id("raster", |ui| {
            job = job.take().or_else(|| study_ui(ui, &images, ticked));
        });
    }
    job
}

fn summary(scan: &FolderScan) -> String {
    let studies: usize = scan.patients.iter().map(|p| p.studies.len()).sum();
    let mut line = format!(
        "{} patients, {studies} studies, {} other images; {} files skipped",
        scan.patients.len(),
        scan.raster.len(),
        scan.skipped.len()
    );
    if scan.walk_errors > 0 {
        let _ = write!(line, ", {} entries could not be listed", scan.walk_errors);
    }
    line
}

/// One study: its heading with an "Analyse" button, and a checkbox per image.
fn study_ui(ui: &mut egui::Ui, study: &StudyGroup, ticked: &mut BTreeSet<PathBuf>) -> Option<Job> {
    let mut job = None;
    ui.horizontal(|ui| {
        let date = study.study_date.as_deref().unwrap_or("no date");
        let description = study
            .study_description
            .as_deref()
            .unwrap_or("no description");
        ui.label(
            RichText::new(format!(
                "{date} · {description} · {} images",
                study.images.len()
            ))
            .strong(),
        );
        if ui.button("Analyse").clicked() {
            job = Some(study_job(study, ticked));
        }
    });
    for image in &study.images {
        let mut on = ticked.contains(&image.path);
        if ui.checkbox(&mut on, describe(image)).changed() {
            if on {
                ticked.insert(image.path.clone());
            } else {
                ticked.remove(&image.path);
            }
        }
    }
    job
}

/// The ticked images of the study, or all of them for the pair picker.
fn study_job(study: &StudyGroup, ticked: &BTreeSet<PathBuf>) -> Job {
    let chosen: Vec<PathBuf> = study
        .images
        .iter()
        .filter(|i| ticked.contains(&i.path))
        .map(|i| i.path.clone())
        .collect();
    if chosen.is_empty() {
        Job {
            files: study.images.iter().map(|i| i.path.clone()).collect(),
            auto_pair: true,
        }
    } else {
        Job {
            files: chosen,
            auto_pair: false,
        }
    }
}

/// File name, modality, view hint and size of one image.
fn describe(image: &ScannedImage) -> String {
    let name = folder_name(&image.path);
    let mut parts = vec![name];
    if let Some(m) = &image.modality {
        parts.push(m.clone());
    }
    if let Some(v) = image
        .view
        .view_position
        .as_ref()
        .or(image.view.series_description.as_ref())
    {
        parts.push(v.clone());
    }
    parts.push(format!("{} × {}", image.width, image.height));
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::radiograph::ViewHints;

    fn image(name: &str) -> ScannedImage {
        ScannedImage {
            path: PathBuf::from(format!("/cd/{name}")),
            dicom: true,
            modality: Some("CR".to_owned()),
            width: 10,
            height: 20,
            view: ViewHints::default(),
        }
    }

    fn study() -> StudyGroup {
        StudyGroup {
            study_date: None,
            study_description: None,
            images: vec![image("a"), image("b"), image("c")],
        }
    }

    #[test]
    fn an_unticked_study_goes_whole_to_the_pair_picker() {
        let job = study_job(&study(), &BTreeSet::new());
        assert!(job.auto_pair);
        assert_eq!(job.files.len(), 3);
    }

    #[test]
    fn ticked_images_are_analysed_as_chosen() {
        let ticked: BTreeSet<PathBuf> = [PathBuf::from("/cd/c"), PathBuf::from("/elsewhere/x")]
            .into_iter()
            .collect();
        let job = study_job(&study(), &ticked);
        assert!(!job.auto_pair);
        assert_eq!(job.files, vec![PathBuf::from("/cd/c")]);
    }

    #[test]
    fn an_image_is_described_by_name_modality_and_size() {
        assert_eq!(describe(&image("a")), "a · CR · 10 × 20");
    }
}
