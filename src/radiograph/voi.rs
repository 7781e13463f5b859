//! Owns the display mapping of grey values: the DICOM VOI window functions (LINEAR,
//! `LINEAR_EXACT`, SIGMOID), the 0.5 %–99.5 % percentile window used when a file has none,
//! and the MONOCHROME1 inversion.

use super::info::{VoiFunction, Window, WindowSource};

/// Lower and upper percentiles of the fallback window.
pub const PERCENTILES: (f64, f64) = (0.005, 0.995);

/// DICOM PS3.3 C.11.2.1.2.1 LINEAR function onto [0, 1]:
/// `x <= c - 0.5 - (w - 1) / 2` → 0, `x > c - 0.5 + (w - 1) / 2` → 1, else
/// `((x - (c - 0.5)) / (w - 1) + 0.5)`. `width` must be ≥ 1 (width 1 is a threshold).
#[must_use]
pub fn linear(x: f64, center: f64, width: f64) -> f64 {
    let half = (width - 1.0) / 2.0;
    let shifted = x - (center - 0.5);
    if shifted <= -half {
        0.0
    } else if shifted > half {
        1.0
    } else {
        (shifted / (width - 1.0) + 0.5).clamp(0.0, 1.0)
    }
}

/// DICOM PS3.3 C.11.2.1.3.2 `LINEAR_EXACT` onto [0, 1]: `x <= c - w / 2` → 0,
/// `x > c + w / 2` → 1, else `(x - c) / w + 0.5`. `width` must be > 0.
#[must_use]
pub fn linear_exact(x: f64, center: f64, width: f64) -> f64 {
    if x <= center - width / 2.0 {
        0.0
    } else if x > center + width / 2.0 {
        1.0
    } else {
        ((x - center) / width + 0.5).clamp(0.0, 1.0)
    }
}

/// DICOM PS3.3 C.11.2.1.3.1 SIGMOID onto [0, 1]: `1 / (1 + exp(-4 (x - c) / w))`.
/// `width` must be > 0.
#[must_use]
pub fn sigmoid(x: f64, center: f64, width: f64) -> f64 {
    1.0 / (1.0 + (-4.0 * (x - center) / width).exp())
}

/// One value through a window's function.
#[must_use]
pub fn apply(x: f64, window: &Window) -> f64 {
    match window.function {
        VoiFunction::Linear => linear(x, window.center, window.width),
        VoiFunction::LinearExact => linear_exact(x, window.center, window.width),
        VoiFunction::Sigmoid => sigmoid(x, window.center, window.width),
    }
}

/// The function named by a `VOILUTFunction` value; `None` for an unknown name.
#[must_use]
pub fn function(name: &str) -> Option<VoiFunction> {
    match name.trim().to_ascii_uppercase().as_str() {
        "LINEAR" => Some(VoiFunction::Linear),
        "LINEAR_EXACT" => Some(VoiFunction::LinearExact),
        "SIGMOID" => Some(VoiFunction::Sigmoid),
        _ => None,
    }
}

/// Whether a file's window can be applied with `function`: finite, width ≥ 1 for LINEAR
/// (width 1 is a threshold), width > 0 for `LINEAR_EXACT` and SIGMOID.
#[must_use]
pub fn usable_with(center: f64, width: f64, function: VoiFunction) -> bool {
    let min_ok = match function {
        VoiFunction::Linear => width >= 1.0,
        VoiFunction::LinearExact | VoiFunction::Sigmoid => width > 0.0,
    };
    center.is_finite() && width.is_finite() && min_ok
}

/// Whether the window's ramp lies wholly below or above every finite value, so that it
/// would show one flat colour (a stored window that does not fit the stored pixels).
#[must_use]
pub fn misses(values: &[f32], center: f64, width: f64) -> bool {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if lo > hi {
        return false;
    }
    let half = (width - 1.0) / 2.0;
    let ramp = (center - 0.5 - half, center - 0.5 + half);
    ramp.1 < f64::from(lo) || ramp.0 > f64::from(hi)
}

