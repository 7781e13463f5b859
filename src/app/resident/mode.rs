//! Resident mode's state: whether it is on, the case being read blind, the read in
//! progress, and the reads kept so far.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::draft::Draft;
use super::facts::FactsSlot;
use super::read::Read;
use super::store::ReadStore;
use super::summary::Summary;
use crate::app::analysis::Case;
use crate::pack::Manifest;

/// Everything resident mode holds between frames.
#[derive(Debug, Default)]
pub struct Resident {
    /// The top bar's toggle.
    pub on: bool,
    /// `None` when there is nowhere to keep reads (no home folder).
    pub(super) store: Option<ReadStore>,
    /// The facts of the job now running; they become the case's when it arrives.
    pending: Option<FactsSlot>,
    pub(super) facts: FactsSlot,
    /// Whether the case on screen arrived with resident mode on, so is read blind.
    blind: bool,
    pub(super) draft: Draft,
    /// The read saved at the reveal, shown beside the model's answer.
    pub(super) revealed: Option<Read>,
    pub(super) summary: Summary,
    warning: Option<String>,
}

impl Resident {
    /// Resident mode off, keeping its reads in `data_dir` when there is one.
    #[must_use]
    pub fn new(data_dir: Option<&Path>) -> Self {
        Self {
            store: data_dir.map(ReadStore::in_dir),
            ..Self::default()
        }
    }

    /// A new analysis of `files` has started.
    pub fn case_started(&mut self, files: &[PathBuf]) {
        self.pending = Some(FactsSlot::gather(files.to_vec()));
    }

    /// The analysis started last has arrived and is now on screen.
    pub fn case_arrived(&mut self) {
        self.facts = self.pending.take().unwrap_or_default();
        self.blind = self.on;
        self.draft = Draft::default();
        self.revealed = None;
    }

    /// Whether the model's answer is hidden: the case is read blind and not yet revealed.
    #[must_use]
    pub fn hides_answer(&self) -> bool {
        self.on && self.blind && self.revealed.is_none()
    }

    /// A message for the user, once.
    pub fn take_warning(&mut self) -> Option<String> {
        self.warning.take()
    }

    /// Saves the draft as a read of `case` and shows the model's answer.
    pub(super) fn reveal(&mut self, case: &Case) {
        let Some(facts) = self.facts.get() else {
            self.warning = Some("cannot identify the case's files; the read is not saved".into());
            return;
        };
        let read = self.draft.to_read(case, facts, SystemTime::now());
        match &self.store {
            Some(store) => {
                if let Err(e) = store.append(&read) {
                    self.warning = Some(e.to_string());
                }
            }
            None => self.warning = Some("no data folder: the read is shown but not saved".into()),
        }
        self.revealed = Some(read);
        self.reload_summary();
    }

    /// The reads summary window, when open; the pack's classes order its matrix.
    pub fn window_ui(&mut self, ctx: &egui::Context, manifest: Option<&Manifest>) {
        let classes: Vec<String> = manifest.map_or_else(Vec::new, |m| {
            m.classes.iter().map(|c| c.name.clone()).collect()
        });
        self.summary.ui(ctx, &classes);
    }

    /// Reads the saved reads again, for the summary.
    pub(super) fn reload_summary(&mut self) {
        let Some(store) = &self.store else {
            return;
        };
        match store.load() {
            Ok(reads) => self.summary.reads = reads,
            Err(e) => self.warning = Some(e.to_string()),
        }
    }
}
