//! Axis-aligned boxes in image pixels (x right, y down) and the overlap measure NMS uses.

use serde::{Deserialize, Serialize};

/// A box in pixels of some image; `x0 <= x1`, `y0 <= y1`.
///
/// Serialised as `[x0, y0, x1, y1]`, the form the report schema promises.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "[f32; 4]", into = "[f32; 4]")]
pub struct PixelBox {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl From<[f32; 4]> for PixelBox {
    fn from([x0, y0, x1, y1]: [f32; 4]) -> Self {
        Self { x0, y0, x1, y1 }
    }
}

impl From<PixelBox> for [f32; 4] {
    fn from(b: PixelBox) -> Self {
        [b.x0, b.y0, b.x1, b.y1]
    }
}

impl PixelBox {
    /// A box from its centre and size.
    #[must_use]
    pub fn from_centre(cx: f32, cy: f32, width: f32, height: f32) -> Self {
        Self {
            x0: cx - width / 2.0,
            y0: cy - height / 2.0,
            x1: cx + width / 2.0,
            y1: cy + height / 2.0,
        }
    }

    #[must_use]
    pub fn width(&self) -> f32 {
        (self.x1 - self.x0).max(0.0)
    }

    #[must_use]
    pub fn height(&self) -> f32 {
        (self.y1 - self.y0).max(0.0)
    }

    #[must_use]
    pub fn area(&self) -> f32 {
        self.width() * self.height()
    }

    #[must_use]
    pub fn centre(&self) -> (f32, f32) {
        (
            f32::midpoint(self.x0, self.x1),
            f32::midpoint(self.y0, self.y1),
        )
    }

    /// Intersection over union; 0 when either box is empty.
    #[must_use]
    pub fn iou(&self, other: &Self) -> f32 {
        let inter = Self {
            x0: self.x0.max(other.x0),
            y0: self.y0.max(other.y0),
            x1: self.x1.min(other.x1),
            y1: self.y1.min(other.y1),
        }
        .area();
        let union = self.area() + other.area() - inter;
        if union <= 0.0 { 0.0 } else { inter / union }
    }

    /// The box grown by `fraction` of its own width and height on every side.
    #[must_use]
    pub fn grown(&self, fraction: f32) -> Self {
        let dx = self.width() * fraction;
        let dy = self.height() * fraction;
        Self {
            x0: self.x0 - dx,
            y0: self.y0 - dy,
            x1: self.x1 + dx,
            y1: self.y1 + dy,
        }
    }

    /// The part of the box inside an image of `width × height` pixels.
    #[must_use]
    pub fn clamped(&self, width: u32, height: u32) -> Self {
        #[expect(clippy::cast_precision_loss, reason = "image sides are far below 2^24")]
        let (w, h) = (width as f32, height as f32);
        Self {
            x0: self.x0.clamp(0.0, w),
            y0: self.y0.clamp(0.0, h),
            x1: self.x1.clamp(0.0, w),
            y1: self.y1.clamp(0.0, h),
        }
    }
}

#[cfg(test)]
#[expect(clippy::float_cmp, reason = "the expected values are exact in binary")]
mod tests {
    use super::*;

    #[test]
    fn iou_of_half_overlapping_squares_is_one_third() {
        // Two 2 × 2 squares sharing a 1 × 2 strip: 2 / (4 + 4 - 2).
        let a = PixelBox::from([0.0, 0.0, 2.0, 2.0]);
        let b = PixelBox::from([1.0, 0.0, 3.0, 2.0]);
        assert!((a.iou(&b) - 1.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn disjoint_and_empty_boxes_do_not_overlap() {
        let a = PixelBox::from([0.0, 0.0, 1.0, 1.0]);
        let b = PixelBox::from([5.0, 5.0, 6.0, 6.0]);
        let empty = PixelBox::from([3.0, 3.0, 3.0, 3.0]);
        assert_eq!(a.iou(&b), 0.0);
        assert_eq!(empty.iou(&empty), 0.0);
    }

    #[test]
    fn grown_then_clamped_stays_inside_the_image() {
        let b = PixelBox::from([0.0, 10.0, 20.0, 50.0]).grown(0.5);
        assert_eq!(<[f32; 4]>::from(b), [-10.0, -10.0, 30.0, 70.0]);
        assert_eq!(<[f32; 4]>::from(b.clamped(25, 60)), [0.0, 0.0, 25.0, 60.0]);
    }

    #[test]
    fn serialises_as_four_numbers() {
        let json = serde_json::to_string(&PixelBox::from([1.0, 2.0, 3.0, 4.0])).unwrap();
        assert_eq!(json, "[1.0,2.0,3.0,4.0]");
    }
}
