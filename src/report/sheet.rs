//! The report as one page-like PNG: A4 proportions at 150 dpi (1240 × 1754 pixels), taller
//! only when the content does not fit on one A4 page.

use image::{Rgb, RgbImage, imageops};

use super::content::{INK, blocks};
use super::input::ReportInput;
use super::layout::{A4, Item, content_bottom, footer_y, lay_out_on_a4};
use super::sheet_pen::Pen;

/// 150 dpi: small print stays readable on screen and on paper.
pub const PIXELS_PER_POINT: f32 = 150.0 / 72.0;

/// The report drawn on a white page.
#[must_use]
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "page sizes are small positive numbers"
)]
pub fn render_sheet(input: &ReportInput) -> RgbImage {
    let pen = Pen::new(PIXELS_PER_POINT);
    let measure = |text: &str, size: f32, bold: bool| pen.width(text, size, bold);
    let layout = lay_out_on_a4(&blocks(input), &measure, input.views_aspect(), false);
    // A4, or taller by what overflows, with the bottom margin kept for the footer.
    let height_pt = A4[1].max(layout.end + (A4[1] - content_bottom()));
    let px = |pt: f32| (pt * PIXELS_PER_POINT).round() as u32;
    let mut page = RgbImage::from_pixel(px(A4[0]), px(height_pt), Rgb([255, 255, 255]));
    for item in layout.pages.iter().flatten() {
        paint(&mut page, &pen, input, item);
    }
    let footer = format!("ScrewID report, exported {}", input.date);
    pen.text(
        &mut page,
        &footer,
        [42.0, footer_y(height_pt)],
        (7.0, false),
        INK,
    );
    page
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "page coordinates are small positive numbers"
)]
fn paint(page: &mut RgbImage, pen: &Pen, input: &ReportInput, item: &Item) {
    let px = |pt: f32| (pt * PIXELS_PER_POINT).round() as u32;
    match item {
        Item::Text {
            x,
            y,
            size,
            bold,
            colour,
            text,
        } => pen.text(page, text, [*x, *y], (*size, *bold), *colour),
        Item::Row {
            y,
            size,
            bold,
            colour,
            cells,
        } => {
            for (x, text) in cells {
                pen.text(page, text, [*x, *y], (*size, *bold), *colour);
            }
        }
        Item::Rule { x, y, width } => {
            let row = px(*y).min(page.height().saturating_sub(1));
            for column in px(*x)..px(x + width).min(page.width()) {
                page.put_pixel(column, row, Rgb([128, 128, 128]));
            }
        }
        Item::Views { x, y, width, .. } => {
            let views = input.views(px(*width).max(1));
            imageops::replace(page, &views, i64::from(px(*x)), i64::from(px(*y)));
        }
    }
}
