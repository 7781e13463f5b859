//! The selected screw, large: its crop from the full-resolution image (the pixels the
//! classifier judged, with the same margin) and a bar per class probability in the
//! manufacturer's colour, plus a grey "other design" bar for a pack that has that output.

use egui::{Color32, RichText, TextureHandle, Vec2};

use super::case_view::ScrewRef;
use super::palette::{UNCERTAIN_GREY, colour_of};
use crate::pack::Manifest;
use crate::radiograph::GreyImage;
use crate::report::ScrewReport;

/// The crop's longest side on screen, in points.
const CROP_SIDE: f32 = 220.0;

/// The texture of the selected screw's crop, rebuilt when the selection changes.
#[derive(Default)]
pub struct ScrewDetail {
    shown: Option<(ScrewRef, TextureHandle)>,
}

impl ScrewDetail {
    /// Makes sure the crop of `screw` (of `image`) is the one uploaded.
    pub fn update(
        &mut self,
        ctx: &egui::Context,
        r: ScrewRef,
        image: &GreyImage,
        screw: &ScrewReport,
        margin: f32,
    ) {
        if self.shown.as_ref().is_some_and(|(s, _)| *s == r) {
            return;
        }
        let crop = crop(image, screw, margin);
        let texture = ctx.load_texture("screw-crop", crop, egui::TextureOptions::LINEAR);
        self.shown = Some((r, texture));
    }

    /// Forgets the crop (a new case, or nothing selected).
    pub fn clear(&mut self) {
        self.shown = None;
    }

    /// Draws the crop and the probability bars of the screw shown.
    pub fn ui(&self, ui: &mut egui::Ui, screw: &ScrewReport, manifest: &Manifest) {
        if let Some((_, texture)) = &self.shown {
            let size = texture.size_vec2();
            let scale = CROP_SIDE / size.x.max(size.y).max(1.0);
            ui.image((texture.id(), size * scale));
        }
        for class in &manifest.classes {
            let p = screw.probabilities.get(&class.name).copied().unwrap_or(0.0);
            probability_bar(ui, &class.name, p, colour_of(manifest, &class.name));
        }
        if let Some(p) = screw.other_design {
            probability_bar(ui, OTHER_DESIGN, p, UNCERTAIN_GREY);
        }
    }
}

/// The name of the bar for "a design none of the pack's classes".
pub const OTHER_DESIGN: &str = "other design";

/// One labelled bar of width 150 points, filled to `p` in `colour`.
fn probability_bar(ui: &mut egui::Ui, name: &str, p: f32, colour: Color32) {
    ui.horizontal(|ui| {
        ui.add_sized(
            Vec2::new(90.0, 14.0),
            egui::Label::new(RichText::new(name).color(colour)),
        );
        ui.add(
            egui::ProgressBar::new(p)
                .desired_width(150.0)
                .fill(colour)
                .text(RichText::new(format!("{:.0} %", p * 100.0)).color(Color32::BLACK)),
        );
    });
}

/// The screw's box grown by `margin` of its size on each side, clamped to the image, as
/// an 8-bit texture.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "coordinates are clamped to the image and values to [0, 255]"
)]
fn crop(image: &GreyImage, screw: &ScrewReport, margin: f32) -> egui::ColorImage {
    let (w, h) = image.dimensions();
    let b = screw.box_in_image.grown(margin).clamped(w, h);
    let (x0, y0) = (b.x0.floor() as u32, b.y0.floor() as u32);
    let (x1, y1) = (
        (b.x1.ceil() as u32).clamp(x0 + 1, w.max(1)),
        (b.y1.ceil() as u32).clamp(y0 + 1, h.max(1)),
    );
    let (cw, ch) = (x1.saturating_sub(x0).max(1), y1.saturating_sub(y0).max(1));
    let mut grey = Vec::with_capacity((cw * ch) as usize);
    for y in y0..y0 + ch {
        for x in x0..x0 + cw {
            let v = image.get_pixel_checked(x, y).map_or(0.0, |p| p.0[0]);
            grey.push((v.clamp(0.0, 1.0) * 255.0).round() as u8);
        }
    }
    egui::ColorImage::from_gray([cw as usize, ch as usize], &grey)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::geometry::PixelBox;

    fn screw(other_design: Option<f32>) -> ScrewReport {
        ScrewReport {
            box_in_image: PixelBox {
                x0: 90.0,
                y0: 10.0,
                x1: 100.0,
                y1: 30.0,
            },
            detection_score: 1.0,
            label: String::new(),
            confidence: 1.0,
            probabilities: BTreeMap::new(),
            other_design,
            overrule: None,
        }
    }

    /// Whether the bars of `screw` under the bundled pack include "other design".
    fn shows_other_design(screw: &ScrewReport) -> bool {
        use egui_kittest::kittest::Queryable;
        let path = crate::pack::bundled_pack_dir().join("manifest.json");
        let manifest = Manifest::read(&path).unwrap();
        let detail = ScrewDetail::default();
        let harness = egui_kittest::Harness::new_ui(|ui| detail.ui(ui, screw, &manifest));
        harness.get_by_label("Stryker");
        harness.query_by_label(OTHER_DESIGN).is_some()
    }

    #[test]
    fn an_other_design_bar_only_for_a_pack_that_has_that_output() {
        assert!(shows_other_design(&screw(Some(0.45))));
        assert!(!shows_other_design(&screw(None)));
    }

    #[test]
    fn the_crop_is_the_grown_box_clamped_to_the_image() {
        // A 100 x 50 ramp: value = x / 100, so a crop's first column tells where it starts.
        let image = GreyImage::from_fn(100, 50, |x, _| {
            image::Luma([f32::from(u16::try_from(x).unwrap()) / 100.0])
        });
        let screw = screw(None);
        // Grown by 10 % of 10 x 20 on each side: x 89..101 -> clamped to 89..100, y 8..32.
        let crop = crop(&image, &screw, 0.1);
        assert_eq!(crop.size, [11, 24]);
        // 0.89 * 255 = 226.95.
        assert_eq!(crop.pixels[0].r(), 227);
    }
}
