//! The app's workspace under egui_kittest: folders listed by patient and study, the pair
//! picked from a study, dropped folders, recent cases and settings, cancelling an
//! analysis, switching packs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use dicom_dictionary_std::tags;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use screwid::app::{AppOptions, ScrewIdApp, Settings};
use screwid::pack::bundled_pack_dir;

use super::reader_support::{grey16, text};
use super::ui::{app_with, settle};
use super::util::{root, samples};

fn sample_dir() -> PathBuf {
    root().join("assets").join("samples")
}

/// The file names of the case on screen.
fn case_files(harness: &Harness<'_, ScrewIdApp>) -> Vec<String> {
    let case = harness.state().case().expect("a case is shown");
    case.images.iter().map(|i| i.name.clone()).collect()
}

/// Steps until a widget with `label` exists (a button appears once work has started).
fn step_until_label(harness: &mut Harness<'_, ScrewIdApp>, label: &str) {
    for _ in 0..2000 {
        if harness.query_by_label(label).is_some() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
        harness.step();
    }
    panic!("no widget labelled {label:?} appeared");
}

#[test]
fn a_folder_lists_its_patients_and_a_study_is_analysed_from_it() {
    let mut harness = app_with(Vec::new());
    settle(&mut harness);
    let ctx = harness.ctx.clone();
    harness.state_mut().open_folder(&ctx, &sample_dir());
    settle(&mut harness);

    let scan = harness
        .state()
        .folder_scan()
        .expect("the folder was scanned");
    assert_eq!(scan.patients.len(), samples().len());
    harness.get_by_label_contains("PHANTOM^P001");
    harness.get_by_label_contains("PHANTOM^P003");
    harness.get_by_label_contains("3 patients, 3 studies");

    // The first study's "Analyse" button: its two images go to the pipeline.
    harness.get_all_by_label("Analyse").next().unwrap().click();
    settle(&mut harness);
    let mut names = case_files(&harness);
    names.sort();
    assert_eq!(names, ["ap.dcm", "lateral.dcm"]);
}

/// A copy of P001's study with a third image in it: a flat 64 × 64 film with the same
/// patient and study, which is neither the AP nor the lateral.
fn study_of_three(dir: &Path) {
    let p001 = sample_dir().join("P001");
    for name in ["ap.dcm", "lateral.dcm"] {
        std::fs::copy(p001.join(name), dir.join(name)).unwrap();
    }
    let obj = dicom_object::open_file(p001.join("ap.dcm")).unwrap();
    let value = |tag| {
        obj.element(tag)
            .unwrap()
            .to_str()
            .unwrap()
            .trim_matches(['\0', ' '])
            .to_owned()
    };
    let extra = [
        (0x0010, 0x0020, "LO", text(&value(tags::PATIENT_ID))),
        (0x0020, 0x000D, "UI", text(&value(tags::STUDY_INSTANCE_UID))),
    ];
    let flat = vec![1000_u16; 64 * 64];
    std::fs::write(dir.join("IM0003"), grey16(64, 64, &flat, &extra)).unwrap();
}

/// The app with a folder holding [`study_of_three`] listed in its folder window.
fn listed_study_of_three() -> (tempfile::TempDir, Harness<'static, ScrewIdApp>) {
    let dir = tempfile::tempdir().unwrap();
    study_of_three(dir.path());
    let mut harness = app_with(Vec::new());
    settle(&mut harness);
    let ctx = harness.ctx.clone();
    harness.state_mut().open_folder(&ctx, dir.path());
    settle(&mut harness);
    (dir, harness)
}

#[test]
fn a_study_analysed_whole_gets_its_pair_from_the_view_classifier() {
    let (_dir, mut harness) = listed_study_of_three();
    let scan = harness.state().folder_scan().unwrap();
    assert_eq!(scan.patients.len(), 1);
    assert_eq!(scan.patients[0].studies[0].images.len(), 3);

    harness.get_by_label("Analyse").click();
    settle(&mut harness);
    assert_eq!(case_files(&harness), ["ap.dcm", "lateral.dcm"]);
    let messages: Vec<&str> = harness.state().messages().collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("2 of 3 images analysed")),
        "{messages:?}"
    );
}

#[test]
fn ticked_images_are_analysed_as_chosen() {
    let (_dir, mut harness) = listed_study_of_three();
    harness.get_by_label_contains("lateral.dcm").click();
    harness.run_steps(2);
    harness.get_by_label("Analyse").click();
    settle(&mut harness);
    assert_eq!(case_files(&harness), ["lateral.dcm"]);
}

/// A file dropped on the window, as the windowing layer hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_dropped_folder_is_listed() {
    let mut harness = app_with(Vec::new());
    settle(&mut harness);
    harness
        .input_mut()
        .dropped_files
        .push(Arc::new(Dropped(sample_dir().join("P002"))));
    harness.step();
    settle(&mut harness);
    let scan = harness
        .state()
        .folder_scan()
        .expect("the dropped folder was scanned");
    assert_eq!(scan.patients.len(), 1);
    harness.get_by_label_contains("PHANTOM^P002");
}

