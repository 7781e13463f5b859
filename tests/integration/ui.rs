//! The desktop app, driven headless by egui_kittest.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use screwid::app::{AppOptions, ScrewIdApp};
use screwid::pack::bundled_pack_dir;

use super::util::samples;

/// Steps the app until its background work is done (the models run on a worker thread).
pub fn settle(harness: &mut Harness<'_, ScrewIdApp>) {
    let deadline = Instant::now() + Duration::from_mins(5);
    harness.step();
    while harness.state().is_busy() {
        assert!(
            Instant::now() < deadline,
            "the app did not finish its analysis"
        );
        std::thread::sleep(Duration::from_millis(50));
        harness.step();
    }
    harness.run_steps(3);
}

/// The app on `files`, stepping 1/60 s a frame (kittest's default 1/4 s would make every
/// pair of clicks too slow for a double-click).
pub fn app_with(files: Vec<std::path::PathBuf>) -> Harness<'static, ScrewIdApp> {
    let options = AppOptions::new(bundled_pack_dir(), files);
    Harness::builder()
        .with_size([1400.0, 900.0])
        .with_step_dt(1.0 / 60.0)
        .build_eframe(|_cc| ScrewIdApp::new(options))
}

#[test]
fn opening_a_sample_shows_its_verdict_and_screws() {
    let (dir, truth) = samples().remove(0);
    let files = truth.images.iter().map(|i| dir.join(&i.file)).collect();
    let mut harness = app_with(files);
    settle(&mut harness);

    let case = harness.state().case().expect("the sample was analysed");
    assert_eq!(case.images.len(), 2);
    // The panel shows the pipeline's verdict (whether that verdict is right is the
    // pipeline tests' business), with the pack's banner beside it.
    let verdict = case.report.verdict.both.label.clone();
    harness.get_by_label_contains(&format!("Verdict: {verdict}"));
    harness.get_by_label_contains("Majority vote:");
    harness
        .get_by_label_contains("Trained on: Demonstration pack trained only on rendered phantoms");
    assert!(harness.query_by_label_contains("Mixed implants").is_none() || truth.mixed);
}

#[test]
fn an_unreadable_file_is_a_message_not_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("scan.dcm");
    std::fs::write(&bad, b"%PDF-1.4 not a radiograph").unwrap();
    let mut harness = app_with(vec![bad]);
    settle(&mut harness);
    assert!(harness.state().case().is_none());
    assert!(
        harness.state().messages().any(|m| m.contains("scan.dcm")),
        "{:?}",
        harness.state().messages().collect::<Vec<_>>()
    );
}
