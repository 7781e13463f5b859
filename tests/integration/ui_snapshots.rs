//! Snapshot images of the app's main screens: each screen is rendered by wgpu on a software
//! adapter (mesa's lavapipe, or llvmpipe over EGL) and compared with its PNG in
//! `tests/snapshots/`. `UPDATE_SNAPSHOTS=1` rewrites the PNGs (see the README).
//!
//! Without an adapter the tests skip with a printed reason, except under
//! `SCREWID_REQUIRE_SHARED=1` (CI), where that is a failure.

use std::path::{Path, PathBuf};

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use egui_kittest::wgpu::WgpuTestRenderer;
use egui_kittest::{Harness, SnapshotOptions};
use screwid::app::{AppOptions, ScrewIdApp};
use screwid::pack::bundled_pack_dir;

use super::ui::settle;
use super::util::{Truth, root, samples};

/// Small enough that the PNGs stay small, large enough that the side panel, both images and
/// the table are all on screen and legible.
const WINDOW: [f32; 2] = [1200.0, 800.0];

/// How far a pixel may drift in colour (dify's weighted squared YIQ distance) before it
/// counts as different: the crate's default, which absorbs the anti-aliasing differences
/// between software rasterisers and mesa versions.
const PIXEL_THRESHOLD: f32 = 0.6;

/// How many pixels may differ beyond that. On mesa 22.3, llvmpipe (GL, `WGPU_BACKEND=gl`)
/// and lavapipe (Vulkan) rendered every screen here with no pixel past the threshold; the
/// allowance is for other mesa versions (a few glyph edges), while leaving out one box
/// outline per image (tried on purpose once) failed the analysed screens by 348 to 488
/// pixels.
const MAX_FAILED_PIXELS: usize = 50;

fn snapshot_options() -> SnapshotOptions {
    SnapshotOptions::new()
        .threshold(PIXEL_THRESHOLD)
        .max_failed_pixels(MAX_FAILED_PIXELS)
        .output_path(root().join("tests").join("snapshots"))
}

/// A wgpu renderer on whatever adapter wgpu finds (kittest prefers a CPU one), or `None`
/// with a printed reason when there is none.
fn renderer() -> Option<WgpuTestRenderer> {
    // kittest panics when wgpu finds no adapter; that panic is the only signal it gives.
    if let Ok(renderer) = std::panic::catch_unwind(WgpuTestRenderer::new) {
        return Some(renderer);
    }
    assert!(
        std::env::var("SCREWID_REQUIRE_SHARED").as_deref() != Ok("1"),
        "SCREWID_REQUIRE_SHARED=1 but wgpu found no adapter to render snapshots \
         (install mesa-vulkan-drivers for lavapipe)"
    );
    eprintln!("skipping: wgpu found no adapter to render snapshots (install mesa-vulkan-drivers)");
    None
}

/// The app in a fixed-size window at one pixel per point, settled (pack loaded, files
/// analysed).
fn app(options: AppOptions) -> Option<Harness<'static, ScrewIdApp>> {
    let renderer = renderer()?;
    let mut harness = Harness::builder()
        .with_size(WINDOW)
        .with_pixels_per_point(1.0)
        .renderer(renderer)
        .build_eframe(|_cc| ScrewIdApp::new(options));
    settle(&mut harness);
    Some(harness)
}

fn app_with(files: Vec<PathBuf>) -> Option<Harness<'static, ScrewIdApp>> {
    app(AppOptions::new(bundled_pack_dir(), files))
}

/// Renders the screen and compares it with `tests/snapshots/{name}.png`.
fn check_snapshot(harness: &mut Harness<'_, ScrewIdApp>, name: &str) {
    if let Err(e) = harness.try_snapshot_options(name, &snapshot_options()) {
        panic!("{e}");
    }
}

fn files_of(dir: &Path, truth: &Truth) -> Vec<PathBuf> {
    truth.images.iter().map(|i| dir.join(&i.file)).collect()
}

/// The sample patient `P00n`, by its folder name.
fn sample(name: &str) -> (PathBuf, Truth) {
    samples()
        .into_iter()
        .find(|(dir, _)| dir.ends_with(name))
        .unwrap_or_else(|| panic!("no sample {name}"))
}

#[test]
fn snapshot_empty_window_after_the_pack_loaded() {
    let Some(mut harness) = app_with(Vec::new()) else {
        return;
    };
    assert!(harness.state().case().is_none());
    harness.get_by_label_contains("Model pack: phantom-demo");
    check_snapshot(&mut harness, "empty_window");
}

#[test]
fn snapshot_p001_analysed() {
    let (dir, truth) = sample("P001");
    let Some(mut harness) = app_with(files_of(&dir, &truth)) else {
        return;
    };
    assert_eq!(
        harness.state().case().expect("P001 analysed").images.len(),
        2
    );
    harness.get_by_label_contains("Verdict:");
    check_snapshot(&mut harness, "p001_analysed");
}

#[test]
fn snapshot_p002_mixed_implants() {
    let (dir, truth) = sample("P002");
    assert!(truth.mixed, "P002 is the mixed sample");
    let Some(mut harness) = app_with(files_of(&dir, &truth)) else {
        return;
    };
    harness.get_by_label_contains("Mixed implants");
    check_snapshot(&mut harness, "p002_mixed");
}

#[test]
fn snapshot_p001_with_a_selected_screw() {
    let (dir, truth) = sample("P001");
    let Some(mut harness) = app_with(files_of(&dir, &truth)) else {
        return;
    };
    harness.get_by_label("#1").click();
    harness.run_steps(3);
    assert!(harness.state().selected_screw().is_some());
    harness.get_by_label_contains("Selected screw:");
    check_snapshot(&mut harness, "p001_selected_screw");
}

#[test]
fn snapshot_folder_window_of_the_samples() {
    let Some(mut harness) = app_with(Vec::new()) else {
        return;
    };
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .open_folder(&ctx, &root().join("assets").join("samples"));
    settle(&mut harness);
    harness.get_by_label_contains("3 patients, 3 studies");
    check_snapshot(&mut harness, "folder_samples");
}

#[test]
fn snapshot_resident_mode_before_the_reveal() {
    let data = tempfile::tempdir().unwrap();
    let mut options = AppOptions::new(bundled_pack_dir(), Vec::new());
    options.data_dir = Some(data.path().to_path_buf());
    let Some(mut harness) = app(options) else {
        return;
    };
    harness
        .get_by_role_and_label(Role::CheckBox, "Resident mode")
        .click();
    harness.run_steps(2);
    let (dir, truth) = sample("P001");
    harness.state_mut().open(files_of(&dir, &truth));
    settle(&mut harness);
    assert!(harness.state().case().is_some());
    assert!(harness.query_by_label_contains("Verdict:").is_none());
    harness.get_by_label("Reveal");
    check_snapshot(&mut harness, "resident_before_reveal");
}
