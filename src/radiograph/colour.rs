//! Owns turning colour samples into one grey (luma) value per pixel: ITU-R BT.601 weights
//! (as Pillow's `convert("L")`, which the Python toolkit uses), for interleaved or planar
//! RGB, and the Y channel of `YBR_FULL`.

/// BT.601 luma weights for R, G, B.
pub const LUMA_601: [f32; 3] = [0.299, 0.587, 0.114];

/// How the three samples of each pixel are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Planes {
    /// `R G B R G B ...` (`PlanarConfiguration` 0, every raster format).
    Interleaved,
    /// `R R ... G G ... B B ...` (`PlanarConfiguration` 1).
    Planar,
}

/// The three samples of pixel `i` out of `n` pixels.
fn pixel(samples: &[f32], n: usize, i: usize, planes: Planes) -> [f32; 3] {
    match planes {
        Planes::Interleaved => [samples[3 * i], samples[3 * i + 1], samples[3 * i + 2]],
        Planes::Planar => [samples[i], samples[n + i], samples[2 * n + i]],
    }
}

/// Luma of `n` RGB pixels (`samples.len() >= 3 n`), in the samples' own units.
#[must_use]
pub fn rgb_luma(samples: &[f32], n: usize, planes: Planes) -> Vec<f32> {
    (0..n)
        .map(|i| {
            let [r, g, b] = pixel(samples, n, i, planes);
            LUMA_601[0] * r + LUMA_601[1] * g + LUMA_601[2] * b
        })
        .collect()
}

/// The Y (luma) channel of `n` `YBR_FULL` pixels.
#[must_use]
pub fn ybr_luma(samples: &[f32], n: usize, planes: Planes) -> Vec<f32> {
    (0..n).map(|i| pixel(samples, n, i, planes)[0]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pure_colours_give_their_weights() {
        let rgb = [
            255.0, 0.0, 0.0, 0.0, 255.0, 0.0, 0.0, 0.0, 255.0, 255.0, 255.0, 255.0,
        ];
        let y = rgb_luma(&rgb, 4, Planes::Interleaved);
        assert!((y[0] - 76.245).abs() < 1e-3);
        assert!((y[1] - 149.685).abs() < 1e-3);
        assert!((y[2] - 29.07).abs() < 1e-3);
        assert!((y[3] - 255.0).abs() < 1e-3);
    }

    #[test]
    fn planar_reads_the_same_pixels() {
        let interleaved = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0];
        let planar = [10.0, 40.0, 20.0, 50.0, 30.0, 60.0];
        assert_eq!(
            rgb_luma(&interleaved, 2, Planes::Interleaved),
            rgb_luma(&planar, 2, Planes::Planar)
        );
        assert_eq!(ybr_luma(&planar, 2, Planes::Planar), vec![10.0, 40.0]);
    }
}
