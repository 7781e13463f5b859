//! Owns [`Viewer`]: a case's viewports, their layout (side by side, or one large), the
//! help overlay and patient-text toggles, and the mouse and keyboard gestures:
//! scroll zooms at the cursor, drag pans, Ctrl-drag or right-drag re-windows, double-click
//! resets; keys act on the image under the pointer, or on every image when it is over none.

use egui::{Event, Key, MouseWheelUnit, PointerButton, Pos2, Rect, Response, Sense, Vec2};

use super::analysis::Case;
use super::case_view::ScrewRef;
use super::viewer_overlay;
use super::viewport::Viewport;
use crate::geometry::PixelBox;

/// The texture side never exceeds this, so that re-windowing stays quick on large films.
const TEXTURE_SIDE: u32 = 2048;
/// Scroll distance, in points, that doubles the zoom.
const POINTS_PER_DOUBLING: f32 = 200.0;
/// Points one wheel "line" counts for.
const POINTS_PER_LINE: f32 = 40.0;
/// Keys `1`..`9` choose presets 0..8.
const NUMBER_KEYS: [Key; 9] = [
    Key::Num1,
    Key::Num2,
    Key::Num3,
    Key::Num4,
    Key::Num5,
    Key::Num6,
    Key::Num7,
    Key::Num8,
    Key::Num9,
];

/// How the images share the central panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    SideBySide,
    /// Image `n` alone, large.
    Large(usize),
}

/// One image as placed this frame.
pub struct Placed {
    pub index: usize,
    /// The image's cell (images are clipped to it).
    pub view: Rect,
    /// The whole image on screen at the current zoom and pan (may exceed `view`).
    pub image_rect: Rect,
    pub response: Response,
}

/// The images of the case on screen and how they are viewed.
pub struct Viewer {
    viewports: Vec<Viewport>,
    layout: Layout,
    help: bool,
    patient_text: bool,
    /// The selection last zoomed to.
    followed: Option<ScrewRef>,
}

impl Viewer {
    /// Viewports for the case's images, each fitted, with the reader's window.
    #[must_use]
    pub fn new(ctx: &egui::Context, case: &Case) -> Self {
        let gpu_side = u32::try_from(ctx.input(|i| i.max_texture_side)).unwrap_or(u32::MAX);
        let side = TEXTURE_SIDE.min(gpu_side);
        let viewports = case
            .images
            .iter()
            .enumerate()
            .map(|(i, img)| {
                let name = format!("case-image-{i}");
                Viewport::new(ctx, &name, &img.levels, img.presets.clone(), side)
            })
            .collect();
        Self {
            viewports,
            layout: Layout::SideBySide,
            help: false,
            patient_text: true,
            followed: None,
        }
    }

    #[must_use]
    pub fn viewport(&self, image: usize) -> Option<&Viewport> {
        self.viewports.get(image)
    }

    #[must_use]
    pub fn layout(&self) -> Layout {
        self.layout
    }

    #[must_use]
    pub fn help_shown(&self) -> bool {
        self.help
    }

    #[must_use]
    pub fn patient_text_shown(&self) -> bool {
        self.patient_text
    }

    /// Zoom image `image` so that `b` (its pixels) fills most of its view; brings the image
    /// forward when another one is shown large. What a click on a screw calls.
    pub fn zoom_to_box(&mut self, image: usize, b: PixelBox) {
        let Some(vp) = self.viewports.get_mut(image) else {
            return;
        };
        vp.zoom_to_box(b);
        if matches!(self.layout, Layout::Large(n) if n != image) {
            self.layout = Layout::Large(image);
        }
    }

    /// Zooms to the selected screw when the selection changed.
    pub fn follow_selection(&mut self, case: &Case, selected: Option<ScrewRef>) {
        if selected == self.followed {
            return;
        }
        self.followed = selected;
        let Some((image, screw)) = selected else {
            return;
        };
        let b = case
            .report
            .images
            .get(image)
            .and_then(|i| i.screws.get(screw))
            .map(|s| s.box_in_image);
        if let Some(b) = b {
            self.zoom_to_box(image, b);
        }
    }

    /// Lays the images out in `full`, handles the pointer gestures and paints the images.
    pub fn place(&mut self, ui: &mut egui::Ui, full: Rect) -> Vec<Placed> {
        let cells = self.cells(full);
        let mut placed = Vec::with_capacity(cells.len());
        for (index, view) in cells {
            let Some(vp) = self.viewports.get_mut(index) else {
                continue;
            };
            vp.place(view);
            let id = ui.scope_id().with(("viewer-image", index));
            let response = ui.interact(view, id, Sense::click_and_drag());
            gestures(ui, vp, &response);
            let image_rect = vp.image_rect();
            let texture = vp.texture().id();
            ui.painter_at(view).image(
                texture,
                image_rect,
                Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
                egui::Color32::WHITE,
            );
            placed.push(Placed {
                index,
                view,
                image_rect: vp.image_rect(),
                response,
            });
        }
        placed
    }

