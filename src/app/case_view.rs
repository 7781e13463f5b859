//! The central panel: a case's images in the viewer (`viewer.rs`), each screw's box drawn
//! over them in its manufacturer's colour with label and confidence, following zoom and pan.

use egui::{Align2, Color32, FontId, Pos2, Rect, Stroke, StrokeKind, Vec2};

use super::analysis::Case;
use super::palette::{NEUTRAL, SELECTED, colour_of};
use super::viewer::Viewer;
use crate::classify::UNCERTAIN;
use crate::pack::Manifest;
use crate::report::ImageReport;

/// A screw, by image index and screw index.
pub type ScrewRef = (usize, usize);

/// The case now shown: its viewer (zoom, pan, window per image), boxes drawn over it.
pub struct CaseView {
    viewer: Viewer,
}

impl CaseView {
    /// Uploads the case's images (at most 2048 pixels a side; boxes stay exact, since they
    /// are placed in original-image coordinates).
    pub fn new(ctx: &egui::Context, case: &Case) -> Self {
        Self {
            viewer: Viewer::new(ctx, case),
        }
    }

    pub fn viewer(&self) -> &Viewer {
        &self.viewer
    }

    /// Draws the images and boxes; returns the screw the pointer is over, and sets
    /// `selected` on a click (a new selection zooms to its screw). Without `reveal` the
    /// boxes are neutral and uncaptioned, so a resident reads the case blind.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        case: &Case,
        manifest: &Manifest,
        selected: &mut Option<ScrewRef>,
        reveal: bool,
    ) -> Option<ScrewRef> {
        self.viewer.follow_selection(case, *selected);
        let full = ui.available_rect_before_wrap();
        let placed = self.viewer.place(ui, full);
        let mut hovered = None;
        for p in &placed {
            let Some(report) = case.report.images.get(p.index) else {
                continue;
            };
            let over = p
                .response
                .hover_pos()
                .filter(|pos| p.view.contains(*pos))
                .and_then(|pos| screw_at(report, p.image_rect, pos))
                .map(|s| (p.index, s));
            if p.response.clicked() {
                *selected = over;
            }
            hovered = hovered.or(over);
            let painter = ui.painter_at(p.view);
            let calls = reveal.then_some(manifest);
            draw_boxes(
                &painter,
                p.index,
                report,
                p.image_rect,
                calls,
                *selected,
                over,
            );
        }
        self.viewer.keys(ui, &placed);
        self.viewer.overlays(ui, case, &placed);
        hovered
    }
}

/// A screw's box in screen coordinates.
#[expect(clippy::cast_precision_loss, reason = "image sides are far below 2^24")]
fn screen_box(report: &ImageReport, image_rect: Rect, index: usize) -> Rect {
    let b = report.screws[index].box_in_image;
    let scale = image_rect.width() / report.width.max(1) as f32;
    Rect::from_min_max(
        image_rect.min + Vec2::new(b.x0, b.y0) * scale,
        image_rect.min + Vec2::new(b.x1, b.y1) * scale,
    )
}

/// The smallest box under the pointer: overlapping lateral screws stay pickable.
fn screw_at(report: &ImageReport, image_rect: Rect, pointer: Pos2) -> Option<usize> {
    (0..report.screws.len())
        .filter(|&s| screen_box(report, image_rect, s).contains(pointer))
        .min_by(|&a, &b| {
            let area = |s| screen_box(report, image_rect, s).area();
            area(a).total_cmp(&area(b))
        })
}

/// `manifest` is `None` while the calls are hidden: neutral boxes, no captions.
fn draw_boxes(
    painter: &egui::Painter,
    image_index: usize,
    report: &ImageReport,
    image_rect: Rect,
    manifest: Option<&Manifest>,
    selected: Option<ScrewRef>,
    hovered: Option<ScrewRef>,
) {
    for (s, screw) in report.screws.iter().enumerate() {
        let rect = screen_box(report, image_rect, s);
        let colour = manifest.map_or(NEUTRAL, |m| colour_of(m, screw.effective_label()));
        let is_marked = |r: Option<ScrewRef>| r == Some((image_index, s));
        let width = if is_marked(selected) || is_marked(hovered) {
            3.0
        } else {
            1.5
        };
        let uncertain = manifest.is_some() && screw.effective_label() == UNCERTAIN;
        if uncertain {
            // Dashed as well as grey: told apart from a confident call without colour vision.
            dashed_rect(painter, rect, Stroke::new(width, colour));
        } else {
            painter.rect_stroke(rect, 0.0, Stroke::new(width, colour), StrokeKind::Outside);
        }
        if is_marked(selected) {
            painter.rect_stroke(
                rect.expand(3.0),
                0.0,
                Stroke::new(1.0, SELECTED),
                StrokeKind::Outside,
            );
        }
        if manifest.is_none() {
            continue;
        }
        let text = screw.caption();
        let galley = painter.layout_no_wrap(text, FontId::proportional(11.0), colour);
        let plate =
            Align2::LEFT_BOTTOM.anchor_size(rect.left_top() - Vec2::new(0.0, 2.0), galley.size());
        painter.rect_filled(plate.expand(1.0), 2.0, Color32::from_black_alpha(160));
        painter.galley(plate.min, galley, colour);
    }
}

/// A rectangle's outline in dashes.
fn dashed_rect(painter: &egui::Painter, rect: Rect, stroke: Stroke) {
    let corners = [
        rect.left_top(),
        rect.right_top(),
        rect.right_bottom(),
        rect.left_bottom(),
        rect.left_top(),
    ];
    painter.extend(egui::Shape::dashed_line(&corners, stroke, 5.0, 3.0));
}
