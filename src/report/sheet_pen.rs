//! Text on the PNG page: the bundled Ubuntu font through `ab_glyph`, measured and drawn in
//! page pixels. The font has no bold face; bold is drawn twice, a pixel apart.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use image::RgbImage;

/// Draws and measures text for one page scale (pixels per point).
pub struct Pen {
    font: Option<FontRef<'static>>,
    scale: f32,
}

impl Pen {
    #[must_use]
    pub fn new(pixels_per_point: f32) -> Self {
        Self {
            font: FontRef::try_from_slice(epaint_default_fonts::UBUNTU_LIGHT).ok(),
            scale: pixels_per_point,
        }
    }

    /// The width of `text` in points at `size` points.
    #[must_use]
    pub fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let Some(font) = &self.font else {
            return 0.0;
        };
        let scaled = font.as_scaled(PxScale::from(size * self.scale));
        let px: f32 = text
            .chars()
            .map(|c| scaled.h_advance(font.glyph_id(c)))
            .sum();
        let extra = if bold { 1.0 } else { 0.0 };
        (px + extra) / self.scale
    }

    /// Draws `text` with its line box's top-left corner at `(x, y)` points.
    pub fn text(
        &self,
        img: &mut RgbImage,
        text: &str,
        [x, y]: [f32; 2],
        (size, bold): (f32, bool),
        colour: [u8; 3],
    ) {
        let passes: &[f32] = if bold { &[0.0, 1.0] } else { &[0.0] };
        for dx in passes {
            self.draw_once(
                img,
                text,
                [x * self.scale + dx, y * self.scale],
                size,
                colour,
            );
        }
    }

    fn draw_once(
        &self,
        img: &mut RgbImage,
        text: &str,
        [left, top]: [f32; 2],
        size: f32,
        colour: [u8; 3],
    ) {
        let Some(font) = &self.font else {
            return;
        };
        super::glyphs::draw_line(img, font, size * self.scale, [left, top], text, colour);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_measured_in_points_whatever_the_pixel_scale() {
        let (coarse, fine) = (Pen::new(1.0), Pen::new(3.0));
        let a = coarse.width("Stryker 93 %", 10.0, false);
        let b = fine.width("Stryker 93 %", 10.0, false);
        assert!(a > 20.0 && (a - b).abs() < 0.5, "{a} vs {b}");
    }

    #[test]
    fn drawn_text_darkens_the_page_in_its_box() {
        let mut img = RgbImage::from_pixel(200, 40, image::Rgb([255, 255, 255]));
        Pen::new(2.0).text(&mut img, "Verdict", [2.0, 2.0], (10.0, false), [0, 0, 0]);
        let dark = img.pixels().filter(|p| p[0] < 128).count();
        assert!(dark > 50, "{dark} dark pixels");
        // Nothing right of the word: 7 letters at 10 pt stay well inside 60 points.
        assert!(
            img.enumerate_pixels()
                .all(|(x, _, p)| x < 130 || p[0] == 255)
        );
    }
}
