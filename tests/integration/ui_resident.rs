//! Resident mode in the desktop app, under egui_kittest: blind reads of two samples, the
//! saved reads, and the summary's agreement with the truth.

use std::path::{Path, PathBuf};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use screwid::app::{AppOptions, ScrewIdApp};
use screwid::pack::bundled_pack_dir;

use super::ui::settle;
use super::util::{Truth, samples};

/// The pack's class names, from its manifest (not from the app).
fn classes() -> Vec<String> {
    let text = std::fs::read_to_string(bundled_pack_dir().join("manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    manifest["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Every piece of text painted in the last frame (box captions are painted, not widgets,
/// so they are not in the accessibility tree).
fn painted_texts(harness: &Harness<'_, ScrewIdApp>) -> Vec<String> {
    fn walk(shape: &egui::Shape, out: &mut Vec<String>) {
        match shape {
            egui::Shape::Text(t) => out.push(t.galley.text().to_owned()),
            egui::Shape::Vec(v) => v.iter().for_each(|s| walk(s, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for clipped in &harness.output().shapes {
        walk(&clipped.shape, &mut out);
    }
    out
}

/// A box caption as the app draws it: a class (or "uncertain"), a space, a percentage.
fn is_caption(text: &str, classes: &[String]) -> bool {
    let Some((label, rest)) = text.split_once(' ') else {
        return false;
    };
    let known = label == "uncertain" || classes.iter().any(|c| c == label);
    known
        && rest
            .strip_suffix('%')
            .is_some_and(|n| n.parse::<u32>().is_ok())
}

fn captions(harness: &Harness<'_, ScrewIdApp>, classes: &[String]) -> usize {
    painted_texts(harness)
        .iter()
        .filter(|t| is_caption(t, classes))
        .count()
}

fn files_of(dir: &Path, truth: &Truth) -> Vec<PathBuf> {
    truth.images.iter().map(|i| dir.join(&i.file)).collect()
}

/// Opens a sample with resident mode on and checks that the answer is hidden.
fn open_blind(harness: &mut Harness<'_, ScrewIdApp>, files: Vec<PathBuf>, classes: &[String]) {
    harness.state_mut().open(files);
    settle(harness);
    let case = harness.state().case().expect("the sample was analysed");
    assert!(
        case.report.screws().count() > 0,
        "no screws, so hidden captions prove nothing"
    );
    assert!(harness.query_by_label_contains("Verdict:").is_none());
    assert_eq!(
        captions(harness, classes),
        0,
        "{:?}",
        painted_texts(harness)
    );
}

fn check(harness: &Harness<'_, ScrewIdApp>, role: Role, label: &str) {
    harness.get_by_role_and_label(role, label).click();
}

fn reveal(harness: &mut Harness<'_, ScrewIdApp>) {
    harness.get_by_label("Reveal").click();
    harness.run_steps(3);
}

fn saved_lines(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("reads.jsonl")).unwrap();
    text.lines().map(str::to_owned).collect()
}

#[test]
fn a_resident_reads_blind_then_compares() {
    let classes = classes();
    let data = tempfile::tempdir().unwrap();
    let mut options = AppOptions::new(bundled_pack_dir(), Vec::new());
    options.data_dir = Some(data.path().to_path_buf());
    let mut harness = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(|_cc| ScrewIdApp::new(options));
    settle(&mut harness);
    check(&harness, Role::CheckBox, "Resident mode");
    harness.run_steps(2);

    let all = samples();
    let (p001, p002) = (&all[0], &all[1]);
    assert_eq!(p001.1.designs, ["Stryker"]);
    let mut mixed = p002.1.designs.clone();
    mixed.sort();
    assert_eq!(mixed, ["Medtronic", "NuVasive"]);

    // P001: Stryker for the patient, and the first AP screw read as Stryker too.
    open_blind(&mut harness, files_of(&p001.0, &p001.1), &classes);
    check(&harness, Role::CheckBox, "Stryker");
    harness.run_steps(2);
    harness.get_by_label("ap screw 1").click();
    harness.run_steps(2);
    check(&harness, Role::RadioButton, "Stryker");
    harness.run_steps(2);
    reveal(&mut harness);
    harness.get_by_label_contains("Verdict:");
    harness.get_by_label_contains("Patient: you Stryker, model ");
    harness.get_by_label("Patient vs truth (Stryker): agree");
    harness.get_by_label_contains("agree with the model");
    assert!(
        captions(&harness, &classes) > 0,
        "revealed boxes carry captions"
    );

    let lines = saved_lines(data.path());
    assert_eq!(lines.len(), 1);
    // The pack is named in lowercase ("phantom-demo"); the patient's name is PHANTOM^P001.
    assert!(
        !lines[0].contains("PHANTOM") && !lines[0].contains("P001"),
        "{}",
        lines[0]
    );
    let read: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(read["patient"]["resident"], serde_json::json!(["Stryker"]));
    assert_eq!(read["patient"]["truth"], serde_json::json!(["Stryker"]));
    assert_eq!(read["screws"][0]["resident"], "Stryker");
    let key = read["case"].as_str().unwrap();
    assert!(
        key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit()),
        "{key}"
    );

    // P002 (mixed Medtronic and NuVasive), read as Medtronic alone.
    open_blind(&mut harness, files_of(&p002.0, &p002.1), &classes);
    check(&harness, Role::CheckBox, "Medtronic");
    harness.run_steps(2);
    reveal(&mut harness);
    harness.get_by_label("Patient vs truth (Medtronic + NuVasive): disagree");
    assert_eq!(saved_lines(data.path()).len(), 2);

    // Against the truth the pairs are (Stryker, Stryker) and (Medtronic, Medtronic +
    // NuVasive): p_o = 1/2. Each side gives each of its two labels once, and only Stryker
    // is shared, so p_e = 1/2 · 1/2 = 1/4 and kappa = (1/2 − 1/4) / (1 − 1/4) = 1/3.
    harness.get_by_label("Reads summary").click();
    harness.run_steps(3);
    harness.get_by_label("Reads: 2");
    harness.get_by_label("Accuracy vs the truth: 50 %");
    harness.get_by_label("Cohen's kappa vs the truth: 0.33");
    harness.get_by_label("You vs the model (2 reads)");
    harness.get_by_label_contains("Screws read: 1;");
}
