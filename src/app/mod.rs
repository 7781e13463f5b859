//! The desktop app: a thin egui face over the [pipeline](crate::pipeline).
//!
//! The UI thread only draws and handles input. Loading the pack, reading files, running
//! the models and the file dialog all happen on named background threads, whose results
//! come back over channels and are picked up at the next frame.

mod analysis;
mod case_view;
mod dialogs;
mod folder_browser;
mod pack_loader;
mod palette;
mod report_export;
mod resident;
mod screw_detail;
mod screw_table;
mod screwid_app;
mod settings;
mod side_panel;
mod toasts;
mod viewer;
mod viewer_overlay;
mod viewport;

use std::path::PathBuf;

pub use analysis::{Case, CaseImage};
pub use case_view::ScrewRef;
pub use resident::default_data_dir;
pub use screwid_app::{AppOptions, ScrewIdApp};
pub use settings::Settings;
pub use viewer::{Layout, Viewer};
pub use viewport::Viewport;

/// Opens the main window and runs until it is closed.
///
/// `pack_dir` is the pack named on the command line; without one, the pack last chosen
/// in the app (when it still has a manifest), else the default pack.
///
/// # Errors
/// No window could be created (no display, no OpenGL).
pub fn run_native(files: Vec<PathBuf>, pack_dir: Option<PathBuf>) -> Result<(), eframe::Error> {
    let launched = std::time::Instant::now();
    let settings_file = Settings::default_file();
    let settings = settings_file
        .as_deref()
        .map(Settings::load)
        .unwrap_or_default();
    let remembered = settings
        .pack_dir
        .clone()
        .filter(|dir| dir.join("manifest.json").is_file());
    let pack_dir = pack_dir
        .or(remembered)
        .unwrap_or_else(crate::pack::default_pack_dir);
    let size = settings.window_size.unwrap_or([1400.0, 900.0]);
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("ScrewID")
            .with_inner_size(size),
        ..Default::default()
    };
    eframe::run_native(
        "ScrewID",
        options,
        Box::new(move |_cc| {
            Ok(Box::new(ScrewIdApp::new(AppOptions {
                pack_dir,
                initial_files: files,
                settings_file,
                launched: Some(launched),
                data_dir: default_data_dir(),
            })))
        }),
    )
}