    /// The keyboard shortcuts (see the help overlay).
    pub fn keys(&mut self, ui: &egui::Ui, placed: &[Placed]) {
        if ui.ctx().text_edit_focused() {
            return;
        }
        let pointer = ui.input(|i| i.pointer.hover_pos());
        let target = pointer.and_then(|p| {
            placed
                .iter()
                .find(|pl| pl.view.contains(p))
                .map(|pl| pl.index)
        });
        let pressed = |key| ui.input(|i| i.key_pressed(key));
        let mut each = |act: &dyn Fn(&mut Viewport)| {
            for (i, vp) in self.viewports.iter_mut().enumerate() {
                if target.is_none_or(|t| t == i) {
                    act(vp);
                }
            }
        };
        if pressed(Key::I) {
            each(&Viewport::toggle_inversion);
        }
        if pressed(Key::Escape) {
            each(&Viewport::reset);
        }
        for (n, key) in NUMBER_KEYS.into_iter().enumerate() {
            if pressed(key) {
                each(&|vp: &mut Viewport| vp.choose_preset(n));
            }
        }
        if pressed(Key::H) || pressed(Key::F1) {
            self.help = !self.help;
        }
        if pressed(Key::P) {
            self.patient_text = !self.patient_text;
        }
        if pressed(Key::Tab) {
            self.next_layout();
            // egui also moved the keyboard focus, maybe into the threshold's number field,
            // which would then take the viewer's keys: Tab belongs to the viewer here.
            ui.memory_mut(|m| {
                if let Some(id) = m.focused() {
                    m.surrender_focus(id);
                }
            });
        }
    }

    /// Corner labels over each placed image and the help overlay.
    pub fn overlays(&self, ui: &mut egui::Ui, case: &Case, placed: &[Placed]) {
        for p in placed {
            let (Some(vp), Some(image)) = (self.viewports.get(p.index), case.images.get(p.index))
            else {
                continue;
            };
            let patient = self.patient_text.then_some(&image.info.patient);
            viewer_overlay::corners(ui, p.view, patient, &vp.window_label(), vp.zoom());
        }
        if self.help {
            viewer_overlay::help(ui.ctx());
        }
    }

    /// Side by side → first large → second large → … → side by side.
    fn next_layout(&mut self) {
        let n = self.viewports.len();
        self.layout = match self.layout {
            Layout::SideBySide if n > 1 => Layout::Large(0),
            Layout::Large(k) if k + 1 < n => Layout::Large(k + 1),
            _ => Layout::SideBySide,
        };
        for vp in &mut self.viewports {
            vp.refit_later();
        }
    }

    /// The cell of each image shown.
    fn cells(&self, full: Rect) -> Vec<(usize, Rect)> {
        if let Layout::Large(k) = self.layout {
            return vec![(k, full)];
        }
        let n = self.viewports.len().max(1);
        #[expect(clippy::cast_precision_loss, reason = "at most a handful of columns")]
        let width = full.width() / n as f32;
        (0..self.viewports.len())
            .map(|i| {
                #[expect(clippy::cast_precision_loss, reason = "at most a handful of columns")]
                let min = full.min + Vec2::new(width * i as f32, 0.0);
                (i, Rect::from_min_size(min, Vec2::new(width, full.height())))
            })
            .collect()
    }
}

/// Wheel zoom, drag pan or re-window, double-click reset, on one image.
fn gestures(ui: &egui::Ui, vp: &mut Viewport, response: &Response) {
    let points = wheel_points(ui, response.rect);
    if points != 0.0
        && let Some(at) = ui.input(|i| i.pointer.hover_pos())
    {
        vp.zoom_at(at, (points / POINTS_PER_DOUBLING).exp2());
    }
    if response.drag_started() {
        let windowing = response.drag_started_by(PointerButton::Secondary)
            || ui.input(|i| i.modifiers.ctrl || i.modifiers.command);
        vp.begin_drag(windowing);
    }
    if response.dragged() {
        vp.drag_to(response.total_drag_delta().unwrap_or_default());
    }
    if response.drag_stopped() {
        vp.end_drag();
    }
    if response.double_clicked() {
        vp.reset();
    }
}

/// This frame's wheel travel over `view`, in points (up is positive: zoom in). Raw events,
/// not egui's smoothed scroll, so that each notch zooms at once and exactly.
fn wheel_points(ui: &egui::Ui, view: Rect) -> f32 {
    ui.input(|i| {
        if !i.pointer.hover_pos().is_some_and(|p| view.contains(p)) {
            return 0.0;
        }
        i.events
            .iter()
            .map(|e| match e {
                Event::MouseWheel { unit, delta, .. } => match unit {
                    MouseWheelUnit::Point => delta.y,
                    MouseWheelUnit::Line => delta.y * POINTS_PER_LINE,
                    MouseWheelUnit::Page => delta.y * view.height(),
                },
                _ => 0.0,
            })
            .sum()
    })
}
