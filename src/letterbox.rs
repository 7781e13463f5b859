//! Fits an image into a model's fixed input without distorting it, and maps points back.
//!
//! The rule is shared with the training toolkit (`docs/contracts.md`): scale by
//! `s = min(Wi / W, Hi / H)`, resize with a triangle filter to `round(W s) × round(H s)`,
//! centre it with integer offsets, pad with 0. Both sides must agree to the pixel, or the
//! detector's boxes come back shifted.

use image::imageops::{self, FilterType};
use ndarray::Array4;

use crate::geometry::PixelBox;
use crate::radiograph::GreyImage;

/// How one source image sits inside a model input.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Letterbox {
    pub scale: f32,
    pub offset_x: u32,
    pub offset_y: u32,
    pub resized_width: u32,
    pub resized_height: u32,
    pub input_width: u32,
    pub input_height: u32,
}

impl Letterbox {
    /// The fit of a `source_width × source_height` image into `input_width × input_height`.
    #[must_use]
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "sides are positive and far below 2^24"
    )]
    pub fn fit(source_width: u32, source_height: u32, input_width: u32, input_height: u32) -> Self {
        let scale = (input_width as f32 / source_width.max(1) as f32)
            .min(input_height as f32 / source_height.max(1) as f32);
        let resized_width = ((source_width as f32 * scale).round() as u32).clamp(1, input_width);
        let resized_height = ((source_height as f32 * scale).round() as u32).clamp(1, input_height);
        Self {
            scale,
            offset_x: (input_width - resized_width) / 2,
            offset_y: (input_height - resized_height) / 2,
            resized_width,
            resized_height,
            input_width,
            input_height,
        }
    }

    /// The source image resized and padded into the model input.
    #[must_use]
    pub fn apply(&self, source: &GreyImage) -> GreyImage {
        let resized = imageops::resize(
            source,
            self.resized_width,
            self.resized_height,
            FilterType::Triangle,
        );
        let mut input = GreyImage::new(self.input_width, self.input_height);
        imageops::replace(
            &mut input,
            &resized,
            i64::from(self.offset_x),
            i64::from(self.offset_y),
        );
        input
    }

    /// A box in model-input pixels, in source pixels.
    #[must_use]
    #[expect(clippy::cast_precision_loss, reason = "offsets are far below 2^24")]
    pub fn box_to_source(&self, b: &PixelBox) -> PixelBox {
        let (ox, oy) = (self.offset_x as f32, self.offset_y as f32);
        PixelBox {
            x0: (b.x0 - ox) / self.scale,
            y0: (b.y0 - oy) / self.scale,
            x1: (b.x1 - ox) / self.scale,
            y1: (b.y1 - oy) / self.scale,
        }
    }
}

/// A grey image as the `[1, 1, H, W]` tensor the models take, normalised as
/// `(x - mean) / std`.
#[must_use]
pub fn to_tensor(image: &GreyImage, mean: f32, std: f32) -> Array4<f32> {
    let (w, h) = image.dimensions();
    let raw = image.as_raw();
    Array4::from_shape_fn((1, 1, h as usize, w as usize), |(_, _, y, x)| {
        (raw[y * w as usize + x] - mean) / std
    })
}

#[cfg(test)]
#[expect(clippy::float_cmp, reason = "padding and normalised values are exact")]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn wide_image_is_centred_vertically() {
        // 2000 × 1000 into 512²: s = 0.256, resized 512 × 256, offset (0, 128).
        let lb = Letterbox::fit(2000, 1000, 512, 512);
        assert!((lb.scale - 0.256).abs() < 1e-6);
        assert_eq!((lb.resized_width, lb.resized_height), (512, 256));
        assert_eq!((lb.offset_x, lb.offset_y), (0, 128));
    }

    #[test]
    fn boxes_map_back_through_offset_and_scale() {
        let lb = Letterbox::fit(2000, 1000, 512, 512);
        // Input pixel (256, 128 + 64) is source (1000, 250).
        let b = lb.box_to_source(&PixelBox::from([256.0, 192.0, 256.0, 192.0]));
        assert!((b.x0 - 1000.0).abs() < 1e-3 && (b.y0 - 250.0).abs() < 1e-3);
    }

    #[test]
    fn padding_is_zero_and_content_keeps_its_value() {
        let source = GreyImage::from_pixel(100, 50, Luma([0.8]));
        let lb = Letterbox::fit(100, 50, 64, 64);
        let input = lb.apply(&source);
        assert_eq!(input.get_pixel(0, 0)[0], 0.0);
        assert!((input.get_pixel(32, 32)[0] - 0.8).abs() < 1e-5);
    }

    #[test]
    fn tensor_is_normalised_in_nchw_order() {
        let mut img = GreyImage::new(3, 2);
        img.put_pixel(2, 1, Luma([1.0]));
        let t = to_tensor(&img, 0.5, 0.25);
        assert_eq!(t.shape(), &[1, 1, 2, 3]);
        assert_eq!(t[[0, 0, 1, 2]], 2.0);
        assert_eq!(t[[0, 0, 0, 0]], -2.0);
    }
}
