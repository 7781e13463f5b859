//! The "Reads summary" window: how the resident's patient-level reads agree with the
//! model and, where known, with the truth (accuracy, Cohen's kappa, confusion matrix).

use egui::RichText;

use super::read::{Read, category};
use crate::agreement::Agreement;

/// The window and the reads it summarises.
#[derive(Debug, Default)]
pub struct Summary {
    pub open: bool,
    /// Every read in the store, reloaded when the window opens and after each reveal.
    pub reads: Vec<Read>,
}

impl Summary {
    /// Draws the window when it is open; `classes` order the matrix.
    pub fn ui(&mut self, ctx: &egui::Context, classes: &[String]) {
        let reads = &self.reads;
        egui::Window::new("Reads summary")
            .open(&mut self.open)
            .resizable(true)
            .show(ctx, |ui| {
                ui.label(format!("Reads: {}", reads.len()));
                let model = versus(reads, classes, |r| Some(category(&r.patient.model)));
                section(ui, "the model", &model);
                let truth = versus(reads, classes, |r| r.patient.truth.as_deref().map(category));
                section(ui, "the truth", &truth);
                screws_ui(ui, reads);
            });
    }
}

/// The resident against another rater, over the reads where that rater has an answer.
fn versus(
    reads: &[Read],
    classes: &[String],
    other: impl Fn(&Read) -> Option<String>,
) -> Agreement {
    let pairs = reads
        .iter()
        .filter_map(|r| other(r).map(|o| (category(&r.patient.resident), o)));
    Agreement::from_pairs(classes, pairs)
}

fn section(ui: &mut egui::Ui, other: &str, a: &Agreement) {
    ui.separator();
    ui.label(RichText::new(format!("You vs {other} ({} reads)", a.total())).strong());
    if a.total() == 0 {
        return;
    }
    ui.label(format!("Accuracy vs {other}: {}", percent(a.accuracy())));
    ui.label(format!(
        "Cohen's kappa vs {other}: {}",
        kappa_text(a.kappa())
    ));
    matrix_ui(ui, other, a);
}

/// The single screws read, pooled over all reads.
fn screws_ui(ui: &mut egui::Ui, reads: &[Read]) {
    let sum = |f: fn(&Read) -> (usize, usize)| {
        reads
            .iter()
            .map(f)
            .fold((0, 0), |(a, n), (b, m)| (a + b, n + m))
    };
    let (model_agree, read_n) = sum(Read::screws_agreeing_with_model);
    if read_n == 0 {
        return;
    }
    let (truth_agree, known) = sum(Read::screws_agreeing_with_truth);
    ui.separator();
    ui.label(format!(
        "Screws read: {read_n}; {model_agree} agree with the model, {truth_agree} of {known} with the truth"
    ));
}

fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{:.0} %", v * 100.0))
}

/// Kappa to two decimals; undefined when both sides used one and the same label.
fn kappa_text(v: Option<f64>) -> String {
    v.map_or_else(
        || "undefined (both sides gave one label only)".to_owned(),
        |v| format!("{v:.2}"),
    )
}

/// Rows the resident, columns the other rater; only labels either side used.
fn matrix_ui(ui: &mut egui::Ui, other: &str, a: &Agreement) {
    let n = a.labels().len();
    let used: Vec<usize> = (0..n)
        .filter(|&i| (0..n).any(|j| a.count(i, j) > 0 || a.count(j, i) > 0))
        .collect();
    ui.label(format!("rows: you, columns: {other}"));
    egui::Grid::new(("resident-confusion", other))
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            for &j in &used {
                ui.label(RichText::new(&a.labels()[j]).strong());
            }
            ui.end_row();
            for &i in &used {
                ui.label(RichText::new(&a.labels()[i]).strong());
                for &j in &used {
                    ui.label(a.count(i, j).to_string());
                }
                ui.end_row();
            }
        });
}
