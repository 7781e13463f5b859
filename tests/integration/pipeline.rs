//! The whole pipeline on the bundled sample patients, judged against the generator's own
//! labels (`truth.json`), and on real films without implants.

use std::sync::OnceLock;

use screwid::pack::{ModelPack, bundled_pack_dir};
use screwid::pipeline::{NamedRadiograph, analyze};
use screwid::radiograph;
use screwid::report::{ImageReport, Report};
use screwid::view::View;

use super::util::{Truth, TruthImage, majority_label, samples, shared_dir};

fn pack() -> &'static ModelPack {
    static PACK: OnceLock<ModelPack> = OnceLock::new();
    PACK.get_or_init(|| ModelPack::load(&bundled_pack_dir()).unwrap())
}

fn run(paths: &[std::path::PathBuf]) -> Report {
    let images: Vec<NamedRadiograph> = paths
        .iter()
        .map(|p| NamedRadiograph {
            name: p.display().to_string(),
            radiograph: radiograph::load(p).unwrap(),
        })
        .collect();
    analyze(pack(), &images, &|_| {}).unwrap()
}

fn analyse_sample(dir: &std::path::Path, truth: &Truth) -> Report {
    let paths: Vec<_> = truth.images.iter().map(|i| dir.join(&i.file)).collect();
    run(&paths)
}

/// Truth screws matched by a detection with `IoU` ≥ 0.5, and how many of those got the
/// truth's label.
fn matched(truth: &TruthImage, found: &ImageReport) -> (usize, usize) {
    let mut hits = 0;
    let mut right = 0;
    for t in &truth.screws {
        let best = found.screws.iter().max_by(|a, b| {
            a.box_in_image
                .iou(&t.box_in_image)
                .total_cmp(&b.box_in_image.iou(&t.box_in_image))
        });
        if let Some(s) = best.filter(|s| s.box_in_image.iou(&t.box_in_image) >= 0.5) {
            hits += 1;
            right += usize::from(s.label == t.label);
        }
    }
    (hits, right)
}

#[test]
fn samples_get_their_views_screws_and_labels() {
    let mut per_view = std::collections::BTreeMap::<String, [usize; 3]>::new();
    for (dir, truth) in samples() {
        let report = analyse_sample(&dir, &truth);
        for (t, found) in truth.images.iter().zip(&report.images) {
            assert_eq!(
                found.view.as_str(),
                t.view,
                "{}: {} classified as {:?}",
                truth.patient,
                t.file,
                found.view
            );
            let (hits, right) = matched(t, found);
            let e = per_view.entry(t.view.clone()).or_default();
            e[0] += t.screws.len();
            e[1] += hits;
            e[2] += right;
        }
    }
    for (view, [total, hits, right]) in per_view {
        #[expect(clippy::cast_precision_loss)]
        let (recall, accuracy) = (
            hits as f64 / total as f64,
            right as f64 / hits.max(1) as f64,
        );
        eprintln!("{view}: {hits}/{total} screws found, {right} labelled right");
        // Floors just under what the bundled pack 0.6.0 measures on these samples (AP 22 of
        // 22 found, 21 of them right; lateral 22 of 22 found, all right: its pair head finds
        // both overlapping screws of a level), so a regression in any stage shows.
        // TODO(#3): raise the AP accuracy floor to the 98 % once the pack reaches it.
        let (min_recall, min_accuracy) = if view == "ap" {
            (0.95, 0.85)
        } else {
            (0.95, 0.95)
        };
        assert!(
            recall >= min_recall,
            "{view}: detection recall {recall:.2} below {min_recall}"
        );
        assert!(
            accuracy >= min_accuracy,
            "{view}: per-screw accuracy {accuracy:.2} below {min_accuracy}"
        );
    }
}

