//! The desktop app: a thin egui face over the [pipeline](crate::pipeline).
//!
//! The UI thread only draws and handles input. Loading the pack, reading files, running
//! the models and the file dialog all happen on named background threads, whose results
//! come back over channels and are picked up at the next frame.

mod analysis;
mod case_view;
mod pack_loader;
mod palette;
mod screwid_app;
mod side_panel;
mod toasts;
mod viewer;
mod viewer_overlay;
mod viewport;

use std::path::PathBuf;

pub use analysis::{Case, CaseImage};
pub use screwid_app::{AppOptions, ScrewIdApp};
pub use viewer::{Layout, Viewer};
pub use viewport::Viewport;

/// Opens the main window and runs until it is closed.
///
/// # Errors
/// No window could be created (no display, no OpenGL).
pub fn run_native(files: Vec<PathBuf>, pack_dir: PathBuf) -> Result<(), eframe::Error> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("ScrewID")
            .with_inner_size([1400.0, 900.0]),
        ..Default::default()
    };
    eframe::run_native(
        "ScrewID",
        options,
        Box::new(move |_cc| {
            Ok(Box::new(ScrewIdApp::new(AppOptions {
                pack_dir,
                initial_files: files,
            })))
        }),
    )
}
