//! The annotated image: each screw's box in its manufacturer's colour, with label and
//! confidence, drawn over the display image.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use image::{Rgb, RgbImage, imageops};

use super::{ImageReport, ScrewReport};
use crate::classify::UNCERTAIN;
use crate::radiograph::GreyImage;

/// Grey for screws no class claims.
const UNCERTAIN_COLOUR: [u8; 3] = [160, 160, 160];

/// The display image with the image's screws drawn on it; `colour_of` maps a label to its
/// manufacturer's colour.
#[must_use]
pub fn draw_overlay(
    image: &GreyImage,
    report: &ImageReport,
    colour_of: &dyn Fn(&str) -> [u8; 3],
) -> RgbImage {
    draw_overlay_with(image, report, colour_of, &|_, s| s.caption())
}

/// [`draw_overlay`] with each box's caption from `caption(index in image, screw)`; the
/// printed report puts the screw's table number in front.
#[must_use]
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "display values are clamped to [0, 1]; coordinates are clamped to the image"
)]
pub fn draw_overlay_with(
    image: &GreyImage,
    report: &ImageReport,
    colour_of: &dyn Fn(&str) -> [u8; 3],
    caption: &dyn Fn(usize, &ScrewReport) -> String,
) -> RgbImage {
    let (w, h) = image.dimensions();
    let mut out = RgbImage::from_fn(w, h, |x, y| {
        let v = (image.get_pixel(x, y)[0].clamp(0.0, 1.0) * 255.0).round() as u8;
        Rgb([v, v, v])
    });
    // Lines and text scale with the image so they read the same on any detector size.
    let thickness = (w.max(h) / 500).max(2);
    let text_px = (w.max(h) as f32 / 70.0).max(12.0);
    for (i, s) in report.screws.iter().enumerate() {
        let colour = if s.effective_label() == UNCERTAIN {
            UNCERTAIN_COLOUR
        } else {
            colour_of(s.effective_label())
        };
        let b = s.box_in_image.clamped(w, h);
        let (x0, y0, x1, y1) = (b.x0 as u32, b.y0 as u32, b.x1 as u32, b.y1 as u32);
        // Uncertain boxes are dashed as well as grey, so a print in black and white (or a
        // reader without colour vision) still tells them from a confident call.
        let dash = (s.effective_label() == UNCERTAIN).then_some(thickness * 4);
        draw_rect(&mut out, [x0, y0, x1, y1], thickness, Rgb(colour), dash);
        let text = caption(i, s);
        let text_y = y0.saturating_sub(text_px as u32 + thickness);
        draw_label(&mut out, &text, x0, text_y, text_px, Rgb(colour));
    }
    out
}

/// Images placed left to right, each scaled to the height of the tallest.
#[must_use]
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "image sides are small positive numbers"
)]
pub fn side_by_side(images: &[RgbImage]) -> RgbImage {
    let height = images.iter().map(RgbImage::height).max().unwrap_or(1);
    let scaled: Vec<RgbImage> = images
        .iter()
        .map(|img| {
            let width = (img.width() as f32 * height as f32 / img.height() as f32).round() as u32;
            imageops::resize(img, width.max(1), height, imageops::FilterType::Triangle)
        })
        .collect();
    let width = scaled.iter().map(RgbImage::width).sum::<u32>().max(1);
    let mut out = RgbImage::new(width, height);
    let mut x = 0;
    for img in &scaled {
        imageops::replace(&mut out, img, i64::from(x), 0);
        x += img.width();
    }
    out
}

/// An outline `thickness` pixels wide, inside `[x0, y0, x1, y1]`; with `dash`, in dashes
/// and gaps of that many pixels along each edge.
fn draw_rect(
    img: &mut RgbImage,
    [x0, y0, x1, y1]: [u32; 4],
    thickness: u32,
    colour: Rgb<u8>,
    dash: Option<u32>,
) {
    let (w, h) = img.dimensions();
    for y in y0..y1.min(h) {
        for x in x0..x1.min(w) {
            let on_row = y < y0 + thickness || y + thickness >= y1;
            let on_column = x < x0 + thickness || x + thickness >= x1;
            let along = if on_row { x - x0 } else { y - y0 };
            let in_dash = dash.is_none_or(|d| (along / d.max(1)) % 2 == 0);
            if (on_row || on_column) && in_dash {
                img.put_pixel(x, y, colour);
            }
        }
    }
}

