//! Drawing a line of text into an RGB image with `ab_glyph`: one glyph rasteriser shared by
//! the overlay's captions and the PNG report page.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::{Rgb, RgbImage};

/// Draws `text` in `font` at `px` pixels, the line box's top-left corner at `(left, top)`,
/// blending each glyph's coverage into the image; pixels outside the image are skipped.
#[expect(
    clippy::cast_possible_truncation,
    reason = "glyph positions are small and checked against the image before use"
)]
pub fn draw_line(
    img: &mut RgbImage,
    font: &FontRef<'_>,
    px: f32,
    [left, top]: [f32; 2],
    text: &str,
    colour: [u8; 3],
) {
    let scaled = font.as_scaled(PxScale::from(px));
    let (width, height) = img.dimensions();
    let mut caret = left;
    for c in text.chars() {
        let id = font.glyph_id(c);
        let glyph = id.with_scale_and_position(px, point(caret, top + scaled.ascent()));
        caret += scaled.h_advance(id);
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            let column = bounds.min.x as i64 + i64::from(gx);
            let row = bounds.min.y as i64 + i64::from(gy);
            if let (Ok(column), Ok(row)) = (u32::try_from(column), u32::try_from(row))
                && column < width
                && row < height
            {
                blend(img.get_pixel_mut(column, row), colour, coverage);
            }
        });
    }
}

/// Mixes `colour` into `pixel` by `coverage` (0 = untouched, 1 = replaced).
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the mix stays in [0, 255]"
)]
fn blend(pixel: &mut Rgb<u8>, colour: [u8; 3], coverage: f32) {
    let coverage = coverage.clamp(0.0, 1.0);
    for k in 0..3 {
        let mixed = f32::from(pixel[k]) * (1.0 - coverage) + f32::from(colour[k]) * coverage;
        pixel[k] = mixed.round() as u8;
    }
}
