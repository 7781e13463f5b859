//! "Export report…" in the app, through the method the button's dialog ends in.

use egui_kittest::kittest::Queryable;

use super::ui::{app_with, settle};
use super::util::samples;

#[test]
fn exporting_the_open_case_writes_the_file_and_says_so() {
    let (dir, truth) = samples()
        .into_iter()
        .find(|(_, t)| t.patient == "P001")
        .unwrap();
    let files = truth.images.iter().map(|i| dir.join(&i.file)).collect();
    let mut harness = app_with(files);
    settle(&mut harness);
    assert!(harness.state().case().is_some(), "the sample was analysed");
    harness.get_by_label("Export report…");
    harness.get_by_label("include patient identifiers");

    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("case.pdf");
    harness.state_mut().export_report(path.clone(), false);
    settle(&mut harness);

    assert!(path.is_file(), "the report was written");
    assert!(std::fs::read(&path).unwrap().starts_with(b"%PDF-"));
    let messages: Vec<String> = harness.state().messages().map(str::to_owned).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("Report written") && m.ends_with(&path.display().to_string())),
        "{messages:?}"
    );
    harness.get_by_label_contains("Report written");
}