/// `text` on a dark plate with its top-left corner at `(left, top)`.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "glyph positions are small and clamped to the image before use"
)]
fn draw_label(img: &mut RgbImage, text: &str, left: u32, top: u32, size_px: f32, colour: Rgb<u8>) {
    let Ok(font) = FontRef::try_from_slice(epaint_default_fonts::HACK_REGULAR) else {
        return;
    };
    let scaled = font.as_scaled(PxScale::from(size_px));
    let text_width: f32 = text
        .chars()
        .map(|c| scaled.h_advance(font.glyph_id(c)))
        .sum();
    let (width, height) = img.dimensions();
    let plate_right = (left + text_width as u32 + 4).min(width);
    let plate_bottom = (top + size_px as u32 + 2).min(height);
    for row in top..plate_bottom {
        for column in left..plate_right {
            img.put_pixel(column, row, Rgb([0, 0, 0]));
        }
    }
    super::glyphs::draw_line(
        img,
        &font,
        size_px,
        [left as f32 + 2.0, top as f32],
        text,
        colour.0,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::PixelBox;
    use crate::view::View;

    fn report_with(label: &str) -> ImageReport {
        ImageReport {
            file: "x".into(),
            width: 200,
            height: 200,
            view: View::Ap,
            view_confidence: 1.0,
            note: None,
            caution: None,
            pixel_spacing_mm: None,
            screws: vec![ScrewReport {
                box_in_image: PixelBox::from([50.0, 80.0, 150.0, 180.0]),
                detection_score: 0.9,
                label: label.into(),
                confidence: 0.9,
                probabilities: std::collections::BTreeMap::new(),
                other_design: None,
                overrule: None,
            }],
        }
    }

    #[test]
    fn box_is_drawn_in_the_class_colour_and_inside_stays_grey() {
        let img = GreyImage::from_pixel(200, 200, image::Luma([0.5]));
        let out = draw_overlay(&img, &report_with("Stryker"), &|_| [31, 119, 180]);
        assert_eq!(out.get_pixel(50, 130), &Rgb([31, 119, 180]));
        assert_eq!(out.get_pixel(100, 130), &Rgb([128, 128, 128]));
    }

    #[test]
    fn uncertain_screws_are_grey_whatever_the_palette() {
        let img = GreyImage::new(200, 200);
        let out = draw_overlay(&img, &report_with(UNCERTAIN), &|_| [255, 0, 0]);
        assert_eq!(out.get_pixel(50, 130), &Rgb(UNCERTAIN_COLOUR));
    }

    #[test]
    fn uncertain_boxes_are_dashed_and_confident_ones_solid() {
        // 200 px image: lines 2 px thick, dashes of 4 x 2 = 8 px. Along the top edge
        // (y = 80), x = 52 lies in the first dash (0..8 from the corner), x = 60 in the
        // first gap (8..16).
        let img = GreyImage::new(200, 200);
        let dashed = draw_overlay(&img, &report_with(UNCERTAIN), &|_| [255, 0, 0]);
        assert_eq!(dashed.get_pixel(52, 80), &Rgb(UNCERTAIN_COLOUR));
        assert_eq!(dashed.get_pixel(60, 80), &Rgb([0, 0, 0]));
        let solid = draw_overlay(&img, &report_with("Stryker"), &|_| [31, 119, 180]);
        assert_eq!(solid.get_pixel(60, 80), &Rgb([31, 119, 180]));
    }

    #[test]
    fn side_by_side_matches_heights() {
        let a = RgbImage::new(100, 200);
        let b = RgbImage::new(50, 100);
        let out = side_by_side(&[a, b]);
        assert_eq!(out.dimensions(), (200, 200));
    }
}
