//! Resident mode: a resident reads each new case blind (manufacturers for the patient
//! and, optionally, for single screws), then reveals the model's answer; every read is
//! kept locally and summarised as agreement with the model and the truth.
//!
//! The answer is hidden by the app asking [`Resident::hides_answer`]; the reads are
//! appended to `reads.jsonl` in the app's data folder ([`default_data_dir`]).

mod draft;
mod facts;
mod mode;
mod panel;
mod read;
mod store;
mod summary;
mod truth;

use std::path::PathBuf;

pub use mode::Resident;

/// The platform's data folder for ScrewID (e.g. `~/.local/share/screwid` on Linux), when
/// the user has a home folder.
#[must_use]
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ScrewID").map(|d| d.data_dir().to_path_buf())
}
