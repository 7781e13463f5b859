//! Reads a patient's files and runs the pipeline on a background thread.
//!
//! Every job has a number; a result that arrives for a job the user has since replaced
//! is dropped, so opening a second case while one runs never mixes the two.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use crate::pack::ModelPack;
use crate::pipeline::{NamedRadiograph, Progress, analyze};
use crate::radiograph::{self, GreyImage, ImageInfo, Levels, NamedWindow};
use crate::report::Report;

/// One analysed patient.
pub struct Case {
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
}

/// The background worker and the state of its current job.
pub struct AnalysisWorker {
    tx: Sender<Outcome>,
    rx: Receiver<Outcome>,
    current: u64,
    running: bool,
    progress: Arc<Mutex<String>>,
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
        }
    }
}

impl AnalysisWorker {
    /// Starts analysing `files`; any job still running is superseded.
    pub fn start(&mut self, pack: Arc<ModelPack>, files: Vec<PathBuf>, ctx: egui::Context) {
        self.current += 1;
        self.running = true;
        let job = self.current;
        let tx = self.tx.clone();
        let progress = Arc::clone(&self.progress);
        set(&progress, "reading files");
        let spawned = std::thread::Builder::new()
            .name("screwid-analysis".to_owned())
            .spawn(move || {
                let outcome = run_job(job, &pack, &files, &progress);
                let _ = tx.send(outcome);
                ctx.request_repaint();
            });
        if let Err(e) = spawned {
            self.running = false;
            let _ = self.tx.send(Outcome {
                job,
                case: Err(format!("cannot start the analysis: {e}")),
                unreadable: Vec::new(),
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

fn run_job(job: u64, pack: &ModelPack, files: &[PathBuf], progress: &Mutex<String>) -> Outcome {
    let mut unreadable = Vec::new();
    let mut images = Vec::new();
    for path in files {
        match radiograph::load(path) {
            Ok(radiograph) => images.push(NamedRadiograph {
                name: file_name(path),
                radiograph,
            }),
            Err(e) => unreadable.push(e.to_string()),
        }
    }
    if images.is_empty() {
        return Outcome {
            job,
            case: Err(
                "no readable radiograph among the files; open DICOM, PNG or JPEG files".to_owned(),
            ),
            unreadable,
        };
    }
    let report = analyze(pack, &images, &|p| set(progress, &describe(p)));
    let case = report
        .map(|report| Case {
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
    }
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
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
