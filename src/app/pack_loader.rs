//! Loads the model pack on a background thread so the window opens at once.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

use crate::pack::ModelPack;

/// The pack as the app sees it.
pub enum PackSlot {
    Loading(Receiver<Result<ModelPack, String>>),
    Ready(Arc<ModelPack>),
    Failed(String),
}

impl PackSlot {
    /// Starts loading the pack in `dir`; `on_done` runs on the loader thread when it is done
    /// (the app uses it to request a repaint).
    pub fn load(dir: PathBuf, on_done: impl FnOnce() + Send + 'static) -> Self {
        let (tx, rx) = channel();
        let spawned = std::thread::Builder::new()
            .name("screwid-pack-loader".to_owned())
            .spawn(move || {
                let result = ModelPack::load(&dir).map_err(|e| e.to_string());
                let _ = tx.send(result);
                on_done();
            });
        match spawned {
            Ok(_) => Self::Loading(rx),
            Err(e) => Self::Failed(format!("cannot start the pack loader: {e}")),
        }
    }

    /// Moves a finished load into `Ready` or `Failed`.
    pub fn poll(&mut self) {
        if let Self::Loading(rx) = self
            && let Ok(result) = rx.try_recv()
        {
            *self = match result {
                Ok(pack) => Self::Ready(Arc::new(pack)),
                Err(message) => Self::Failed(message),
            };
        }
    }

    pub fn ready(&self) -> Option<&Arc<ModelPack>> {
        match self {
            Self::Ready(pack) => Some(pack),
            _ => None,
        }
    }
}
