//! Owns [`Viewport`]: one image's view state (zoom, pan, window, inversion) and its texture,
//! re-rendered from a copy of the pre-VOI values at texture resolution whenever the window
//! or the inversion changes.
//!
//! Geometry: a point `p` in original image pixels shows at `view.min + origin + p * zoom`
//! on screen (points); boxes and labels use the same mapping, so they follow exactly.

use egui::{Pos2, Rect, TextureHandle, TextureOptions, Vec2};

use crate::geometry::PixelBox;
use crate::radiograph::{Levels, NamedWindow, Window};

/// Margin between a view's edge and the fitted image, in points.
const FIT_MARGIN: f32 = 4.0;
/// The share of the view a box fills after [`Viewport::zoom_to_box`].
const BOX_SHARE: f32 = 0.6;
/// The most screen points one image pixel may span.
const MAX_ZOOM: f32 = 32.0;
/// How far below the fit one may zoom out.
const MIN_ZOOM_OF_FIT: f32 = 0.1;
/// Drag distance, in points, that moves the window by the full value range.
const POINTS_PER_RANGE: f32 = 512.0;

/// The view of one image.
pub struct Viewport {
    /// The values at texture resolution (the full image is never re-rendered).
    levels: Levels,
    presets: Vec<NamedWindow>,
    /// Size of the original image in pixels (boxes are in these).
    image_size: Vec2,
    zoom: f32,
    origin: Vec2,
    /// Still at "fit to view": refitted when the view changes size.
    fitted: bool,
    /// The window now applied; `None` is the file's VOI LUT table.
    window: Option<Window>,
    /// The preset shown, `None` after a manual change.
    preset: Option<usize>,
    /// The surgeon's inversion, on top of the file's own.
    inverted: bool,
    texture: TextureHandle,
    stale: bool,
    view: Rect,
    pending_box: Option<PixelBox>,
    drag_start: Option<DragStart>,
}

/// The state when the current drag began.
#[derive(Clone, Copy)]
struct DragStart {
    origin: Vec2,
    window: Option<Window>,
    windowing: bool,
}

impl Viewport {
    /// A viewport over `levels` (the full image's), with its window presets; the texture is
    /// made from a copy at most `texture_side` pixels on its longer side.
    #[must_use]
    pub fn new(
        ctx: &egui::Context,
        name: &str,
        levels: &Levels,
        presets: Vec<NamedWindow>,
        texture_side: u32,
    ) -> Self {
        let (w, h) = levels.dimensions();
        let small = levels.downsampled(texture_side);
        let texture = ctx.load_texture(
            name,
            egui::ColorImage::filled([1, 1], egui::Color32::BLACK),
            TextureOptions::LINEAR,
        );
        #[expect(clippy::cast_precision_loss, reason = "image sides are far below 2^24")]
        let image_size = Vec2::new(w as f32, h as f32);
        let mut viewport = Self {
            levels: small,
            presets,
            image_size,
            zoom: 1.0,
            origin: Vec2::ZERO,
            fitted: true,
            window: None,
            preset: None,
            inverted: false,
            texture,
            stale: true,
            view: Rect::NOTHING,
            pending_box: None,
            drag_start: None,
        };
        viewport.reset();
        viewport
    }

    /// Screen points per original image pixel.
    #[must_use]
    pub fn zoom(&self) -> f32 {
        self.zoom
    }

    /// Where image pixel (0, 0) shows, relative to the view's top-left corner.
    #[must_use]
    pub fn origin(&self) -> Vec2 {
        self.origin
    }

    /// The view's rect on screen at the last frame.
    #[must_use]
    pub fn view(&self) -> Rect {
        self.view
    }

    /// The window now applied; `None` when the file's VOI LUT table is.
    #[must_use]
    pub fn window(&self) -> Option<Window> {
        self.window
    }

    /// Whether the surgeon inverted the image (on top of the file's own inversion).
    #[must_use]
    pub fn inverted(&self) -> bool {
        self.inverted
    }

    /// The windows keys `1`.. choose: the file's, automatic, full range.
    #[must_use]
    pub fn presets(&self) -> &[NamedWindow] {
        &self.presets
    }

    /// The image's rect on screen (may extend beyond the view).
    #[must_use]
    pub fn image_rect(&self) -> Rect {
        Rect::from_min_size(self.view.min + self.origin, self.image_size * self.zoom)
    }

    /// Back to fit, the reader's window, no inversion.
    pub fn reset(&mut self) {
        self.fitted = true;
        self.pending_box = None;
        self.window = self.levels.default_window();
        self.preset = self
            .window
            .and_then(|w| self.presets.iter().position(|p| same_window(&p.window, &w)));
        self.inverted = false;
        self.stale = true;
        self.refit();
    }

