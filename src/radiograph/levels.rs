//! Owns [`Levels`]: what a viewer needs to render a loaded image again with another
//! window, beside the reader's display image.
//!
//! For grey DICOM the values are the **modality values** (stored values after the rescale
//! or Modality LUT, before any VOI), with the file's VOI LUT table when the reader applied
//! one, and whether MONOCHROME1 / Presentation LUT INVERSE applies. Rendering runs the
//! same order as the reader (`grey.rs`): VOI (window function or table), then inversion.
//! For raster images and colour DICOM the values are the luma codes (0..=255 or
//! 0..=65535; palette and 4:2:2 YBR routes give luma already in [0, 1], so their code
//! range is [0, 1]) and the default window is `LINEAR_EXACT` over the code range, which
//! renders `code / max`, today's display image.
//!
//! Memory: one `f32` per pixel (4 bytes; 20 MB for 2500 × 2000) on top of the display
//! image, plus the table when there is one.

use super::GreyImage;
use super::info::{FileWindow, NamedWindow, VoiFunction, Window, WindowSource};
use super::voi;
use super::voi_lut::VoiLut;

/// Pre-VOI values of one image and how the reader displayed them.
#[derive(Debug, Clone, PartialEq)]
pub struct Levels {
    width: u32,
    height: u32,
    values: Vec<f32>,
    /// MONOCHROME1 or Presentation LUT INVERSE: `1 - y` after the VOI.
    inverted: bool,
    /// The window the reader applied; `None` when it applied `table`.
    default: Option<Window>,
    table: Option<VoiLut>,
    /// The file's stored windows that can be applied, in file order.
    file_windows: Vec<NamedWindow>,
    /// The span of the values shown by the full-range window.
    range: (f64, f64),
}

impl Levels {
    /// Levels of a grey DICOM image: modality values, the VOI the reader chose (a window,
    /// or `None` with the `table`), the file's windows with the file's VOI function.
    pub(crate) fn modality(
        (width, height): (u32, u32),
        values: Vec<f32>,
        default: Option<Window>,
        table: Option<VoiLut>,
        stored: &[FileWindow],
        function: VoiFunction,
        inverted: bool,
    ) -> Self {
        let file_windows = stored
            .iter()
            .enumerate()
            .filter(|(_, w)| voi::usable_with(w.center, w.width, function))
            .map(|(i, w)| NamedWindow {
                name: w
                    .explanation
                    .clone()
                    .unwrap_or_else(|| format!("file window {}", i + 1)),
                window: Window {
                    center: w.center,
                    width: w.width,
                    source: WindowSource::File,
                    function,
                },
            })
            .collect();
        let range = finite_range(&values);
        Self {
            width,
            height,
            values,
            inverted,
            default,
            table,
            file_windows,
            range,
        }
    }

    /// Levels of luma codes `0..=max` (raster and colour images), and the display values
    /// the reader shows for them: `(code / max)` clamped to [0, 1].
    pub(crate) fn codes(width: u32, height: u32, codes: Vec<f32>, max: f32) -> (Vec<f32>, Self) {
        let display = codes.iter().map(|v| (v / max).clamp(0.0, 1.0)).collect();
        let range = (0.0, f64::from(max));
        let levels = Self {
            width,
            height,
            values: codes,
            inverted: false,
            default: Some(span(range)),
            table: None,
            file_windows: Vec::new(),
            range,
        };
        (display, levels)
    }

