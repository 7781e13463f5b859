//! The image viewer under egui_kittest, one test per interaction, on the bundled sample
//! P001 (its two views side by side). Expectations are worked out here from the
//! viewport's raw state (zoom, origin of image pixel (0, 0), view rect), the mapping
//! `screen = view.min + origin + pixel * zoom` and the gesture itself.

use egui::{Event, Modifiers, MouseWheelSource, MouseWheelUnit, PointerButton, Pos2, TouchPhase};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use screwid::app::{Layout, ScrewIdApp, Viewport};
use screwid::radiograph::Window;

use super::reader_support as support;
use super::ui::{app_with, settle};
use super::util::samples;

fn p001() -> Harness<'static, ScrewIdApp> {
    let (dir, truth) = samples().remove(0);
    assert_eq!(truth.patient, "P001", "premise: the first sample is P001");
    let files = truth.images.iter().map(|i| dir.join(&i.file)).collect();
    let mut harness = app_with(files);
    settle(&mut harness);
    assert!(harness.state().case().is_some(), "the sample was analysed");
    harness
}

fn vp<'a>(harness: &'a Harness<'_, ScrewIdApp>, image: usize) -> &'a Viewport {
    harness
        .state()
        .viewer()
        .and_then(|v| v.viewport(image))
        .expect("a viewport per image")
}

/// Zoom, origin and view of image `image`, copied out of the harness.
fn geometry(harness: &Harness<'_, ScrewIdApp>, image: usize) -> (f32, egui::Vec2, egui::Rect) {
    let v = vp(harness, image);
    (v.zoom(), v.origin(), v.view())
}

/// A point inside image 0's view, away from its centre (so zooming about it moves the
/// origin).
fn inside_first(harness: &Harness<'_, ScrewIdApp>) -> Pos2 {
    let view = vp(harness, 0).view();
    view.min + view.size() * egui::vec2(0.3, 0.6)
}

fn press(harness: &Harness<'_, ScrewIdApp>, pos: Pos2, button: PointerButton, pressed: bool) {
    harness.event(Event::PointerButton {
        pos,
        button,
        pressed,
        modifiers: Modifiers::NONE,
    });
}

/// Press at `from`, move to `to` in one step, release there.
fn drag(harness: &mut Harness<'_, ScrewIdApp>, from: Pos2, to: Pos2, button: PointerButton) {
    harness.hover_at(from);
    press(harness, from, button, true);
    harness.hover_at(to);
    press(harness, to, button, false);
    harness.step();
}

fn wheel(harness: &mut Harness<'_, ScrewIdApp>, at: Pos2, lines: f32) {
    harness.hover_at(at);
    harness.event(Event::MouseWheel {
        unit: MouseWheelUnit::Line,
        delta: egui::vec2(0.0, lines),
        phase: TouchPhase::Move,
        source: MouseWheelSource::Wheel,
        modifiers: Modifiers::NONE,
    });
    harness.step();
}

fn window_of(harness: &Harness<'_, ScrewIdApp>, image: usize) -> Window {
    vp(harness, image)
        .window()
        .expect("the samples carry a window")
}

#[test]
fn scroll_zooms_about_the_cursor() {
    let mut harness = p001();
    let at = inside_first(&harness);
    harness.hover_at(at);
    harness.step();
    let (z0, o0, view) = geometry(&harness, 0);
    let other = geometry(&harness, 1);
    // The image pixel under the cursor before.
    let before = (at - view.min - o0) / z0;
    wheel(&mut harness, at, 2.0);
    let (z1, o1, _) = geometry(&harness, 0);
    let after = (at - view.min - o1) / z1;
    assert!(z1 > z0 * 1.2, "scrolling up zooms in: {z0} → {z1}");
    assert!(
        (before - after).length() < 1e-2,
        "pixel under the cursor moved: {before:?} → {after:?}"
    );
    assert_eq!(geometry(&harness, 1), other, "the other image did not move");
    wheel(&mut harness, at, -2.0);
    let (z2, o2, _) = geometry(&harness, 0);
    assert!(
        (z2 - z0).abs() < 1e-3 * z0,
        "down zooms back out: {z0} vs {z2}"
    );
    assert!(((at - view.min - o2) / z2 - before).length() < 1e-2);
}

#[test]
fn drag_pans_by_the_drag_distance() {
    let mut harness = p001();
    let from = inside_first(&harness);
    let (z0, o0, _) = geometry(&harness, 0);
    let w0 = window_of(&harness, 0);
    let shift = egui::vec2(37.0, -21.0);
    drag(&mut harness, from, from + shift, PointerButton::Primary);
    let (z1, o1, _) = geometry(&harness, 0);
    assert!((z1 - z0).abs() < 1e-6, "a drag does not zoom");
    assert!(
        (o1 - o0 - shift).length() < 1e-3,
        "origin moved by {:?}, dragged {shift:?}",
        o1 - o0
    );
    assert_eq!(window_of(&harness, 0), w0, "a plain drag keeps the window");
}