    /// Fit again at the next frame (after a layout change), keeping the window.
    pub fn refit_later(&mut self) {
        self.fitted = true;
        self.refit();
    }

    /// Zoom so that `b` (original pixels) fills most of the view, centred.
    pub fn zoom_to_box(&mut self, b: PixelBox) {
        self.pending_box = Some(b);
        self.apply_pending_box();
    }

    /// Places the view at `view` for this frame, refitting or zooming to a pending box.
    pub fn place(&mut self, view: Rect) {
        self.view = view;
        if self.fitted {
            self.refit();
        }
        self.apply_pending_box();
    }

    /// Zoom by `factor` about the screen point `at`, which keeps showing the same image point.
    pub fn zoom_at(&mut self, at: Pos2, factor: f32) {
        let anchor = at - self.view.min;
        let image_point = (anchor - self.origin) / self.zoom;
        self.zoom = (self.zoom * factor).clamp(self.fit_zoom() * MIN_ZOOM_OF_FIT, MAX_ZOOM);
        self.origin = anchor - image_point * self.zoom;
        self.fitted = false;
    }

    /// A drag began: remember where from, and whether it re-windows (else it pans).
    pub fn begin_drag(&mut self, windowing: bool) {
        self.drag_start = Some(DragStart {
            origin: self.origin,
            window: self.window,
            windowing,
        });
    }

    /// The drag is `total` points from where it began: pan by it, or re-window (right
    /// widens, down raises the centre, i.e. darker; the full value range per
    /// [`POINTS_PER_RANGE`] points).
    pub fn drag_to(&mut self, total: Vec2) {
        let Some(start) = self.drag_start else {
            return;
        };
        if !start.windowing {
            self.origin = start.origin + total;
            self.fitted = false;
            return;
        }
        let Some(mut w) = start
            .window
            .or_else(|| self.presets.last().map(|p| p.window))
        else {
            return;
        };
        let range = self.levels.full_range().width;
        let per_point = range / f64::from(POINTS_PER_RANGE);
        w.width = (w.width + f64::from(total.x) * per_point).max(min_width(&w, range));
        w.center += f64::from(total.y) * per_point;
        self.set_window(Some(w), None);
    }

    pub fn end_drag(&mut self) {
        self.drag_start = None;
    }

    /// Choose preset `index` (0-based); ignored when there is none.
    pub fn choose_preset(&mut self, index: usize) {
        if let Some(p) = self.presets.get(index) {
            self.set_window(Some(p.window), Some(index));
        }
    }

    pub fn toggle_inversion(&mut self) {
        self.inverted = !self.inverted;
        self.stale = true;
    }

    /// One line naming the window now applied, for the corner label.
    #[must_use]
    pub fn window_label(&self) -> String {
        let name = match (self.preset, self.window) {
            (_, None) => "file VOI LUT".to_owned(),
            (Some(i), Some(_)) => format!("{} [{}]", self.presets[i].name, i + 1),
            (None, Some(_)) => "manual".to_owned(),
        };
        let values = self
            .window
            .map(|w| format!(" C {:.0} W {:.0}", w.center, w.width))
            .unwrap_or_default();
        let inverted = if self.inverted { ", inverted" } else { "" };
        format!("Window: {name}{values}{inverted}")
    }

    /// The texture, re-rendered first when the window or inversion changed.
    pub fn texture(&mut self) -> &TextureHandle {
        if self.stale {
            self.stale = false;
            let flip = self.levels.inverted() != self.inverted;
            let shown = self.levels.render(self.window.as_ref(), flip);
            self.texture
                .set(to_colour_image(&shown), TextureOptions::LINEAR);
        }
        &self.texture
    }

    fn set_window(&mut self, window: Option<Window>, preset: Option<usize>) {
        self.window = window;
        self.preset = preset;
        self.stale = true;
    }

    /// The zoom at which the whole image fits the view.
    fn fit_zoom(&self) -> f32 {
        let room = (self.view.size() - Vec2::splat(2.0 * FIT_MARGIN)).max(Vec2::splat(1.0));
        let z = (room / self.image_size.max(Vec2::splat(1.0))).min_elem();
        if z.is_finite() && z > 0.0 { z } else { 1.0 }
    }

    fn refit(&mut self) {
        self.zoom = self.fit_zoom();
        self.origin = (self.view.size() - self.image_size * self.zoom) / 2.0;
        if !self.origin.x.is_finite() || !self.origin.y.is_finite() {
            self.origin = Vec2::ZERO;
        }
    }