#[test]
fn samples_get_the_right_verdict_and_mixed_patients_are_flagged() {
    for (dir, truth) in samples() {
        let report = analyse_sample(&dir, &truth);
        let v = &report.verdict;
        assert_eq!(
            v.both.label,
            majority_label(&truth),
            "{}: verdict",
            truth.patient
        );
        // A single-design patient is not flagged mixed by misreads on one film (P003 with
        // pack 0.5.0: 2 of its 8 AP screws read as Stryker, none of its lateral ones): the
        // pack asks a second design to show on both films.
        assert_eq!(v.mixed, truth.mixed, "{}: mixed flag", truth.patient);
        if truth.mixed {
            assert!(v.mixed, "{}: mixed patient not flagged", truth.patient);
            for design in &truth.designs {
                assert!(
                    v.mixed_labels.contains(design),
                    "{}: {design} missing from {:?}",
                    truth.patient,
                    v.mixed_labels
                );
            }
        }
    }
}

#[test]
fn images_come_out_in_input_order_whatever_the_views() {
    let (dir, truth) = samples().remove(0);
    let mut paths: Vec<_> = truth.images.iter().map(|i| dir.join(&i.file)).collect();
    paths.reverse();
    let report = run(&paths);
    assert!(report.images[0].file.ends_with(&truth.images[1].file));
    assert_eq!(report.images[0].view.as_str(), truth.images[1].view);
}

#[test]
fn real_films_without_implants_never_get_a_manufacturer() {
    let Some(shared) = shared_dir() else { return };
    let wg04 = shared.join("realdata").join("dicom-test-files-wg04");
    // Hip (RG2) and leg (RG3) films: not spine views, so not searched at all.
    for film in ["RG2_UNC", "RG3_UNC"].map(|f| wg04.join(f)) {
        let report = run(std::slice::from_ref(&film));
        let image = &report.images[0];
        assert_eq!(
            image.view,
            View::Other,
            "{} taken for {:?}",
            film.display(),
            image.view
        );
        assert!(image.note.is_some() && image.screws.is_empty());
        assert_eq!(report.verdict.both.label, "none");
    }
    // Chest films (RG1, and a DX chest): whatever the view model makes of them, a film
    // without implants must not come out with a manufacturer.
    // TODO(#3): the phantom-trained view model calls real chest films lateral; train
    // "other" on more realistic non-spine films so these are not searched either.
    let dx = shared
        .join("realdata")
        .join("pylibjpeg-data")
        .join("JPEG2KLossless_1s_1f_u_16_16.dcm");
    for film in [wg04.join("RG1_J2KI"), dx] {
        let report = run(std::slice::from_ref(&film));
        let label = &report.verdict.both.label;
        assert!(
            label == "none" || label == "uncertain",
            "{}: verdict {label}",
            film.display()
        );
    }
}

#[test]
fn a_file_without_pixel_spacing_is_analysed_with_a_caution_saying_so() {
    // The bundled pack's classifiers take the crop's scale, which needs the file's spacing.
    // The same film with its spacing removed (as a PNG export would be) still gets its
    // screws, and its caution names the assumption; with the spacing it has none.
    assert!(pack().classifiers_use_scale());
    let path = super::util::root().join("assets/samples/P001/ap.dcm");
    let with = radiograph::load(&path).unwrap();
    assert!(with.info.pixel_spacing_mm.is_some());
    let mut without = with.clone();
    without.info.pixel_spacing_mm = None;
    let report = |r: radiograph::Radiograph| {
        let images = [NamedRadiograph {
            name: "ap".to_owned(),
            radiograph: r,
        }];
        analyze(pack(), &images, &|_| {}).unwrap().images.remove(0)
    };
    let (known, assumed) = (report(with), report(without));
    assert_eq!((known.note.as_ref(), known.caution.as_ref()), (None, None));
    assert_eq!(assumed.note, None, "the image was searched");
    let note = assumed.caution.expect("a caution for the missing spacing");
    assert!(note.contains("no pixel spacing"), "{note}");
    assert!(note.contains("400 mm"), "{note}");
    assert!(!note.contains('\n'), "{note}");
    assert_eq!(assumed.screws.len(), known.screws.len());
}
