//! Turns the detector's centre heatmap and box regressions into candidate boxes.

use ndarray::{ArrayD, ArrayView2, Axis, Ix4};

use crate::geometry::PixelBox;

/// A box in model-input pixels before duplicate suppression.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    pub box_in_input: PixelBox,
    pub score: f32,
}

/// Decodes a `[1, 5, H, W]` output: channel 0 is the centre probability, 1–2 the sub-cell
/// centre offset, 3–4 `ln(size / stride)`.
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
    let shape = output.shape();
    let wrong_shape = || format!("detector output has shape {shape:?}, expected [1, 5, H, W]");
    let output = output
        .view()
        .into_dimensionality::<Ix4>()
        .map_err(|_| wrong_shape())?;
    if shape[0] != 1 || shape[1] != 5 {
        return Err(wrong_shape());
    }
    let maps = output.index_axis(Axis(0), 0);
    let channel = |c: usize| maps.index_axis(Axis(0), c);
    let heat = channel(0);
    let (dx, dy, lw, lh) = (channel(1), channel(2), channel(3), channel(4));
    #[expect(
        clippy::cast_precision_loss,
        reason = "strides and cell indices are small"
    )]
    let s = stride as f32;
    let mut found = Vec::new();
    for ((j, i), &score) in heat.indexed_iter() {
        if score < threshold || !is_local_max(&heat, j, i) {
            continue;
        }
        #[expect(clippy::cast_precision_loss, reason = "cell indices are small")]
        let (cx, cy) = ((i as f32 + dx[[j, i]]) * s, (j as f32 + dy[[j, i]]) * s);
        let (bw, bh) = (lw[[j, i]].exp() * s, lh[[j, i]].exp() * s);
        found.push(Candidate {
            box_in_input: PixelBox::from_centre(cx, cy, bw, bh),
            score,
        });
    }
    Ok(found)
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
}