#[test]
fn ctrl_drag_and_right_drag_change_the_window() {
    let mut harness = p001();
    let from = inside_first(&harness);
    let (_, o0, _) = geometry(&harness, 0);
    let w0 = window_of(&harness, 0);
    harness.event(Event::ModifiersChanged(Modifiers::CTRL));
    drag(
        &mut harness,
        from,
        from + egui::vec2(80.0, 0.0),
        PointerButton::Primary,
    );
    harness.event(Event::ModifiersChanged(Modifiers::NONE));
    harness.step();
    let w1 = window_of(&harness, 0);
    assert!(w1.width > w0.width, "right widens: {w0:?} → {w1:?}");
    assert!(
        (w1.center - w0.center).abs() < 1e-9,
        "horizontal keeps the centre"
    );
    assert_eq!(geometry(&harness, 0).1, o0, "a window drag does not pan");
    // Down (right button): the centre goes up, the width stays.
    drag(
        &mut harness,
        from,
        from + egui::vec2(0.0, 60.0),
        PointerButton::Secondary,
    );
    let w2 = window_of(&harness, 0);
    assert!(
        w2.center > w1.center,
        "down raises the centre: {w1:?} → {w2:?}"
    );
    assert!(
        (w2.width - w1.width).abs() < 1e-9,
        "vertical keeps the width"
    );
    harness.get_by_label_contains("Window: manual");
}

#[test]
fn i_inverts_the_image_under_the_pointer_or_all() {
    let mut harness = p001();
    harness.hover_at(inside_first(&harness));
    harness.key_press(egui::Key::I);
    harness.step();
    assert!(vp(&harness, 0).inverted() && !vp(&harness, 1).inverted());
    harness.get_by_label_contains(", inverted");
    harness.remove_cursor();
    harness.key_press(egui::Key::I);
    harness.step();
    assert!(!vp(&harness, 0).inverted() && vp(&harness, 1).inverted());
}

#[test]
fn escape_and_double_click_reset() {
    let mut harness = p001();
    let at = inside_first(&harness);
    let (z0, o0, _) = geometry(&harness, 0);
    let w0 = window_of(&harness, 0);
    let case = harness.state().case().expect("case");
    let reader = case.images[0].info.window.expect("the sample has a window");
    assert_eq!(
        (w0.center, w0.width),
        (reader.center, reader.width),
        "opens with the file window"
    );
    let mess = |harness: &mut Harness<'_, ScrewIdApp>| {
        wheel(harness, at, 3.0);
        drag(
            harness,
            at,
            at + egui::vec2(15.0, 25.0),
            PointerButton::Secondary,
        );
        harness.hover_at(at);
        harness.key_press(egui::Key::I);
        harness.step();
        assert!(vp(harness, 0).zoom() > z0 && vp(harness, 0).inverted());
    };
    let is_reset = |harness: &Harness<'_, ScrewIdApp>| {
        let (z, o, _) = geometry(harness, 0);
        assert!(
            (z - z0).abs() < 1e-4 && (o - o0).length() < 1e-3,
            "fit {z0} {o0:?}, got {z} {o:?}"
        );
        assert_eq!(window_of(harness, 0), w0);
        assert!(!vp(harness, 0).inverted());
    };
    mess(&mut harness);
    harness.key_press(egui::Key::Escape);
    harness.step();
    is_reset(&harness);
    mess(&mut harness);
    for _ in 0..2 {
        press(&harness, at, PointerButton::Primary, true);
        press(&harness, at, PointerButton::Primary, false);
    }
    harness.step();
    is_reset(&harness);
}

#[test]
fn number_keys_choose_the_files_windows() {
    // A 64 x 64 ramp with two stored windows, beside the P001 AP view.
    let extra = vec![
        (0x0028, 0x1050, "DS", support::text("1000\\3000")),
        (0x0028, 0x1051, "DS", support::text("400\\2000")),
        (0x0028, 0x1055, "LO", support::text("BONE\\SOFT")),
    ];
    let ramp: Vec<u16> = (0..64 * 64).map(|i| u16::try_from(i).unwrap()).collect();
    let tmp = tempfile::tempdir().unwrap();
    let two = support::write(
        tmp.path(),
        "two.dcm",
        &support::grey16(64, 64, &ramp, &extra),
    );
    let mut harness = app_with(vec![two]);
    settle(&mut harness);
    let w = window_of(&harness, 0);
    assert_eq!((w.center, w.width), (1000.0, 400.0), "opens with the first");
    harness.get_by_label_contains("Window: BONE [1]");
    harness.key_press(egui::Key::Num2);
    harness.step();
    let w = window_of(&harness, 0);
    assert_eq!((w.center, w.width), (3000.0, 2000.0));
    harness.get_by_label_contains("Window: SOFT [2] C 3000 W 2000");
    // 3: automatic, 4: full range (LINEAR_EXACT over 0..4095 → centre 2047.5).
    harness.key_press(egui::Key::Num4);
    harness.step();
    let w = window_of(&harness, 0);
    assert_eq!((w.center, w.width), (2047.5, 4095.0));
    harness.get_by_label_contains("full range [4]");
    harness.key_press(egui::Key::Num1);
    harness.step();
    let w = window_of(&harness, 0);
    assert_eq!((w.center, w.width), (1000.0, 400.0));
}