/// Apply the window to every value, in place.
pub fn apply_window(values: &mut [f32], window: &Window) {
    for v in values.iter_mut() {
        #[allow(clippy::cast_possible_truncation)] // result is in [0, 1]
        let y = apply(f64::from(*v), window) as f32;
        *v = y;
    }
}

/// `1 - v` for every value, so that 1 stays white (MONOCHROME1, Presentation LUT INVERSE).
pub fn invert(values: &mut [f32]) {
    for v in values.iter_mut() {
        *v = 1.0 - *v;
    }
}

/// The window whose LINEAR ramp runs from the 0.5 % to the 99.5 % percentile of `values`
/// (percentiles interpolated linearly between order statistics, as numpy's default):
/// `w = hi - lo + 1`, `c = (lo + hi) / 2 + 0.5`, so `lo` maps to 0 and `hi` to 1. `None`
/// when there is no finite value.
#[must_use]
pub fn percentile_window(values: &[f32]) -> Option<Window> {
    let mut finite: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return None;
    }
    let lo = percentile(&mut finite, PERCENTILES.0);
    let hi = percentile(&mut finite, PERCENTILES.1);
    Some(Window {
        center: f64::midpoint(lo, hi) + 0.5,
        width: hi - lo + 1.0,
        source: WindowSource::Percentile,
        function: VoiFunction::Linear,
    })
}