#[test]
fn the_same_film_twice_counts_once() {
    let p001 = sample_dir().join("P001");
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy-of-ap.dcm");
    std::fs::copy(p001.join("ap.dcm"), &copy).unwrap();
    let mut harness = app_with(vec![p001.join("ap.dcm"), copy]);
    settle(&mut harness);
    assert_eq!(case_files(&harness), ["ap.dcm"]);
    assert!(
        harness
            .state()
            .messages()
            .any(|m| m.contains("copy-of-ap.dcm is the same image as ap.dcm"))
    );
}

fn app_with_settings(file: &Path, files: Vec<PathBuf>) -> Harness<'static, ScrewIdApp> {
    let mut options = AppOptions::new(bundled_pack_dir(), files);
    options.settings_file = Some(file.to_path_buf());
    Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(|_cc| ScrewIdApp::new(options))
}

#[test]
fn an_opened_case_is_remembered_and_reopened_from_the_recent_menu() {
    let dir = tempfile::tempdir().unwrap();
    let settings_file = dir.path().join("settings.json");
    let p003 = sample_dir().join("P003");
    let files = vec![p003.join("ap.dcm"), p003.join("lateral.dcm")];
    let mut first = app_with_settings(&settings_file, files.clone());
    settle(&mut first);
    drop(first);

    let saved = Settings::load(&settings_file);
    assert_eq!(saved.recent, vec![files]);
    assert_eq!(saved.last_folder.as_deref(), Some(p003.as_path()));

    let mut second = app_with_settings(&settings_file, Vec::new());
    settle(&mut second);
    assert!(second.state().case().is_none());
    second.get_by_label("Recent").click();
    second.run_steps(2);
    second.get_by_label_contains("P003/ap.dcm").click();
    settle(&mut second);
    assert_eq!(case_files(&second), ["ap.dcm", "lateral.dcm"]);
}

#[test]
fn a_threshold_from_an_earlier_session_applies_to_the_next_case() {
    let dir = tempfile::tempdir().unwrap();
    let settings_file = dir.path().join("settings.json");
    // 0.99: nearly every phantom screw falls below it, so most become uncertain.
    Settings {
        threshold: Some(0.99),
        ..Settings::default()
    }
    .save(&settings_file);
    let p001 = sample_dir().join("P001");
    let mut harness = app_with_settings(&settings_file, vec![p001.join("ap.dcm")]);
    settle(&mut harness);
    let report = &harness.state().case().unwrap().report;
    for screw in report.images.iter().flat_map(|i| &i.screws) {
        assert_eq!(
            screw.label == "uncertain",
            screw.confidence < 0.99,
            "{} at {}",
            screw.label,
            screw.confidence
        );
    }
}

#[test]
fn a_running_analysis_can_be_cancelled() {
    let (dir, _) = samples().remove(0);
    let mut harness = app_with(vec![dir.join("ap.dcm"), dir.join("lateral.dcm")]);
    step_until_label(&mut harness, "Cancel");
    harness.get_by_label("Cancel").click();
    settle(&mut harness);
    assert!(harness.state().case().is_none());
    assert!(
        harness
            .state()
            .messages()
            .any(|m| m == "analysis cancelled")
    );
}

#[test]
fn switching_to_a_folder_without_a_pack_says_so_and_switching_back_reanalyses() {
    let (dir, _) = samples().remove(0);
    let mut harness = app_with(vec![dir.join("ap.dcm")]);
    settle(&mut harness);
    let empty = tempfile::tempdir().unwrap();
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .switch_pack(&ctx, empty.path().to_path_buf());
    settle(&mut harness);
    harness.get_by_label_contains("No model pack:");

    harness.state_mut().switch_pack(&ctx, bundled_pack_dir());
    settle(&mut harness);
    harness.get_by_label_contains("Model pack: phantom-demo");
    assert_eq!(case_files(&harness), ["ap.dcm"]);
}

#[test]
fn a_table_row_selects_its_screw_and_shows_its_crop_and_probabilities() {
    let (dir, _) = samples().remove(0);
    let mut harness = app_with(vec![dir.join("ap.dcm")]);
    settle(&mut harness);
    let report = harness.state().case().unwrap().report.clone();
    assert!(
        !report.images[0].screws.is_empty(),
        "the sample AP has screws"
    );
    // Row #1 is the topmost screw of the first image (reading order).
    let topmost = (0..report.images[0].screws.len())
        .min_by(|&a, &b| {
            let ya = report.images[0].screws[a].box_in_image.centre().1;
            let yb = report.images[0].screws[b].box_in_image.centre().1;
            ya.total_cmp(&yb)
        })
        .unwrap();

    harness.get_by_label("#1").hover();
    harness.run_steps(2);
    assert_eq!(harness.state().hovered_screw(), Some((0, topmost)));

    harness.get_by_label("#1").click();
    harness.run_steps(3);
    assert_eq!(harness.state().selected_screw(), Some((0, topmost)));
    let screw = &report.images[0].screws[topmost];
    harness.get_by_label_contains(&format!("Selected screw: {}", screw.caption()));
    // One bar per class, each showing that class's probability.
    for (class, p) in &screw.probabilities {
        let text = format!("{:.0} %", p * 100.0);
        assert!(
            harness.query_all_by_label(&text).count() >= 2,
            "{class}: {text} in the table and on its bar"
        );
    }
}

