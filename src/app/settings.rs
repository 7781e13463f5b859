//! The app's remembered settings: window size and layout, the confidence threshold, the
//! last folder, the recent cases and the model pack, kept as JSON in the config folder that
//! `directories` gives (`settings.json`).
//!
//! Settings are a convenience: a missing, unreadable or damaged file gives the defaults
//! (with a warning in the log), and a failed save is a warning, never an error the
//! surgeon has to handle.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// How many recent cases the menu keeps.
pub const MAX_RECENT: usize = 8;

/// What the app remembers between runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The window's inner size in points, when it was last closed.
    pub window_size: Option<[f32; 2]>,
    /// The confidence threshold last chosen; `None` uses the pack's own.
    pub threshold: Option<f32>,
    /// The folder of the last files or folder opened, where the dialogs start.
    pub last_folder: Option<PathBuf>,
    /// The files of recent cases, newest first.
    pub recent: Vec<Vec<PathBuf>>,
    /// The model pack folder last chosen in the app; `None` for the default pack.
    pub pack_dir: Option<PathBuf>,
}

impl Settings {
    /// Where settings live: the platform's config folder for ScrewID.
    #[must_use]
    pub fn default_file() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "ScrewID")
            .map(|dirs| dirs.config_dir().join("settings.json"))
    }

    /// The settings in `file`, or the defaults when there are none or they cannot be read.
    #[must_use]
    pub fn load(file: &Path) -> Self {
        let Ok(text) = std::fs::read_to_string(file) else {
            return Self::default();
        };
        serde_json::from_str(&text).unwrap_or_else(|e| {
            tracing::warn!("settings file damaged ({e}); defaults used");
            Self::default()
        })
    }

    /// Writes the settings to `file` (through a temporary file, so that a crash mid-write
    /// leaves the old settings, not half of new ones). Failure is logged, not returned.
    pub fn save(&self, file: &Path) {
        if let Err(e) = self.try_save(file) {
            tracing::warn!("settings not saved: {e}");
        }
    }

    fn try_save(&self, file: &Path) -> std::io::Result<()> {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        let partial = file.with_extension("json.partial");
        std::fs::write(&partial, text)?;
        std::fs::rename(&partial, file)
    }

    /// Puts a case's files first in the recent list (once) and remembers their folder.
    pub fn remember_case(&mut self, files: &[PathBuf]) {
        if files.is_empty() {
            return;
        }
        self.recent.retain(|case| case != files);
        self.recent.insert(0, files.to_vec());
        self.recent.truncate(MAX_RECENT);
        if let Some(folder) = files[0].parent() {
            self.last_folder = Some(folder.to_path_buf());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(name: &str) -> Vec<PathBuf> {
        vec![PathBuf::from(format!("/data/{name}/ap.dcm"))]
    }

    #[test]
    fn a_round_trip_keeps_every_field() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub").join("settings.json");
        let mut settings = Settings {
            window_size: Some([1200.0, 800.0]),
            threshold: Some(0.75),
            pack_dir: Some(PathBuf::from("/packs/hospital")),
            ..Settings::default()
        };
        settings.remember_case(&case("a"));
        settings.save(&file);
        assert_eq!(Settings::load(&file), settings);
    }

    #[test]
    fn missing_or_damaged_files_give_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings.json");
        assert_eq!(Settings::load(&file), Settings::default());
        std::fs::write(&file, "{ not json").unwrap();
        assert_eq!(Settings::load(&file), Settings::default());
        // A file from an older version, with fewer fields, keeps what it has.
        std::fs::write(&file, r#"{"threshold": 0.5}"#).unwrap();
        assert_eq!(Settings::load(&file).threshold, Some(0.5));
    }

    #[test]
    fn recent_cases_are_newest_first_unique_and_bounded() {
        let mut settings = Settings::default();
        for i in 0..12 {
            settings.remember_case(&case(&i.to_string()));
        }
        settings.remember_case(&case("5"));
        assert_eq!(settings.recent.len(), MAX_RECENT);
        assert_eq!(settings.recent[0], case("5"));
        assert_eq!(settings.recent[1], case("11"));
        assert_eq!(
            settings.recent.iter().filter(|c| **c == case("5")).count(),
            1
        );
        assert_eq!(settings.last_folder, Some(PathBuf::from("/data/5")));
    }
}
