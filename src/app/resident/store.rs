//! The resident's reads on disk: one JSON object per line of `reads.jsonl` in the app's
//! data folder, appended and never rewritten.
//!
//! A line that does not parse (a crash mid-write, a hand edit) is skipped with a warning,
//! so one bad line never costs the others.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::read::Read;

/// The file name of the reads in the data folder.
pub const READS_FILE: &str = "reads.jsonl";

/// Why reads could not be kept or loaded.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot save the read: {0}")]
    Write(#[source] std::io::Error),
    #[error("cannot load the reads: {0}")]
    Read(#[source] std::io::Error),
    #[error("cannot encode the read: {0}")]
    Encode(#[source] serde_json::Error),
}

/// Where the reads live.
#[derive(Clone, Debug)]
pub struct ReadStore {
    path: PathBuf,
}

impl ReadStore {
    /// The store of `reads.jsonl` in `dir` (created on the first append).
    #[must_use]
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            path: dir.join(READS_FILE),
        }
    }

    /// Appends one read as one line.
    ///
    /// # Errors
    /// The folder or file cannot be created or written.
    pub fn append(&self, read: &Read) -> Result<(), StoreError> {
        let mut line = serde_json::to_string(read).map_err(StoreError::Encode)?;
        line.push('\n');
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(StoreError::Write)?;
        }
        // One write of the whole line, so a crash leaves at worst one damaged last line.
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| f.write_all(line.as_bytes()))
            .map_err(StoreError::Write)
    }

    /// Every read that parses, in the order saved; none when the file does not exist yet.
    ///
    /// # Errors
    /// The file exists but cannot be read.
    pub fn load(&self) -> Result<Vec<Read>, StoreError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StoreError::Read(e)),
        };
        Ok(parse_lines(&text))
    }
}

fn parse_lines(text: &str) -> Vec<Read> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .filter_map(|(n, line)| match serde_json::from_str(line) {
            Ok(read) => Some(read),
            Err(e) => {
                tracing::warn!("skipping line {} of {READS_FILE}: {e}", n + 1);
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::resident::read::{PatientRead, ScrewRead};

    fn read(resident: &str) -> Read {
        Read {
            when: "2026-01-02T03:04:05Z".to_owned(),
            case: "ab".repeat(32),
            pack: "demo 1.0".to_owned(),
            patient: PatientRead {
                resident: vec![resident.to_owned()],
                model: vec!["Stryker".to_owned()],
                truth: None,
            },
            screws: vec![ScrewRead {
                image: 1,
                screw: 3,
                resident: resident.to_owned(),
                model: "uncertain".to_owned(),
                truth: Some("Stryker".to_owned()),
            }],
        }
    }

    #[test]
    fn reads_come_back_as_saved() {
        let dir = tempfile::tempdir().unwrap();
        // A folder that does not exist yet: the first append makes it.
        let store = ReadStore::in_dir(&dir.path().join("ScrewID"));
        assert!(store.load().unwrap().is_empty());
        let (a, b) = (read("Stryker"), read("Medtronic"));
        store.append(&a).unwrap();
        store.append(&b).unwrap();
        assert_eq!(store.load().unwrap(), vec![a, b]);
        let text = std::fs::read_to_string(dir.path().join("ScrewID").join(READS_FILE)).unwrap();
        assert_eq!(text.lines().count(), 2);
    }

    #[test]
    fn a_damaged_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let store = ReadStore::in_dir(dir.path());
        store.append(&read("Stryker")).unwrap();
        // A line cut short by a crash, then a good one after it.
        let path = dir.path().join(READS_FILE);
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("{\"when\": \"2026-01-0\n\n");
        std::fs::write(&path, text).unwrap();
        store.append(&read("NuVasive")).unwrap();
        let loaded = store.load().unwrap();
        let residents: Vec<&str> = loaded
            .iter()
            .map(|r| r.patient.resident[0].as_str())
            .collect();
        assert_eq!(residents, ["Stryker", "NuVasive"]);
    }
}