#[test]
fn the_mixed_panel_names_each_manufacturers_screws_by_table_number() {
    let (dir, truth) = samples()
        .into_iter()
        .find(|(_, t)| t.mixed)
        .expect("a mixed sample");
    let files = truth.images.iter().map(|i| dir.join(&i.file)).collect();
    let mut harness = app_with(files);
    settle(&mut harness);
    let report = harness.state().case().unwrap().report.clone();
    let verdict = &report.verdict;
    assert!(verdict.mixed, "the mixed sample is flagged mixed");
    // Table order: image by image, top of the film down, then left to right.
    let mut rows: Vec<(usize, f32, f32, String)> = report
        .screws()
        .map(|(i, s)| {
            let (x, y) = s.box_in_image.centre();
            (i, y, x, s.effective_label().to_owned())
        })
        .collect();
    rows.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.total_cmp(&b.1))
            .then(a.2.total_cmp(&b.2))
    });
    for label in &verdict.mixed_labels {
        let numbers: Vec<String> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| &r.3 == label)
            .map(|(n, _)| format!("#{}", n + 1))
            .collect();
        let n = verdict.both.votes[label];
        assert_eq!(numbers.len(), n as usize);
        harness.get_by_label(&format!("{label}: {n} screws ({})", numbers.join(", ")));
    }
}

#[test]
fn moving_the_threshold_slider_relabels_the_screws_and_votes_again() {
    let (dir, _) = samples().remove(0);
    let mut harness = app_with(vec![dir.join("ap.dcm"), dir.join("lateral.dcm")]);
    settle(&mut harness);
    harness
        .get_by_role(egui::accesskit::Role::Slider)
        .set_value_accesskit(0.99);
    harness.run_steps(3);
    let report = &harness.state().case().unwrap().report;
    let mut confident = 0;
    for screw in report.images.iter().flat_map(|i| &i.screws) {
        assert_eq!(
            screw.label == "uncertain",
            screw.confidence < 0.99,
            "{screw:?}"
        );
        confident += u32::from(screw.label != "uncertain");
    }
    // The vote follows: only the screws still confident are counted.
    let counted: u32 = report
        .verdict
        .both
        .votes
        .iter()
        .filter(|(k, _)| k.as_str() != "uncertain")
        .map(|(_, n)| n)
        .sum();
    assert_eq!(counted, confident);
}

#[test]
fn a_case_opened_while_another_runs_replaces_it() {
    let all = samples();
    let (first, _) = &all[0];
    let (second, _) = &all[2];
    let mut harness = app_with(vec![first.join("ap.dcm"), first.join("lateral.dcm")]);
    step_until_label(&mut harness, "Cancel");
    let files = vec![second.join("ap.dcm"), second.join("lateral.dcm")];
    harness.state_mut().open(files.clone());
    settle(&mut harness);
    assert_eq!(harness.state().case().unwrap().files, files);
    // Nothing from the first case arrives later.
    for _ in 0..20 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        harness.step();
    }
    assert_eq!(harness.state().case().unwrap().files, files);
}

#[test]
fn hovering_a_box_marks_its_screw() {
    let (dir, _) = samples().remove(0);
    let mut harness = app_with(vec![dir.join("ap.dcm"), dir.join("lateral.dcm")]);
    settle(&mut harness);
    let report = harness.state().case().unwrap().report.clone();
    // The lateral image's smallest box: the one the app picks under the pointer when
    // boxes overlap.
    let image = 1;
    let screws = &report.images[image].screws;
    let s = (0..screws.len())
        .min_by(|&a, &b| {
            screws[a]
                .box_in_image
                .area()
                .total_cmp(&screws[b].box_in_image.area())
        })
        .expect("the lateral has screws");
    let viewport = harness.state().viewer().unwrap().viewport(image).unwrap();
    let (cx, cy) = screws[s].box_in_image.centre();
    let at = viewport.view().min + viewport.origin() + egui::vec2(cx, cy) * viewport.zoom();
    harness.hover_at(at);
    harness.run_steps(2);
    assert_eq!(harness.state().hovered_screw(), Some((image, s)));
}

#[test]
fn images_of_two_patients_are_flagged() {
    let all = samples();
    let files = vec![all[0].0.join("ap.dcm"), all[2].0.join("lateral.dcm")];
    let mut harness = app_with(files);
    settle(&mut harness);
    let messages: Vec<&str> = harness.state().messages().collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("name different patients")),
        "{messages:?}"
    );
}
