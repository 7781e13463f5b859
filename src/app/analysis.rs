//! Reads a patient's files and runs the pipeline on a background thread.
//!
//! Every job has a number; a result that arrives for a job the user has since replaced
//! or cancelled is dropped, so opening a second case while one runs never mixes the two.
//! A cancelled job also stops at its next file or stage boundary (a model run in
//! progress cannot be interrupted, so it finishes first).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use crate::intake;
use crate::pack::ModelPack;
use crate::pairing::pick_pair;
use crate::pipeline::{NamedRadiograph, Progress, analyze};
use crate::radiograph::{self, GreyImage, ImageInfo, Levels, NamedWindow};
use crate::report::Report;

/// One analysed patient.
pub struct Case {
    /// The files analysed, in the order of `images` (for the recent list and re-analysis).
    pub files: Vec<PathBuf>,
    pub images: Vec<CaseImage>,
    pub report: Report,
}

/// One image of a case, as shown.
pub struct CaseImage {
    pub name: String,
    pub image: GreyImage,
    pub info: ImageInfo,
    /// The pre-VOI values the viewer re-windows from, and its window presets (computed
    /// here, off the UI thread: the automatic window sorts the values).
    pub levels: Levels,
    pub presets: Vec<NamedWindow>,
}

/// What a finished job sends back.
pub struct Outcome {
    pub job: u64,
    /// The case, or why there is none.
    pub case: Result<Case, String>,
    /// One line per file that could not be read; the others were analysed.
    pub unreadable: Vec<String>,
    /// Other one-line messages for the user (images left out by the pair picker).
    pub notes: Vec<String>,
}

/// What to analyse.
pub struct Job {
    pub files: Vec<PathBuf>,
    /// With more than two readable images, keep only the AP and lateral pair that the
    /// view classifier picks (a folder's study); off when the user chose the images.
    pub auto_pair: bool,
}

/// The background worker and the state of its current job.
pub struct AnalysisWorker {
    tx: Sender<Outcome>,
    rx: Receiver<Outcome>,
    current: u64,
    running: bool,
    progress: Arc<Mutex<String>>,
    cancelled: Arc<AtomicBool>,
}

impl Default for AnalysisWorker {
    fn default() -> Self {
        let (tx, rx) = channel();
        Self {
            tx,
            rx,
            current: 0,
            running: false,
            progress: Arc::default(),
            cancelled: Arc::default(),
        }
    }
}

impl AnalysisWorker {
    /// Starts a job; any job still running is cancelled.
    pub fn start(&mut self, pack: Arc<ModelPack>, job: Job, ctx: egui::Context) {
        self.cancel();
        self.current += 1;
        self.running = true;
        let id = self.current;
        let tx = self.tx.clone();
        let progress = Arc::clone(&self.progress);
        let cancelled = Arc::new(AtomicBool::new(false));
        self.cancelled = Arc::clone(&cancelled);
        set(&progress, "reading files");
        let spawned = std::thread::Builder::new()
            .name("screwid-analysis".to_owned())
            .spawn(move || {
                let outcome = run_job(
                    id,
                    &pack,
                    &job,
                    &Control {
                        progress: &progress,
                        cancelled: &cancelled,
                    },
                );
                let _ = tx.send(outcome);
                ctx.request_repaint();
            });
        if let Err(e) = spawned {
            self.running = false;
            let _ = self.tx.send(Outcome {
                job: id,
                case: Err(format!("cannot start the analysis: {e}")),
                unreadable: Vec::new(),
                notes: Vec::new(),
            });
        }
    }

    /// The outcome of the current job, once it is done.
    pub fn poll(&mut self) -> Option<Outcome> {
        while let Ok(outcome) = self.rx.try_recv() {
            if outcome.job == self.current {
                self.running = false;
                return Some(outcome);
            }
        }
        None
    }

    /// Stops waiting for the current job: its result, if it still comes, is dropped.
    pub fn cancel(&mut self) {
        self.cancelled.store(true, Ordering::Relaxed);
        if self.running {
            self.current += 1;
            self.running = false;
        }
    }

    pub fn is_running(&self) -> bool {
        self.running
    }

    /// What the current job is doing, in words.
    pub fn progress(&self) -> String {
        self.progress.lock().map(|p| p.clone()).unwrap_or_default()
    }
}

