//! The table of every screw: view, order from the top of the film, manufacturer, confidence and every class's
//! probability, one row per screw, linked both ways with the boxes (hovering or clicking a
//! row marks its box; a box under the pointer marks its row).

use egui::RichText;

use super::case_view::ScrewRef;
use super::palette::colour_of;
use crate::pack::Manifest;
use crate::report::Report;

/// The screws in reading order: by image, then from the top of the film down (cranial to
/// caudal on an upright film), then left to right. Each entry is the screw and its level
/// order within its image (1 = topmost).
#[must_use]
pub fn reading_order(report: &Report) -> Vec<(ScrewRef, usize)> {
    let mut rows = Vec::new();
    for (i, image) in report.images.iter().enumerate() {
        let mut order: Vec<usize> = (0..image.screws.len()).collect();
        order.sort_by(|&a, &b| {
            let (ax, ay) = image.screws[a].box_in_image.centre();
            let (bx, by) = image.screws[b].box_in_image.centre();
            ay.total_cmp(&by).then(ax.total_cmp(&bx))
        });
        rows.extend(
            order
                .into_iter()
                .enumerate()
                .map(|(rank, s)| ((i, s), rank + 1)),
        );
    }
    rows
}

/// Draws the table; returns the screw whose row the pointer is over.
pub fn ui(
    ui: &mut egui::Ui,
    report: &Report,
    manifest: &Manifest,
    selected: &mut Option<ScrewRef>,
    hovered_box: Option<ScrewRef>,
) -> Option<ScrewRef> {
    let mut hovered = None;
    let classes: Vec<&str> = manifest.classes.iter().map(|c| c.name.as_str()).collect();
    egui::ScrollArea::both()
        .id_salt("screw-table")
        .show(ui, |ui| {
            egui::Grid::new("screws")
                .striped(true)
                .num_columns(5 + classes.len())
                .show(ui, |ui| {
                    for h in ["screw", "view", "from top", "call", "conf."] {
                        ui.label(RichText::new(h).strong());
                    }
                    // TODO(#3): an "other design" column for a pack with that output; until
                    // then the selected screw's bars show it.
                    for c in &classes {
                        ui.label(RichText::new(*c).strong().color(colour_of(manifest, c)));
                    }
                    ui.end_row();
                    for (n, (r, level)) in reading_order(report).into_iter().enumerate() {
                        let image = &report.images[r.0];
                        let screw = &image.screws[r.1];
                        let marked = *selected == Some(r) || hovered_box == Some(r);
                        let response = ui.selectable_label(marked, format!("#{}", n + 1));
                        if response.clicked() {
                            *selected = Some(r);
                        }
                        if response.hovered() {
                            hovered = Some(r);
                        }
                        ui.label(image.view.as_str());
                        ui.label(level.to_string());
                        let label = screw.effective_label();
                        let mut text = RichText::new(label).color(colour_of(manifest, label));
                        if screw.overrule.is_some() {
                            text = text.italics();
                        }
                        let cell = ui.label(text);
                        if screw.overrule.is_some() {
                            cell.on_hover_text(format!(
                                "overruled by the surgeon; the model said {}",
                                screw.label
                            ));
                        }
                        ui.label(format!("{:.0} %", screw.confidence * 100.0));
                        for c in &classes {
                            let p = screw.probabilities.get(*c).copied().unwrap_or(0.0);
                            ui.label(format!("{:.0} %", p * 100.0));
                        }
                        ui.end_row();
                    }
                });
        });
    hovered
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::geometry::PixelBox;
    use crate::report::{ImageReport, PackRef, ScrewReport};
    use crate::view::View;
    use crate::vote::Verdict;

    fn screw(cx: f32, cy: f32) -> ScrewReport {
        ScrewReport {
            box_in_image: PixelBox::from_centre(cx, cy, 10.0, 10.0),
            detection_score: 0.9,
            label: "a".to_owned(),
            confidence: 0.9,
            probabilities: BTreeMap::new(),
            other_design: None,
            overrule: None,
        }
    }

    fn image(screws: Vec<ScrewReport>) -> ImageReport {
        ImageReport {
            file: "x".to_owned(),
            width: 100,
            height: 100,
            view: View::Ap,
            view_confidence: 1.0,
            note: None,
            pixel_spacing_mm: None,
            screws,
        }
    }

    #[test]
    fn rows_go_image_by_image_from_the_top_down_then_left_to_right() {
        let report = Report {
            schema: String::new(),
            generator: String::new(),
            pack: PackRef {
                name: String::new(),
                version: String::new(),
                trained_on: String::new(),
            },
            images: vec![
                image(vec![
                    screw(70.0, 50.0),
                    screw(30.0, 20.0),
                    screw(20.0, 50.0),
                ]),
                image(vec![screw(50.0, 80.0), screw(50.0, 10.0)]),
            ],
            verdict: Verdict::default(),
        };
        let rows = reading_order(&report);
        assert_eq!(
            rows,
            vec![
                ((0, 1), 1),
                ((0, 2), 2),
                ((0, 0), 3),
                ((1, 1), 1),
                ((1, 0), 2)
            ]
        );
    }
}
