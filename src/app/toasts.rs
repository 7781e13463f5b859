//! Short one-line messages in a corner that fade away, instead of a storm of dialogs.

use std::time::{Duration, Instant};

use egui::{Align2, Color32, RichText};

/// How long a message stays.
const LIFETIME: Duration = Duration::from_secs(8);
/// More than this many messages at once are dropped, oldest first.
const MAX_SHOWN: usize = 5;

/// Warnings are red; news of work done (a report written) is green.
const WARNING: Color32 = Color32::from_rgb(255, 120, 100);
const INFO: Color32 = Color32::from_rgb(140, 220, 140);

#[derive(Default)]
pub struct Toasts {
    messages: Vec<(String, Instant, Color32)>,
}

impl Toasts {
    /// Adds a warning; the same message is not shown twice at once.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.push(message.into(), WARNING);
    }

    /// Adds a message that something worked.
    pub fn info(&mut self, message: impl Into<String>) {
        self.push(message.into(), INFO);
    }

    fn push(&mut self, message: String, colour: Color32) {
        if self.messages.iter().any(|(m, _, _)| *m == message) {
            return;
        }
        self.messages.push((message, Instant::now(), colour));
        if self.messages.len() > MAX_SHOWN {
            self.messages.remove(0);
        }
    }

    /// The messages now shown.
    pub fn messages(&self) -> impl Iterator<Item = &str> {
        self.messages.iter().map(|(m, _, _)| m.as_str())
    }

    pub fn ui(&mut self, ctx: &egui::Context) {
        self.messages.retain(|(_, at, _)| at.elapsed() < LIFETIME);
        if self.messages.is_empty() {
            return;
        }
        egui::Area::new(egui::Id::unique("toasts"))
            .anchor(Align2::RIGHT_BOTTOM, [-12.0, -12.0])
            .show(ctx, |ui| {
                for (message, _, colour) in &self.messages {
                    egui::Frame::popup(ui.style()).show(ui, |ui| {
                        ui.label(RichText::new(message).color(*colour));
                    });
                }
            });
        ctx.request_repaint_after(Duration::from_millis(500));
    }
}
