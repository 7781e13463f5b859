//! Native file dialogs, each on its own thread so the window keeps drawing while one is
//! open (on some platforms rfd's dialogs block the calling thread).

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

/// What a dialog was opened for, and what the user picked (nothing when cancelled).
pub enum Picked {
    Files(Vec<PathBuf>),
    Folder(Option<PathBuf>),
    Pack(Option<PathBuf>),
}

/// The dialog now open, if any.
#[derive(Default)]
pub struct Dialogs {
    open: Option<Receiver<Picked>>,
}

const RADIOGRAPH_EXTENSIONS: [&str; 8] =
    ["dcm", "dicom", "png", "jpg", "jpeg", "tif", "tiff", "bmp"];

impl Dialogs {
    /// Whether a dialog is open (only one at a time).
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// The user's pick, once the dialog has closed.
    pub fn poll(&mut self) -> Option<Picked> {
        let picked = self.open.as_ref()?.try_recv().ok()?;
        self.open = None;
        Some(picked)
    }

    /// Asks for a patient's radiographs, starting in `folder`.
    ///
    /// # Errors
    /// The dialog's thread could not be started.
    pub fn files(&mut self, folder: Option<PathBuf>) -> std::io::Result<()> {
        self.spawn(move || {
            let mut dialog = rfd::FileDialog::new()
                .set_title("Open a patient's AP and lateral radiographs")
                .add_filter("Radiographs", &RADIOGRAPH_EXTENSIONS)
                .add_filter("All files", &["*"]);
            if let Some(folder) = folder {
                dialog = dialog.set_directory(folder);
            }
            Picked::Files(dialog.pick_files().unwrap_or_default())
        })
    }

    /// Asks for a folder (a CD, a PACS export) to list by patient and study.
    ///
    /// # Errors
    /// The dialog's thread could not be started.
    pub fn folder(&mut self, folder: Option<PathBuf>) -> std::io::Result<()> {
        self.spawn(move || {
            let mut dialog =
                rfd::FileDialog::new().set_title("Open a folder, CD or DICOMDIR folder");
            if let Some(folder) = folder {
                dialog = dialog.set_directory(folder);
            }
            Picked::Folder(dialog.pick_folder())
        })
    }

    /// Asks for a model pack folder (one with a `manifest.json`).
    ///
    /// # Errors
    /// The dialog's thread could not be started.
    pub fn pack(&mut self) -> std::io::Result<()> {
        self.spawn(|| {
            Picked::Pack(
                rfd::FileDialog::new()
                    .set_title("Choose a model pack folder (with manifest.json)")
                    .pick_folder(),
            )
        })
    }

    fn spawn(&mut self, dialog: impl FnOnce() -> Picked + Send + 'static) -> std::io::Result<()> {
        let (tx, rx) = channel();
        std::thread::Builder::new()
            .name("screwid-file-dialog".to_owned())
            .spawn(move || {
                let _ = tx.send(dialog());
            })?;
        self.open = Some(rx);
        Ok(())
    }
}