    #[must_use]
    pub fn dimensions(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The pre-VOI values, row-major.
    #[must_use]
    pub fn values(&self) -> &[f32] {
        &self.values
    }

    /// Whether the file asks for `1 - y` after the VOI (MONOCHROME1, INVERSE).
    #[must_use]
    pub fn inverted(&self) -> bool {
        self.inverted
    }

    /// The window the reader applied; `None` when it applied the file's VOI LUT table.
    #[must_use]
    pub fn default_window(&self) -> Option<Window> {
        self.default
    }

    /// The file's own applicable windows, in file order, named by their explanation.
    #[must_use]
    pub fn file_windows(&self) -> &[NamedWindow] {
        &self.file_windows
    }

    /// The 0.5 %–99.5 % percentile window of the values (as the reader's fallback).
    /// Sorts a copy of the values: call it once per image, off the UI thread if large.
    #[must_use]
    pub fn automatic(&self) -> Window {
        voi::percentile_window(&self.values).unwrap_or_else(|| span(self.range))
    }

    /// `LINEAR_EXACT` over the whole range: the code range, or min..max of the values.
    #[must_use]
    pub fn full_range(&self) -> Window {
        span(self.range)
    }

    /// Every window a viewer offers, in key order: the file's, automatic, full range.
    #[must_use]
    pub fn presets(&self) -> Vec<NamedWindow> {
        let mut all = self.file_windows.clone();
        all.push(NamedWindow {
            name: "automatic".to_owned(),
            window: self.automatic(),
        });
        all.push(NamedWindow {
            name: "full range".to_owned(),
            window: self.full_range(),
        });
        all
    }

    /// Display values in [0, 1] (1 = white) with `window` (`None`: the reader's own VOI,
    /// window or table), then `1 - y` when `inverted`. The reader's display image is
    /// `render(None, self.inverted())`.
    #[must_use]
    pub fn render(&self, window: Option<&Window>, inverted: bool) -> GreyImage {
        let window = window.or(self.default.as_ref());
        let voi = |v: f32| -> f32 {
            match (window, &self.table) {
                #[allow(clippy::cast_possible_truncation)] // result is in [0, 1]
                (Some(w), _) => voi::apply(f64::from(v), w) as f32,
                (None, Some(table)) => table.map(v),
                (None, None) => v,
            }
        };
        let values = self
            .values
            .iter()
            .map(|&v| {
                let y = voi(v);
                if inverted { 1.0 - y } else { y }
            })
            .collect();
        GreyImage::from_raw(self.width, self.height, values)
            .unwrap_or_else(|| GreyImage::new(self.width, self.height))
    }

    /// A copy at most `max_side` pixels on its longer side (each value the mean of the
    /// pixels it covers), for re-rendering quickly at screen resolution; the VOI data is
    /// kept. (`image::imageops::resize` would clamp `f32` values to [0, 1].)
    #[must_use]
    pub fn downsampled(&self, max_side: u32) -> Self {
        let longer = self.width.max(self.height);
        if longer <= max_side {
            return self.clone();
        }
        let s = f64::from(max_side) / f64::from(longer);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // s < 1
        let (w, h) = (
            ((f64::from(self.width) * s).round() as u32).max(1),
            ((f64::from(self.height) * s).round() as u32).max(1),
        );
        Self {
            width: w,
            height: h,
            values: box_average(&self.values, (self.width, self.height), (w, h)),
            inverted: self.inverted,
            default: self.default,
            table: self.table.clone(),
            file_windows: self.file_windows.clone(),
            range: self.range,
        }
    }
}

/// The `LINEAR_EXACT` window from `lo` (0) to `hi` (1); width 1 when the span is empty.
fn span((lo, hi): (f64, f64)) -> Window {
    let width = if hi > lo { hi - lo } else { 1.0 };
    Window {
        center: lo + width / 2.0,
        width,
        source: WindowSource::FullRange,
        function: VoiFunction::LinearExact,
    }
}

/// Downsample `values` (`w` x `h`, row-major) to `nw` x `nh` by averaging the source
/// pixels each output pixel covers (`nw <= w`, `nh <= h`).
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)] // indices < 2^32, means of f32
fn box_average(values: &[f32], (w, h): (u32, u32), (nw, nh): (u32, u32)) -> Vec<f32> {
    let span = |o: u32, n: u32, full: u32| -> (usize, usize) {
        let a = (u64::from(o) * u64::from(full) / u64::from(n)) as usize;
        let b = ((u64::from(o) + 1) * u64::from(full) / u64::from(n)) as usize;
        (a, b.max(a + 1))
    };
    let stride = w as usize;
    let mut out = Vec::with_capacity(nw as usize * nh as usize);
    for oy in 0..nh {
        let (y0, y1) = span(oy, nh, h);
        for ox in 0..nw {
            let (x0, x1) = span(ox, nw, w);
            let sum: f64 = (y0..y1)
                .flat_map(|y| &values[y * stride + x0..y * stride + x1])
                .map(|&v| f64::from(v))
                .sum();
            out.push((sum / ((y1 - y0) * (x1 - x0)) as f64) as f32);
        }
    }
    out
}