/// The `p` quantile (0..=1) of a non-empty slice, reordering it; linear interpolation
/// between the two nearest order statistics at rank `p * (n - 1)`.
fn percentile(values: &mut [f32], p: f64) -> f64 {
    #[allow(clippy::cast_precision_loss)] // pixel counts are far below 2^52
    let rank = p * (values.len() - 1) as f64;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 0 <= rank < len
    let k = rank.floor() as usize;
    let (_, kth, rest) = values.select_nth_unstable_by(k, f32::total_cmp);
    let below = f64::from(*kth);
    let above = rest
        .iter()
        .copied()
        .min_by(f32::total_cmp)
        .map_or(below, f64::from);
    #[allow(clippy::cast_precision_loss)]
    let frac = rank - k as f64;
    below + (above - below) * frac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_worked_by_hand() {
        // c = 100, w = 11: ramp from x = 94.5 (exclusive) to 104.5; x = 99.5 is the middle.
        assert!((linear(99.5, 100.0, 11.0) - 0.5).abs() < 1e-12);
        // x = 102: (102 - 99.5) / 10 + 0.5 = 0.75
        assert!((linear(102.0, 100.0, 11.0) - 0.75).abs() < 1e-12);
        // x = 97: (97 - 99.5) / 10 + 0.5 = 0.25
        assert!((linear(97.0, 100.0, 11.0) - 0.25).abs() < 1e-12);
        assert!(linear(94.5, 100.0, 11.0).abs() < 1e-12);
        assert!((linear(104.6, 100.0, 11.0) - 1.0).abs() < 1e-12);
        assert!(linear(-1e9, 100.0, 11.0).abs() < 1e-12);
    }

    #[test]
    fn linear_exact_worked_by_hand() {
        // c = 100, w = 10: ramp 95..105; x = 100 → 0.5, 102.5 → 0.75, 97.5 → 0.25.
        assert!((linear_exact(100.0, 100.0, 10.0) - 0.5).abs() < 1e-12);
        assert!((linear_exact(102.5, 100.0, 10.0) - 0.75).abs() < 1e-12);
        assert!((linear_exact(97.5, 100.0, 10.0) - 0.25).abs() < 1e-12);
        assert!(linear_exact(95.0, 100.0, 10.0).abs() < 1e-12);
        assert!((linear_exact(105.1, 100.0, 10.0) - 1.0).abs() < 1e-12);
        // Unlike LINEAR, a width below 1 is allowed: c = 0, w = 0.5, x = 0.125 → 0.75.
        assert!((linear_exact(0.125, 0.0, 0.5) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn sigmoid_worked_by_hand() {
        // x = c → 1 / (1 + e^0) = 0.5; x = c + w / 4 → 1 / (1 + e^-1) = 0.7310585786.
        assert!((sigmoid(100.0, 100.0, 40.0) - 0.5).abs() < 1e-12);
        assert!((sigmoid(110.0, 100.0, 40.0) - 0.731_058_578_6).abs() < 1e-9);
        assert!((sigmoid(90.0, 100.0, 40.0) - 0.268_941_421_4).abs() < 1e-9);
        assert!(sigmoid(-1e9, 100.0, 40.0).abs() < 1e-12);
        assert!((sigmoid(1e9, 100.0, 40.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn function_names_and_widths() {
        assert_eq!(function(" sigmoid"), Some(VoiFunction::Sigmoid));
        assert_eq!(function("LINEAR_EXACT"), Some(VoiFunction::LinearExact));
        assert_eq!(function("LOG"), None);
        assert!(usable_with(0.0, 0.5, VoiFunction::Sigmoid));
        assert!(!usable_with(0.0, 0.5, VoiFunction::Linear));
        assert!(!usable_with(0.0, 0.0, VoiFunction::LinearExact));
    }

    #[test]
    fn width_one_is_a_threshold() {
        // c = 10, w = 1: x <= 9.5 → 0, x > 9.5 → 1.
        assert!(linear(9.5, 10.0, 1.0).abs() < 1e-12);
        assert!((linear(9.6, 10.0, 1.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_window_beside_the_values_misses() {
        // Values 32744..65535, window 2725 / 5310 → ramp 69.5..5379.5: wholly below.
        let values = [32744.0, 40000.0, 65535.0];
        assert!(misses(&values, 2725.0, 5310.0));
        assert!(misses(&values, 70000.0, 100.0));
        assert!(!misses(&values, 33000.0, 1000.0));
        // A ramp wider than the values still shows them.
        assert!(!misses(&values, 50000.0, 100_000.0));
    }

    #[test]
    fn unusable_windows() {
        let usable = |c, w| usable_with(c, w, VoiFunction::Linear);
        assert!(usable(0.0, 1.0));
        assert!(!usable(0.0, 0.5));
        assert!(!usable(f64::NAN, 10.0));
        assert!(!usable(0.0, 0.0));
    }

    #[test]
    fn inversion_maps_white_to_black() {
        let mut v = vec![0.0, 0.25, 1.0];
        invert(&mut v);
        assert_eq!(v, vec![1.0, 0.75, 0.0]);
    }

    #[test]
    fn percentile_window_on_a_ramp() {
        // 0..=1000: the 0.5 % quantile is at rank 5 → 5, the 99.5 % at rank 995 → 995.
        #[allow(clippy::cast_precision_loss)]
        let ramp: Vec<f32> = (0..=1000).map(|i| i as f32).collect();
        let w = percentile_window(&ramp).expect("window");
        assert!((w.width - 991.0).abs() < 1e-9, "{w:?}");
        assert!((w.center - 500.5).abs() < 1e-9, "{w:?}");
        assert_eq!(w.source, WindowSource::Percentile);
        assert!(linear(5.0, w.center, w.width).abs() < 1e-12);
        assert!((linear(995.0, w.center, w.width) - 1.0).abs() < 1e-12);
        assert!((linear(500.0, w.center, w.width) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn percentile_interpolates_between_ranks() {
        // n = 3, p = 0.25 → rank 0.5 → halfway between 10 and 20.
        let mut v = vec![30.0, 10.0, 20.0];
        assert!((percentile(&mut v, 0.25) - 15.0).abs() < 1e-12);
    }

    #[test]
    fn flat_image_gets_a_threshold_window() {
        let w = percentile_window(&[7.0; 16]).expect("window");
        assert!((w.width - 1.0).abs() < 1e-12);
        assert!(percentile_window(&[f32::NAN]).is_none());
    }
}
