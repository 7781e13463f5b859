//! Turns the detector's centre heatmap and box regressions into candidate boxes.
//!
//! Two output shapes are read: `[1, 5, H, W]` (one screw per peak) and `[1, 10, H, W]`,
//! whose channels 5–9 describe a second screw under the same peak (`docs/contracts.md`).

use ndarray::{ArrayD, ArrayView2, ArrayView3, Axis, Ix4};

use super::Partner;
use crate::geometry::PixelBox;

/// A box in model-input pixels before duplicate suppression.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    pub box_in_input: PixelBox,
    pub score: f32,
    /// The second screw the detector sees under this peak, from a 10-channel output.
    pub partner: Option<Partner>,
}

/// Decodes a `[1, 5, H, W]` or `[1, 10, H, W]` output: channel 0 is the centre
/// probability, 1–2 the sub-cell centre offset, 3–4 `ln(size / stride)`; channels 5–9, when
/// present, the second screw of the peak (see [`Partner`]).
///
/// A cell counts when its score reaches `threshold` and no neighbour in its 3 × 3 window
/// beats it; this keeps one candidate per peak without a second model pass.
///
/// # Errors
/// An output of another shape, as a reason.
pub fn decode_heatmap(
    output: &ArrayD<f32>,
    stride: u32,
    threshold: f32,
) -> Result<Vec<Candidate>, String> {
    let maps = checked_maps(output)?;
    let heat = maps.index_axis(Axis(0), 0);
    #[expect(clippy::cast_precision_loss, reason = "strides are small")]
    let s = stride as f32;
    let mut found = Vec::new();
    for ((j, i), &score) in heat.indexed_iter() {
        if score < threshold || !is_local_max(&heat, j, i) {
            continue;
        }
        found.push(Candidate {
            box_in_input: cell_box(&maps, 1, j, i, s),
            score,
            partner: (maps.dim().0 == 10).then(|| Partner {
                box_in_input: cell_box(&maps, 6, j, i, s),
                probability: maps[[5, j, i]],
            }),
        });
    }
    Ok(found)
}

/// The `[C, H, W]` maps of an output of one of the two shapes the contract allows.
fn checked_maps(output: &ArrayD<f32>) -> Result<ArrayView3<'_, f32>, String> {
    let shape = output.shape();
    let wrong_shape =
        || format!("detector output has shape {shape:?}, expected [1, 5, H, W] or [1, 10, H, W]");
    let output = output
        .view()
        .into_dimensionality::<Ix4>()
        .map_err(|_| wrong_shape())?;
    if shape[0] != 1 || !matches!(shape[1], 5 | 10) {
        return Err(wrong_shape());
    }
    Ok(output.index_axis_move(Axis(0), 0))
}

/// The box whose centre offset (x, y) and `ln(size / stride)` (w, h) sit in the four
/// channels from `first` at cell (`j`, `i`), in input pixels.
fn cell_box(maps: &ArrayView3<'_, f32>, first: usize, j: usize, i: usize, s: f32) -> PixelBox {
    let at = |c: usize| maps[[first + c, j, i]];
    #[expect(clippy::cast_precision_loss, reason = "cell indices are small")]
    let (cx, cy) = ((i as f32 + at(0)) * s, (j as f32 + at(1)) * s);
    PixelBox::from_centre(cx, cy, at(2).exp() * s, at(3).exp() * s)
}

/// Whether `heat[j, i]` is the maximum of its 3 × 3 neighbourhood (ties keep the first).
fn is_local_max(heat: &ArrayView2<'_, f32>, j: usize, i: usize) -> bool {
    let (rows, cols) = heat.dim();
    let v = heat[[j, i]];
    for nj in j.saturating_sub(1)..=(j + 1).min(rows - 1) {
        for ni in i.saturating_sub(1)..=(i + 1).min(cols - 1) {
            let n = heat[[nj, ni]];
            let earlier = (nj, ni) < (j, i);
            if n > v || (earlier && n >= v) {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array4;

    /// An output with one peak of 0.9 at cell (row 2, col 3), offset (0.5, 0.25) and a box
    /// of 8 × 16 cells.
    fn one_peak() -> ArrayD<f32> {
        let mut out = Array4::<f32>::zeros((1, 5, 6, 8));
        out[[0, 0, 2, 3]] = 0.9;
        out[[0, 0, 2, 4]] = 0.5; // a shoulder of the same peak, not a second screw
        out[[0, 1, 2, 3]] = 0.5;
        out[[0, 2, 2, 3]] = 0.25;
        out[[0, 3, 2, 3]] = 8f32.ln();
        out[[0, 4, 2, 3]] = 16f32.ln();
        out.into_dyn()
    }

    #[test]
    fn one_peak_gives_one_box_in_input_pixels() {
        let found = decode_heatmap(&one_peak(), 4, 0.3).unwrap();
        assert_eq!(found.len(), 1);
        let b = found[0].box_in_input;
        // Centre ((3 + 0.5) * 4, (2 + 0.25) * 4) = (14, 9); size 32 × 64.
        assert_eq!(b.centre(), (14.0, 9.0));
        assert!((b.width() - 32.0).abs() < 1e-4 && (b.height() - 64.0).abs() < 1e-4);
    }

    #[test]
    fn below_threshold_finds_nothing() {
        assert!(decode_heatmap(&one_peak(), 4, 0.95).unwrap().is_empty());
    }

    #[test]
    fn wrong_shape_is_an_error() {
        let out = ndarray::Array2::<f32>::zeros((3, 3)).into_dyn();
        assert!(decode_heatmap(&out, 4, 0.3).is_err());
    }

    #[test]
    fn five_channels_have_no_partner() {
        assert_eq!(
            decode_heatmap(&one_peak(), 4, 0.3).unwrap()[0].partner,
            None
        );
    }

    #[test]
    fn ten_channels_give_the_partner_box_relative_to_the_cell() {
        let mut out = Array4::<f32>::zeros((1, 10, 6, 8));
        out.slice_mut(ndarray::s![.., ..5, .., ..])
            .assign(&one_peak().into_dimensionality::<ndarray::Ix4>().unwrap());
        out[[0, 5, 2, 3]] = 0.8;
        out[[0, 6, 2, 3]] = -0.5;
        out[[0, 7, 2, 3]] = 1.0;
        out[[0, 8, 2, 3]] = 4f32.ln();
        out[[0, 9, 2, 3]] = 2f32.ln();
        let found = decode_heatmap(&out.into_dyn(), 4, 0.3).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].box_in_input.centre(), (14.0, 9.0));
        let partner = found[0].partner.unwrap();
        assert!((partner.probability - 0.8).abs() < 1e-6);
        // Centre ((3 - 0.5) * 4, (2 + 1) * 4) = (10, 12); size 16 × 8.
        let b = partner.box_in_input;
        assert_eq!(b.centre(), (10.0, 12.0));
        assert!((b.width() - 16.0).abs() < 1e-4 && (b.height() - 8.0).abs() < 1e-4);
    }

    #[test]
    fn seven_channels_are_an_error() {
        let out = Array4::<f32>::zeros((1, 7, 6, 8)).into_dyn();
        let reason = decode_heatmap(&out, 4, 0.3).unwrap_err();
        assert!(reason.contains("[1, 7, 6, 8]"), "{reason}");
    }
}
