//! The printed report (`--report`, PDF or PNG) read back as a reader would: its text through
//! lopdf, its pixels through the image crate.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use screwid::pack::ModelPack;
use screwid::pipeline::{NamedRadiograph, analyze};
use screwid::radiograph;
use screwid::report::{ExportDate, ReportInput, vote_over, write_report};

use super::util::{majority_label, root, samples};

/// Sample P001: its two files and its truth (patient name `PHANTOM^P001`, ID `P001`, as
/// the DICOM headers say).
fn p001() -> (Vec<PathBuf>, super::util::Truth) {
    let (dir, truth) = samples()
        .into_iter()
        .find(|(_, t)| t.patient == "P001")
        .unwrap();
    let files = truth.images.iter().map(|i| dir.join(&i.file)).collect();
    (files, truth)
}

fn analyze_cli(files: &[PathBuf], extra: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_screwid"))
        .arg("analyze")
        .args(files)
        .args(extra)
        .output()
        .unwrap()
}

fn manifest() -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("models/phantom-demo/manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn pdf_text(path: &Path) -> String {
    let doc = lopdf::Document::load(path).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).unwrap()
}

/// Every byte of the file and of its streams decompressed.
fn pdf_bytes_decompressed(path: &Path) -> Vec<u8> {
    let mut doc = lopdf::Document::load(path).unwrap();
    doc.decompress();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out.extend(std::fs::read(path).unwrap());
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn a_pdf_report_holds_verdict_pack_screws_and_identifiers() {
    let (files, truth) = p001();
    let tmp = tempfile::tempdir().unwrap();
    let (pdf, json) = (tmp.path().join("x.pdf"), tmp.path().join("r.json"));
    let out = analyze_cli(
        &files,
        &[
            "--report".as_ref(),
            pdf.as_os_str(),
            "--json".as_ref(),
            json.as_os_str(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = pdf_text(&pdf);

    // The generator drew Stryker screws only; the verdict line names it.
    let expected = majority_label(&truth);
    assert!(
        text.lines()
            .any(|l| l.starts_with(&format!("Verdict: {expected}"))),
        "{text}"
    );
    assert!(text.contains("Majority vote") && text.contains("Probability-weighted vote"));
    let pack = manifest();
    assert!(text.contains(pack["name"].as_str().unwrap()), "{text}");
    assert!(
        text.contains("PHANTOM^P001") && text.contains("P001"),
        "{text}"
    );

    // One table row per screw of the JSON report: number, view and label in that order.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let screws: Vec<(String, String)> = report["images"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|img| {
            let view = if img["view"] == "ap" { "AP" } else { "lateral" };
            img["screws"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |s| (view.to_owned(), s["label"].as_str().unwrap().to_owned()))
        })
        .collect();
    assert!(!screws.is_empty());
    for (n, (view, label)) in screws.iter().enumerate() {
        let row = format!("{} {view} {label} ", n + 1);
        assert!(
            text.lines().any(|l| l.starts_with(&row)),
            "no row {row:?} in\n{text}"
        );
    }
}

#[test]
fn omitted_identifiers_appear_nowhere_in_the_pdf() {
    let (files, _) = p001();
    let tmp = tempfile::tempdir().unwrap();
    let pdf = tmp.path().join("anonymous.pdf");
    let out = analyze_cli(
        &files,
        &[
            "--report".as_ref(),
            pdf.as_os_str(),
            "--omit-identifiers".as_ref(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = pdf_bytes_decompressed(&pdf);
    for identifier in ["PHANTOM", "P001"] {
        assert!(!contains(&bytes, identifier), "{identifier} is in the file");
    }
    assert!(
        pdf_text(&pdf).contains("left out"),
        "the report says they were left out"
    );
}

#[test]
fn a_png_report_is_an_a4_page_with_boxes_in_the_class_colour() {
    let (files, _) = p001();
    let tmp = tempfile::tempdir().unwrap();
    let png = tmp.path().join("x.png");
    let out = analyze_cli(&files, &["--report".as_ref(), png.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = image::open(&png).unwrap().to_rgb8();
    // A4 is 210 x 297 mm, height / width = 1.414.
    let ratio = f64::from(page.height()) / f64::from(page.width());
    assert!(
        (ratio - 297.0 / 210.0).abs() < 0.01,
        "{} x {}",
        page.width(),
        page.height()
    );
    assert!(
        page.width() >= 1000,
        "readable resolution: {}",
        page.width()
    );

    let stryker = pack_colour("Stryker");
    assert!(
        has_box_corner(&page, stryker),
        "no box drawn in {stryker:?}"
    );
}

fn pack_colour(name: &str) -> image::Rgb<u8> {
    let pack = manifest();
    let class = pack["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap();
    let c: Vec<u8> = class["colour"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| u8::try_from(v.as_u64().unwrap()).unwrap())
        .collect();
    image::Rgb([c[0], c[1], c[2]])
}

/// A box outline's top-left corner: eight pixels of exactly `colour` to the right and
/// eight below one pixel, which anti-aliased text does not draw.
fn has_box_corner(page: &image::RgbImage, colour: image::Rgb<u8>) -> bool {
    let (w, h) = page.dimensions();
    (0..h.saturating_sub(8)).any(|y| {
        (0..w.saturating_sub(8)).any(|x| {
            (0..8)
                .all(|k| *page.get_pixel(x + k, y) == colour && *page.get_pixel(x, y + k) == colour)
        })
    })
}

#[test]
fn an_unknown_report_format_exits_4_with_one_line() {
    let (files, _) = p001();
    let tmp = tempfile::tempdir().unwrap();
    let docx = tmp.path().join("x.docx");
    let out = analyze_cli(&files, &["--report".as_ref(), docx.as_os_str()]);
    assert_eq!(out.status.code(), Some(4));
    let line = String::from_utf8_lossy(&out.stderr).trim_end().to_owned();
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.ends_with(&docx.display().to_string()), "{line}");
    assert!(!docx.exists());
    assert!(out.stdout.is_empty(), "refused before any analysis");
}

#[test]
fn a_report_may_not_overwrite_an_input() {
    let (files, _) = p001();
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("ap.png");
    image::RgbImage::new(8, 8).save(&copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let out = analyze_cli(
        &[copy.clone(), files[1].clone()],
        &["--report".as_ref(), copy.as_os_str()],
    );
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(std::fs::read(&copy).unwrap(), before);
}

#[test]
fn an_overrule_is_printed_as_an_overrule() {
    let (files, _) = p001();
    let pack = ModelPack::load(&screwid::pack::bundled_pack_dir()).unwrap();
    let images: Vec<NamedRadiograph> = files
        .iter()
        .map(|f| NamedRadiograph {
            name: f.display().to_string(),
            radiograph: radiograph::load(f).unwrap(),
        })
        .collect();
    let mut report = analyze(&pack, &images, &|_| {}).unwrap();
    let screw = report
        .images
        .iter_mut()
        .flat_map(|i| i.screws.iter_mut())
        .next()
        .unwrap();
    let model_label = screw.label.clone();
    let surgeon = if model_label == "Medtronic" {
        "NuVasive"
    } else {
        "Medtronic"
    };
    screw.overrule = Some(surgeon.to_owned());
    report.verdict = vote_over(&report, &pack.class_names(), &pack.manifest.thresholds);

    let display = images.iter().map(|i| i.radiograph.image.clone()).collect();
    let date = ExportDate {
        year: 2026,
        month: 3,
        day: 14,
    };
    let input = ReportInput::new(report, display, pack.manifest.classes.clone(), date);
    let tmp = tempfile::tempdir().unwrap();
    let pdf = tmp.path().join("overruled.pdf");
    write_report(&input, &pdf).unwrap();
    let text = pdf_text(&pdf);

    let row = text.lines().find(|l| l.starts_with("1 ")).unwrap();
    assert!(row.contains(surgeon) && row.contains("OVERRULED"), "{row}");
    assert!(
        row.contains(&model_label),
        "the model's own call stays visible: {row}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with(&format!("Screw 1 (AP): {surgeon}"))),
        "{text}"
    );
    assert!(text.contains("2026-03-14"), "the date given is printed");
    assert!(text.contains("left out"), "no identifiers were added");
}