fn set(progress: &Mutex<String>, text: &str) {
    if let Ok(mut p) = progress.lock() {
        text.clone_into(&mut p);
    }
}

/// What a running job reads and writes besides its result.
struct Control<'a> {
    progress: &'a Mutex<String>,
    cancelled: &'a AtomicBool,
}

impl Control<'_> {
    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

fn failed(job: u64, message: String, unreadable: Vec<String>) -> Outcome {
    Outcome {
        job,
        case: Err(message),
        unreadable,
        notes: Vec::new(),
    }
}

fn run_job(job: u64, pack: &ModelPack, work: &Job, control: &Control<'_>) -> Outcome {
    let mut unreadable = Vec::new();
    let mut loaded = Vec::new();
    for path in &work.files {
        if control.is_cancelled() {
            return failed(job, "analysis cancelled".to_owned(), unreadable);
        }
        match radiograph::load(path) {
            Ok(radiograph) => loaded.push((path.clone(), radiograph)),
            Err(e) => unreadable.push(e.to_string()),
        }
    }
    if loaded.is_empty() {
        let message = "no readable radiograph among the files; open DICOM, PNG or JPEG files";
        return failed(job, message.to_owned(), unreadable);
    }
    let mut notes = intake::drop_repeats(&mut loaded, |(_, r)| r, |(p, _)| file_name(p));
    notes.extend(intake::different_patients(
        &loaded,
        |(_, r)| r,
        |(p, _)| file_name(p),
    ));
    if work.auto_pair && loaded.len() > 2 {
        set(control.progress, "choosing the AP and lateral pair");
        match keep_pair(pack, loaded) {
            Ok((pair, note)) => {
                loaded = pair;
                notes.push(note);
            }
            Err(e) => return failed(job, e.to_string(), unreadable),
        }
    }
    if control.is_cancelled() {
        return failed(job, "analysis cancelled".to_owned(), unreadable);
    }
    let (files, images): (Vec<PathBuf>, Vec<NamedRadiograph>) = loaded
        .into_iter()
        .map(|(path, radiograph)| {
            let name = file_name(&path);
            (path, NamedRadiograph { name, radiograph })
        })
        .unzip();
    let report = analyze(pack, &images, &|p| set(control.progress, &describe(p)));
    let case = report
        .map(|report| Case {
            files,
            images: images
                .into_iter()
                .map(|n| CaseImage {
                    name: n.name,
                    image: n.radiograph.image,
                    info: n.radiograph.info,
                    presets: n.radiograph.levels.presets(),
                    levels: n.radiograph.levels,
                })
                .collect(),
            report,
        })
        .map_err(|e| e.to_string());
    Outcome {
        job,
        case,
        unreadable,
        notes,
    }
}

/// The AP and lateral pair the view classifier picks, and a line saying what was left out.
fn keep_pair(
    pack: &ModelPack,
    loaded: Vec<(PathBuf, radiograph::Radiograph)>,
) -> Result<(Vec<(PathBuf, radiograph::Radiograph)>, String), crate::pack::ModelError> {
    let total = loaded.len();
    let refs: Vec<&radiograph::Radiograph> = loaded.iter().map(|(_, r)| r).collect();
    let pairing = pick_pair(pack, &refs)?;
    let mut slots: Vec<Option<(PathBuf, radiograph::Radiograph)>> =
        loaded.into_iter().map(Some).collect();
    let kept: Vec<_> = pairing
        .chosen
        .iter()
        .filter_map(|&i| slots.get_mut(i).and_then(Option::take))
        .collect();
    let names: Vec<String> = kept.iter().map(|(p, _)| file_name(p)).collect();
    let note = format!(
        "{} of {total} images analysed, chosen by the view classifier ({}); tick images in the folder list to choose others",
        kept.len(),
        names.join(", ")
    );
    Ok((kept, note))
}

fn describe(p: Progress) -> String {
    match p {
        Progress::Image {
            index,
            total,
            stage,
        } => format!("image {} of {total}: {stage}", index + 1),
        Progress::Voting => "voting".to_owned(),
    }
}

/// The file name alone: hospital folder names often carry patient names.
fn file_name(path: &std::path::Path) -> String {
    // Escaped, since the name ends up in one-line messages and labels.
    path.file_name().map_or_else(
        || radiograph::shown_path(path),
        |n| radiograph::shown_path(std::path::Path::new(n)),
    )
}