    fn apply_pending_box(&mut self) {
        if !self.view.is_positive() {
            return;
        }
        let Some(b) = self.pending_box.take() else {
            return;
        };
        let size = Vec2::new(b.width(), b.height()).max(Vec2::splat(1.0));
        let z = BOX_SHARE * (self.view.size() / size).min_elem();
        self.zoom = z.clamp(self.fit_zoom() * MIN_ZOOM_OF_FIT, MAX_ZOOM);
        let (cx, cy) = b.centre();
        self.origin = self.view.size() / 2.0 - Vec2::new(cx, cy) * self.zoom;
        self.fitted = false;
    }
}

/// The smallest width a dragged window may reach: 1 for LINEAR (its rule), else a
/// thousandth of the value range.
fn min_width(w: &Window, range: f64) -> f64 {
    match w.function {
        crate::radiograph::VoiFunction::Linear => 1.0,
        _ => (range / 1000.0).max(f64::MIN_POSITIVE),
    }
}

fn same_window(a: &Window, b: &Window) -> bool {
    a.center.to_bits() == b.center.to_bits()
        && a.width.to_bits() == b.width.to_bits()
        && a.function == b.function
}

/// 8-bit grey texture of display values in [0, 1].
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "values are clamped to [0, 255]"
)]
fn to_colour_image(image: &crate::radiograph::GreyImage) -> egui::ColorImage {
    let grey: Vec<u8> = image
        .as_raw()
        .iter()
        .map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
        .collect();
    egui::ColorImage::from_gray([image.width() as usize, image.height() as usize], &grey)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 200 x 100 image in a 400 x 300 view at (10, 20).
    fn viewport() -> Viewport {
        let ctx = egui::Context::default();
        let (_, levels) = Levels::codes(200, 100, vec![0.0; 20_000], 255.0);
        let presets = levels.presets();
        let mut vp = Viewport::new(&ctx, "test", &levels, presets, 2048);
        vp.place(Rect::from_min_size(
            Pos2::new(10.0, 20.0),
            Vec2::new(400.0, 300.0),
        ));
        vp
    }

    #[test]
    fn opens_fitted_and_centred() {
        let vp = viewport();
        // Room 392 x 292: 392 / 200 = 1.96 < 292 / 100.
        assert!((vp.zoom() - 1.96).abs() < 1e-6);
        // Height 196 in 300: (300 - 196) / 2 = 52 above; (400 - 392) / 2 = 4 beside.
        assert!((vp.origin() - Vec2::new(4.0, 52.0)).length() < 1e-4);
    }

    #[test]
    fn zoom_keeps_the_point_under_the_cursor() {
        let mut vp = viewport();
        let at = Pos2::new(110.0, 90.0);
        // Pixel under `at`: (110 - 10 - 4) / 1.96, (90 - 20 - 52) / 1.96.
        let before = Vec2::new(96.0, 18.0) / 1.96;
        vp.zoom_at(at, 2.0);
        assert!((vp.zoom() - 3.92).abs() < 1e-5);
        let after = (at - Pos2::new(10.0, 20.0) - vp.origin()) / vp.zoom();
        assert!((after - before).length() < 1e-4, "{before:?} {after:?}");
    }

    #[test]
    fn a_box_fills_most_of_the_view() {
        let mut vp = viewport();
        vp.zoom_to_box(PixelBox::from_centre(50.0, 40.0, 20.0, 10.0));
        // 0.6 * min(400 / 20, 300 / 10) = 12; centre (50, 40) at the view's middle.
        assert!((vp.zoom() - 12.0).abs() < 1e-5);
        let centre = vp.origin() + Vec2::new(50.0, 40.0) * vp.zoom();
        assert!((centre - Vec2::new(200.0, 150.0)).length() < 1e-3);
        vp.reset();
        assert!((vp.zoom() - 1.96).abs() < 1e-6);
    }

    #[test]
    fn presets_and_window_drags() {
        let mut vp = viewport();
        // Codes 0..255: the full range is the default (LINEAR_EXACT 127.5 / 255), preset 2.
        assert!(
            vp.window_label().starts_with("Window: full range [2]"),
            "{}",
            vp.window_label()
        );
        vp.begin_drag(true);
        // 256 points right: width + 255 / 2; 128 down: centre + 255 / 4.
        vp.drag_to(Vec2::new(256.0, 128.0));
        let w = vp.window().expect("window");
        assert!(
            (w.width - 382.5).abs() < 1e-9 && (w.center - 191.25).abs() < 1e-9,
            "{w:?}"
        );
        assert!(vp.window_label().starts_with("Window: manual"));
        vp.end_drag();
        vp.choose_preset(1);
        assert_eq!(vp.window().map(|w| w.width), Some(255.0));
    }
}
