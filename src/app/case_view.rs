//! The central panel: a case's images side by side, each screw's box drawn over them in
//! its manufacturer's colour with label and confidence.

use egui::{Align2, Color32, FontId, Pos2, Rect, Sense, Stroke, StrokeKind, TextureHandle, Vec2};

use super::analysis::Case;
use super::palette::{NEUTRAL, SELECTED, colour_of};
use crate::pack::Manifest;
use crate::radiograph::GreyImage;
use crate::report::ImageReport;

/// A screw, by image index and screw index.
pub type ScrewRef = (usize, usize);

/// The textures of the case now shown.
pub struct CaseView {
    textures: Vec<TextureHandle>,
}

impl CaseView {
    /// Uploads the case's images.
    ///
    /// Images larger than the GPU's texture limit are shown downsampled; boxes stay exact,
    /// since they are placed in original-image coordinates.
    pub fn new(ctx: &egui::Context, case: &Case) -> Self {
        let max_side = u32::try_from(ctx.input(|i| i.max_texture_side)).unwrap_or(u32::MAX);
        let textures = case
            .images
            .iter()
            .enumerate()
            .map(|(i, img)| {
                ctx.load_texture(
                    format!("case-image-{i}"),
                    to_colour_image(&img.image, max_side),
                    egui::TextureOptions::LINEAR,
                )
            })
            .collect();
        Self { textures }
    }

    /// Draws the images and boxes; returns the screw the pointer is over, and sets
    /// `selected` on a click. Without `reveal` the boxes are neutral and uncaptioned, so a
    /// resident reads the case blind.
    pub fn ui(
        &self,
        ui: &mut egui::Ui,
        case: &Case,
        manifest: &Manifest,
        selected: &mut Option<ScrewRef>,
        reveal: bool,
    ) -> Option<ScrewRef> {
        let columns = self.textures.len().max(1);
        let full = ui.available_rect_before_wrap();
        #[expect(clippy::cast_precision_loss, reason = "at most a handful of columns")]
        let column_width = full.width() / columns as f32;
        let mut hovered = None;
        for (i, (texture, report)) in self.textures.iter().zip(&case.report.images).enumerate() {
            #[expect(clippy::cast_precision_loss, reason = "at most a handful of columns")]
            let cell = Rect::from_min_size(
                full.min + Vec2::new(column_width * i as f32, 0.0),
                Vec2::new(column_width, full.height()),
            );
            let image_rect = fit(cell.shrink(4.0), report.width, report.height);
            let response = ui.allocate_rect(image_rect, Sense::click());
            ui.painter().image(
                texture.id(),
                image_rect,
                Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
                Color32::WHITE,
            );
            let over = response
                .hover_pos()
                .and_then(|p| screw_at(report, image_rect, p))
                .map(|s| (i, s));
            if response.clicked() {
                *selected = over;
            }
            hovered = hovered.or(over);
            let calls = reveal.then_some(manifest);
            draw_boxes(ui, i, report, image_rect, calls, *selected, over);
        }
        hovered
    }
}

/// The largest rect of the image's aspect that fits in `cell`, centred.
#[expect(clippy::cast_precision_loss, reason = "image sides are far below 2^24")]
fn fit(cell: Rect, width: u32, height: u32) -> Rect {
    let aspect = width.max(1) as f32 / height.max(1) as f32;
    let size = if cell.width() / cell.height() > aspect {
        Vec2::new(cell.height() * aspect, cell.height())
    } else {
        Vec2::new(cell.width(), cell.width() / aspect)
    };
    Rect::from_center_size(cell.center(), size)
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
    ui: &egui::Ui,
    image_index: usize,
    report: &ImageReport,
    image_rect: Rect,
    manifest: Option<&Manifest>,
    selected: Option<ScrewRef>,
    hovered: Option<ScrewRef>,
) {
    let painter = ui.painter_at(image_rect);
    for (s, screw) in report.screws.iter().enumerate() {
        let rect = screen_box(report, image_rect, s);
        let colour = manifest.map_or(NEUTRAL, |m| colour_of(m, screw.effective_label()));
        let is_marked = |r: Option<ScrewRef>| r == Some((image_index, s));
        let width = if is_marked(selected) || is_marked(hovered) {
            3.0
        } else {
            1.5
        };
        painter.rect_stroke(rect, 0.0, Stroke::new(width, colour), StrokeKind::Outside);
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

/// An 8-bit grey texture of the display image, downsampled when too big for the GPU.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "values are clamped to [0, 255]"
)]
fn to_colour_image(image: &GreyImage, max_side: u32) -> egui::ColorImage {
    let (w, h) = image.dimensions();
    let scaled;
    let source = if w.max(h) > max_side {
        let s = f64::from(max_side) / f64::from(w.max(h));
        let (sw, sh) = ((f64::from(w) * s) as u32, (f64::from(h) * s) as u32);
        scaled = image::imageops::resize(
            image,
            sw.max(1),
            sh.max(1),
            image::imageops::FilterType::Triangle,
        );
        &scaled
    } else {
        image
    };
    let grey: Vec<u8> = source
        .as_raw()
        .iter()
        .map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
        .collect();
    egui::ColorImage::from_gray([source.width() as usize, source.height() as usize], &grey)
}