#[test]
fn h_and_f1_toggle_the_help() {
    let mut harness = p001();
    assert!(
        harness
            .query_by_label_contains("zoom at the cursor")
            .is_none()
    );
    harness.key_press(egui::Key::H);
    harness.step();
    assert!(harness.state().viewer().unwrap().help_shown());
    harness.get_by_label_contains("Viewer shortcuts");
    harness.get_by_label_contains("zoom at the cursor");
    harness.key_press(egui::Key::F1);
    harness.run_steps(2);
    assert!(!harness.state().viewer().unwrap().help_shown());
    assert!(
        harness
            .query_by_label_contains("zoom at the cursor")
            .is_none()
    );
}

#[test]
fn p_hides_and_shows_the_patient_text() {
    let mut harness = p001();
    assert!(harness.state().viewer().unwrap().patient_text_shown());
    let shown = |h: &Harness<'_, ScrewIdApp>| h.query_all_by_label_contains("PHANTOM^P001").count();
    assert_eq!(shown(&harness), 2, "on both views");
    harness.key_press(egui::Key::P);
    harness.step();
    assert!(!harness.state().viewer().unwrap().patient_text_shown());
    assert_eq!(shown(&harness), 0);
    harness.key_press(egui::Key::P);
    harness.step();
    assert_eq!(shown(&harness), 2);
}

#[test]
fn tab_shows_one_view_large_in_turn() {
    let mut harness = p001();
    let side = vp(&harness, 0).view();
    let mut seen = Vec::new();
    for _ in 0..3 {
        harness.key_press(egui::Key::Tab);
        harness.step();
        seen.push(harness.state().viewer().unwrap().layout());
    }
    assert_eq!(
        seen,
        [Layout::Large(0), Layout::Large(1), Layout::SideBySide]
    );
    harness.key_press(egui::Key::Tab);
    harness.step();
    assert!(
        vp(&harness, 0).view().width() > 1.5 * side.width(),
        "large is larger"
    );
}

#[test]
fn selecting_a_screw_zooms_to_it() {
    let mut harness = p001();
    let case = harness.state().case().unwrap();
    // Row #1 of the side panel's table is the topmost screw of the first image.
    let image = 0;
    let screw = case.report.images[image]
        .screws
        .iter()
        .map(|s| s.box_in_image)
        .min_by(|a, b| a.centre().1.total_cmp(&b.centre().1))
        .expect("P001 has screws");
    let z0 = vp(&harness, image).zoom();
    harness.get_by_label("#1").click();
    harness.run_steps(2);
    let (z, o, view) = geometry(&harness, image);
    let on_screen = egui::Rect::from_min_max(
        view.min + o + egui::vec2(screw.x0, screw.y0) * z,
        view.min + o + egui::vec2(screw.x1, screw.y1) * z,
    );
    assert!(z > z0, "zoomed in: {z0} → {z}");
    assert!(view.contains_rect(on_screen), "{on_screen:?} in {view:?}");
    let share = (on_screen.width() / view.width()).max(on_screen.height() / view.height());
    assert!(share > 0.4, "the box fills {share} of the view");
    assert!(
        (on_screen.center() - view.center()).length() < 1.0,
        "centred: {:?} vs {:?}",
        on_screen.center(),
        view.center()
    );
}

/// Re-windowing a 2500 x 2000 16-bit film re-renders the 2048-pixel texture copy, not the
/// full image; prints how long one re-render takes (the budget is a frame or two).
#[test]
fn rewindowing_a_large_film_renders_at_texture_resolution() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("large.png");
    let ramp = image::ImageBuffer::from_fn(2500, 2000, |x, y| {
        image::Luma([u16::try_from((x * 13 + y * 7) % 65536).unwrap()])
    });
    ramp.save(&path).unwrap();
    let r = screwid::radiograph::load(&path).unwrap();
    let ctx = egui::Context::default();
    let presets = r.levels.presets();
    let mut vp = Viewport::new(&ctx, "large", &r.levels, presets, 2048);
    let size = vp.texture().size();
    assert_eq!(size, [2048, 1638], "texture copy at 2048 pixels a side");
    let started = std::time::Instant::now();
    for preset in [0, 1, 0] {
        vp.choose_preset(preset);
        let _ = vp.texture();
    }
    let each = started.elapsed() / 3;
    eprintln!("re-windowing 2500 x 2000 (texture 2048 x 1638): {each:?} per change");
    assert!(each < std::time::Duration::from_secs(2), "{each:?}");
}
