//! Owns what the viewer writes over the images: the corner labels (patient text at the
//! top, the window and zoom at the bottom) and the help overlay listing every shortcut.
//! Patient text is shown only, never logged.

use egui::{Align, Align2, Color32, Layout, Rect, RichText, UiBuilder};

use crate::radiograph::PatientText;

/// Every shortcut, as the help overlay lists it.
pub const SHORTCUTS: [(&str, &str); 11] = [
    ("Scroll", "zoom at the cursor"),
    ("Drag", "pan"),
    (
        "Ctrl-drag or right-drag",
        "window: right = wider, down = higher centre",
    ),
    (
        "1 … 9",
        "window presets: the file's, then automatic, then full range",
    ),
    ("I", "invert"),
    (
        "Esc or double-click",
        "reset: fit, file window, no inversion",
    ),
    ("Tab", "side by side / one view large (each in turn)"),
    ("P", "show or hide the patient text"),
    ("H or F1", "show or hide this help"),
    ("Click a screw", "select it and zoom to it"),
    ("Keys", "act on the image under the pointer, else on all"),
];

/// The four corner labels of one view.
pub fn corners(
    ui: &mut egui::Ui,
    view: Rect,
    patient: Option<&PatientText>,
    window: &str,
    zoom: f32,
) {
    let inner = view.shrink(8.0);
    if let Some(p) = patient {
        let left = [p.name.as_deref(), p.id.as_deref()];
        let date = p.study_date.as_deref().map(crate::report::dicom_date);
        let right = [date.as_deref(), p.study_description.as_deref()];
        corner(ui, inner, Layout::top_down(Align::Min), &left);
        corner(ui, inner, Layout::top_down(Align::Max), &right);
    }
    corner(ui, inner, Layout::bottom_up(Align::Min), &[Some(window)]);
    let zoom = format!("Zoom {:.0} %", zoom * 100.0);
    corner(ui, inner, Layout::bottom_up(Align::Max), &[Some(&zoom)]);
}

/// Lines in one corner of `rect` (the layout picks the corner), on a dark plate.
fn corner(ui: &mut egui::Ui, rect: Rect, layout: Layout, lines: &[Option<&str>]) {
    let text: Vec<&str> = lines.iter().flatten().copied().collect();
    if text.is_empty() {
        return;
    }
    ui.scope_builder(UiBuilder::new().max_rect(rect).layout(layout), |ui| {
        egui::Frame::new()
            .fill(Color32::from_black_alpha(170))
            .inner_margin(4.0)
            .corner_radius(3.0)
            .show(ui, |ui| {
                for line in text {
                    let label = RichText::new(line).color(Color32::WHITE).size(12.0);
                    ui.add(egui::Label::new(label).selectable(false));
                }
            });
    });
}

/// The help overlay, centred over the window.
pub fn help(ctx: &egui::Context) {
    egui::Window::new("Viewer shortcuts")
        .collapsible(false)
        .resizable(false)
        .anchor(Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            egui::Grid::new("viewer-shortcuts")
                .num_columns(2)
                .show(ui, |ui| {
                    for (keys, action) in SHORTCUTS {
                        ui.label(RichText::new(keys).strong());
                        ui.label(action);
                        ui.end_row();
                    }
                });
        });
}