/// Min and max of the finite values; (0, 1) when there is none.
fn finite_range(values: &[f32]) -> (f64, f64) {
    let (lo, hi) = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        (0.0, 1.0)
    } else {
        (f64::from(lo), f64::from(hi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_render_as_code_over_max() {
        let (display, levels) = Levels::codes(3, 1, vec![0.0, 51.0, 255.0], 255.0);
        assert_eq!(display, vec![0.0, 0.2, 1.0]);
        let shown = levels.render(None, false);
        for (g, w) in shown.as_raw().iter().zip([0.0, 0.2, 1.0]) {
            assert!((g - w).abs() < 1e-6, "{shown:?}");
        }
        // Inverted: 1 - 51 / 255 = 0.8.
        assert!((levels.render(None, true).as_raw()[1] - 0.8).abs() < 1e-6);
    }

    #[test]
    fn another_window_by_hand() {
        let stored = [FileWindow {
            center: 100.0,
            width: 11.0,
            explanation: Some("BONE".into()),
        }];
        let levels = Levels::modality(
            (2, 1),
            vec![97.0, 102.0],
            None,
            None,
            &stored,
            VoiFunction::Linear,
            false,
        );
        let presets = levels.presets();
        assert_eq!(presets[0].name, "BONE");
        // LINEAR 100 / 11: 97 → (97 - 99.5) / 10 + 0.5 = 0.25; 102 → 0.75.
        let got = levels.render(Some(&presets[0].window), false);
        assert!((got.as_raw()[0] - 0.25).abs() < 1e-6);
        assert!((got.as_raw()[1] - 0.75).abs() < 1e-6);
        // Full range 97..102 exact: 97 → 0, 102 → 1.
        let full = levels.render(Some(&levels.full_range()), false);
        assert_eq!(full.as_raw(), &[0.0, 1.0]);
    }

    #[test]
    fn unusable_file_windows_are_not_offered() {
        let stored = [FileWindow {
            center: 10.0,
            width: 0.5,
            explanation: None,
        }];
        let levels = Levels::modality(
            (1, 1),
            vec![1.0],
            None,
            None,
            &stored,
            VoiFunction::Linear,
            false,
        );
        assert!(levels.file_windows().is_empty());
        assert_eq!(levels.presets().len(), 2);
    }

    #[test]
    fn downsampling_keeps_the_aspect() {
        let (_, levels) = Levels::codes(400, 100, vec![128.0; 40_000], 255.0);
        let small = levels.downsampled(100);
        assert_eq!(small.dimensions(), (100, 25));
        assert!(small.values().iter().all(|v| (v - 128.0).abs() < 1e-3));
        assert_eq!(levels.downsampled(1000).dimensions(), (400, 100));
        // A 4 x 2 image to 2 x 1: each output the mean of a 2 x 2 block.
        let (_, levels) = Levels::codes(
            4,
            2,
            vec![0.0, 2.0, 10.0, 30.0, 4.0, 6.0, 50.0, 70.0],
            255.0,
        );
        assert_eq!(levels.downsampled(2).values(), &[3.0, 40.0]);
    }
}
