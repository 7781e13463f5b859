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
    // Only a pack whose classifiers have an "other design" output fills this column.
    let other = report
        .images
        .iter()
        .flat_map(|i| &i.screws)
        .any(|s| s.other_design.is_some());
    egui::ScrollArea::both()
        .id_salt("screw-table")
        .show(ui, |ui| {
            egui::Grid::new("screws")
                .striped(true)
                .num_columns(5 + classes.len() + usize::from(other))
                .show(ui, |ui| {
                    header(ui, manifest, &classes, other);
                    for (n, (r, level)) in reading_order(report).into_iter().enumerate() {
                        let marked = *selected == Some(r) || hovered_box == Some(r);
                        let response = row(ui, report, manifest, (n, r, level), marked, &classes);
                        if response.clicked() {
                            *selected = Some(r);
                        }
                        if response.hovered() {
                            hovered = Some(r);
                        }
                        if other {
                            let p = report.images[r.0].screws[r.1].other_design.unwrap_or(0.0);
                            ui.label(format!("{:.0} %", p * 100.0));
                        }
                        ui.end_row();
                    }
                });
        });
    hovered
}

fn header(ui: &mut egui::Ui, manifest: &Manifest, classes: &[&str], other: bool) {
    for h in ["screw", "view", "from top", "call", "conf."] {
        ui.label(RichText::new(h).strong());
    }
    for c in classes {
        ui.label(RichText::new(*c).strong().color(colour_of(manifest, c)));
    }
    if other {
        ui.label(RichText::new("other design").strong());
    }
    ui.end_row();
}

/// One screw's cells up to its class probabilities; returns the number cell's response.
fn row(
    ui: &mut egui::Ui,
    report: &Report,
    manifest: &Manifest,
    (n, r, level): (usize, ScrewRef, usize),
    marked: bool,
    classes: &[&str],
) -> egui::Response {
    let image = &report.images[r.0];
    let screw = &image.screws[r.1];
    let response = ui.selectable_label(marked, format!("#{}", n + 1));
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
    for c in classes {
        let p = screw.probabilities.get(*c).copied().unwrap_or(0.0);
        ui.label(format!("{:.0} %", p * 100.0));
    }
    response
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
            caution: None,
            pixel_spacing_mm: None,
            screws,
        }
    }

    #[test]
    fn rows_go_image_by_image_from_the_top_down_then_left_to_right() {
        let report = report_of(vec![
            image(vec![
                screw(70.0, 50.0),
                screw(30.0, 20.0),
                screw(20.0, 50.0),
            ]),
            image(vec![screw(50.0, 80.0), screw(50.0, 10.0)]),
        ]);
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

    fn report_of(images: Vec<ImageReport>) -> Report {
        Report {
            schema: String::new(),
            generator: String::new(),
            pack: PackRef {
                name: String::new(),
                version: String::new(),
                trained_on: String::new(),
            },
            images,
            verdict: Verdict::default(),
        }
    }

    /// The table of `report` under the bundled pack: whether it has an "other design"
    /// column, and whether `cell` is written in it.
    fn table_shows(report: &Report, cell: &str) -> (bool, bool) {
        use egui_kittest::kittest::Queryable;
        let path = crate::pack::bundled_pack_dir().join("manifest.json");
        let manifest = Manifest::read(&path).unwrap();
        let harness = egui_kittest::Harness::new_ui(|ui| {
            ui.set_min_width(900.0);
            super::ui(ui, report, &manifest, &mut None, None);
        });
        harness.get_by_label("Stryker");
        (
            harness.query_by_label("other design").is_some(),
            harness.query_by_label(cell).is_some(),
        )
    }

    #[test]
    fn an_other_design_column_only_when_the_screws_have_that_probability() {
        let mut with = screw(10.0, 10.0);
        with.other_design = Some(0.37);
        assert_eq!(
            table_shows(&report_of(vec![image(vec![with])]), "37 %"),
            (true, true)
        );
        assert_eq!(
            table_shows(&report_of(vec![image(vec![screw(10.0, 10.0)])]), "37 %"),
            (false, false)
        );
    }
}
