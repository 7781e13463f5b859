//! The scale channel of a screw classifier: how many millimetres one crop pixel spans,
//! from the file's pixel spacing (or the manifest's assumed field of view), as a constant
//! second input plane (`docs/contracts.md`).

use ndarray::Array4;

use crate::pack::{DEFAULT_ASSUMED_LONG_SIDE_MM, ModelSpec};

/// Millimetres per image pixel for the scale channel: the file's column spacing, else the
/// manifest's assumed field of view over the image's long side.
#[must_use]
#[expect(
    clippy::cast_possible_truncation,
    reason = "a pixel spacing is a fraction of a millimetre"
)]
pub fn image_spacing(spec: &ModelSpec, (w, h): (u32, u32), spacing_mm: Option<[f64; 2]>) -> f32 {
    if let Some([_, column]) = spacing_mm {
        return column as f32;
    }
    let field = spec
        .assumed_long_side_mm
        .unwrap_or(DEFAULT_ASSUMED_LONG_SIDE_MM);
    #[expect(clippy::cast_precision_loss, reason = "image sides are far below 2^24")]
    let side = w.max(h).max(1) as f32;
    field / side
}

/// The normalised crop `[1, 1, H, W]` with a second plane, constant at `log2(mm_per_pixel)`.
#[must_use]
pub fn with_scale_plane(tensor: &Array4<f32>, mm_per_pixel: f32) -> Array4<f32> {
    let (_, _, h, w) = tensor.dim();
    let plane = mm_per_pixel.log2();
    Array4::from_shape_fn((1, 2, h, w), |(_, c, y, x)| {
        if c == 0 { tensor[[0, 0, y, x]] } else { plane }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scaled_spec() -> ModelSpec {
        ModelSpec {
            file: "classifier_ap.onnx".to_owned(),
            input: [128, 128],
            mean: 0.5,
            std: 0.25,
            outputs: Vec::new(),
            stride: None,
            temperature: Some(1.0),
            crop_margin: Some(0.15),
            scale_channel: Some(crate::pack::ScaleChannel::Log2MmPerPixel),
            assumed_long_side_mm: Some(400.0),
            average_hflip: false,
        }
    }

    #[test]
    fn spacing_is_the_files_column_spacing_else_the_assumed_field() {
        let spec = scaled_spec();
        assert!((image_spacing(&spec, (2000, 2500), Some([0.2, 0.15])) - 0.15).abs() < 1e-7);
        // No spacing: 400 mm over the 2500-pixel long side.
        assert!((image_spacing(&spec, (2000, 2500), None) - 0.16).abs() < 1e-7);
    }

    #[test]
    fn scale_plane_is_log2_of_the_millimetres_per_crop_pixel() {
        use ndarray::Axis;

        let t = Array4::from_elem((1, 1, 4, 4), 0.7);
        let x = with_scale_plane(&t, 0.25);
        assert_eq!(x.shape(), &[1, 2, 4, 4]);
        assert!(
            x.index_axis(Axis(1), 0)
                .iter()
                .all(|&v| (v - 0.7).abs() < 1e-7)
        );
        assert!(
            x.index_axis(Axis(1), 1)
                .iter()
                .all(|&v| (v + 2.0).abs() < 1e-7)
        );
    }
}
