//! Integration tests of `screwid::radiograph::scan_folder` on a temporary folder: copies of
//! real radiographs (some without extension, in subfolders), hand-built DICOM images of two
//! patients with known patient / study ids and view hints, and junk (DICOMDIR, SR, PDF,
//! text, binary). Expected groups come from the hand-built ids and, for the real files,
//! from their own headers read here with dicom-object. Copies live in the temp dir only.

use super::reader_support as support;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use dicom_dictionary_std::tags;
use screwid::radiograph::{FolderScan, SkipReason, scan_folder};
use support::{Element, bare_dataset, grey16, grey16_elements, text, write};

/// A 1 x 1 image of `patient` in `study` with view position `view`.
fn image(patient: &str, study: &str, view: &str) -> Vec<u8> {
    let extra: Vec<Element> = vec![
        (0x0010, 0x0020, "LO", text(patient)),
        (0x0020, 0x000D, "UI", text(study)),
        (0x0018, 0x5101, "CS", text(view)),
        (0x0008, 0x103E, "LO", text(&format!("L-SPINE {view}"))),
        (0x0020, 0x0062, "CS", text("U")),
    ];
    grey16(1, 1, &[0], &extra)
}

fn build_junk(dir: &Path) {
    let dicomdir = support::dicom_file(
        support::EXPLICIT_LE,
        &[(0x0004, 0x1220, "SQ", Vec::new())],
        true,
    );
    write(dir, "DICOMDIR", &dicomdir);
    write(dir, "records", &dicomdir);
    let sr = support::dicom_file(
        support::EXPLICIT_LE,
        &[(0x0008, 0x0060, "CS", text("SR"))],
        true,
    );
    write(dir, "report.dcm", &sr);
    write(dir, "scan.pdf", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n");
    write(dir, "notes.txt", b"Patient notes\nnot an image\n");
    write(dir, "blob.bin", &[0x00, 0x01, 0x02, 0xFE, 0xFF, 0x7F]);
    image::GrayImage::from_raw(2, 1, vec![0, 255])
        .expect("buffer")
        .save(dir.join("photo.png"))
        .expect("png");
}

fn build_hand(dir: &Path) {
    std::fs::create_dir_all(dir.join("p1/s1")).expect("mkdir");
    write(dir, "p1/s1/ap.dcm", &image("P1", "1.2.3", "AP"));
    write(dir, "p1/s1/LAT", &image("P1", "1.2.3", "LL"));
    write(dir, "p1/later.dcm", &image("P1", "1.2.4", "AP"));
    let mut p2 = grey16_elements(1, 1, &[5]);
    p2.push((0x0020, 0x000D, "UI", text("1.2.5")));
    p2.retain(|e| (e.0, e.1) != (0x0010, 0x0020));
    p2.push((0x0010, 0x0020, "LO", text("P2")));
    write(dir, "p2raw", &bare_dataset(&p2, false));
}

fn file_names(paths: impl Iterator<Item = PathBuf>) -> BTreeSet<String> {
    paths
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect()
}

/// Every study as the set of its file names.
fn studies(scan: &FolderScan) -> BTreeSet<BTreeSet<String>> {
    scan.patients
        .iter()
        .flat_map(|p| &p.studies)
        .map(|s| file_names(s.images.iter().map(|i| i.path.clone())))
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn hand_built_folder_is_grouped_and_junk_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    build_junk(dir.path());
    build_hand(dir.path());
    let calls = RefCell::new(Vec::new());
    let scan = scan_folder(dir.path(), &|done, total| {
        calls.borrow_mut().push((done, total));
    });
    // 7 junk + raster files, 4 hand-built images
    let calls = calls.into_inner();
    assert_eq!(calls.len(), 11);
    assert!(
        calls
            .iter()
            .enumerate()
            .all(|(i, &(d, t))| d == i + 1 && t == 11)
    );
    assert_eq!(
        studies(&scan),
        [
            set(&["ap.dcm", "LAT"]),
            set(&["later.dcm"]),
            set(&["p2raw"])
        ]
        .into_iter()
        .collect()
    );
    let p1 = scan
        .patients
        .iter()
        .find(|p| p.patient.id.as_deref() == Some("P1"))
        .expect("P1");
    assert_eq!(p1.studies.len(), 2);
    let ap = &p1.studies[0].images[0];
    assert_eq!(ap.view.view_position.as_deref(), Some("AP"));
    assert_eq!(ap.view.series_description.as_deref(), Some("L-SPINE AP"));
    assert_eq!(ap.view.image_laterality.as_deref(), Some("U"));
    assert_eq!((ap.width, ap.height, ap.dicom), (1, 1, true));
    assert_eq!(
        file_names(scan.raster.iter().map(|i| i.path.clone())),
        set(&["photo.png"])
    );
    let skipped: BTreeMap<String, SkipReason> = scan
        .skipped
        .iter()
        .map(|s| {
            (
                file_names(std::iter::once(s.path.clone()))
                    .into_iter()
                    .next()
                    .expect("name"),
                s.reason.clone(),
            )
        })
        .collect();
    assert_eq!(skipped.len(), 6, "{skipped:?}");
    assert_eq!(skipped["DICOMDIR"], SkipReason::DicomDir);
    assert_eq!(skipped["records"], SkipReason::DicomDir);
    assert_eq!(
        skipped["report.dcm"],
        SkipReason::NoImage {
            modality: Some("SR".into())
        }
    );
    assert_eq!(
        skipped["scan.pdf"],
        SkipReason::NotAnImage("a PDF document".into())
    );
    assert_eq!(skipped["notes.txt"], SkipReason::NotAnImage("text".into()));
    assert!(
        matches!(&skipped["blob.bin"], SkipReason::NotAnImage(t) if t.contains("unrecognised"))
    );
    assert!(scan.had_dicomdir);
    assert_eq!(scan.walk_errors, 0);
}

/// (`PatientID`, `StudyInstanceUID`) of a real file, read with dicom-object directly.
fn keys(path: &Path) -> (String, String) {
    let obj = dicom_object::open_file(path).expect("opens");
    let get = |tag| {
        obj.element(tag)
            .ok()
            .and_then(|e| e.to_str().ok())
            .map(|s| s.trim_matches(['\0', ' ']).to_owned())
            .unwrap_or_default()
    };
    (get(tags::PATIENT_ID), get(tags::STUDY_INSTANCE_UID))
}

/// Real files copied under new names (two without extension, one nested): the scan's
/// studies are exactly the files' own (patient, study) groups.
#[test]
fn real_files_group_by_their_own_ids() {
    let Some(root) = support::realdata() else {
        return;
    };
    let copies = [
        ("dicom-test-files-wg04/RG2_UNC", "a/RG2"),
        ("dicom-test-files-wg04/RG2_J2KR", "a/RG2_J2KR.dcm"),
        ("dicom-test-files-wg04/RG3_UNC", "a/b/rg3"),
        ("pylibjpeg-data/JPEG2KLossless_1s_1f_u_16_16.dcm", "dx.dcm"),
        ("pylibjpeg-data/JPEGBaseline_1s_1f_u_08_08.dcm", "c/IM0001"),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let mut expected: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (from, to) in copies {
        let src = root.join(from);
        let dst = dir.path().join(to);
        std::fs::create_dir_all(dst.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&src, &dst).expect("copy");
        let name = file_names(std::iter::once(dst.clone()));
        expected.entry(keys(&src)).or_default().extend(name);
    }
    write(dir.path(), "README.txt", b"export notes\n");
    let scan = scan_folder(dir.path(), &|_, _| {});
    assert_eq!(studies(&scan), expected.into_values().collect());
    assert_eq!(scan.skipped.len(), 1);
    let rg2 = scan
        .patients
        .iter()
        .flat_map(|p| &p.studies)
        .flat_map(|s| &s.images)
        .find(|i| i.path.ends_with("a/RG2"))
        .expect("RG2 found");
    assert_eq!((rg2.width, rg2.height), (1760, 2140));
    assert_eq!(rg2.modality.as_deref(), Some("CR"));
}

/// The scanner walks the first 64 KiB of a file; a header longer than that is walked
/// further, up to the pixel data. A 70 000-byte private OB value before the pixel data,
/// then a study id (LO) claiming 0xFFFF bytes in a file that has a few dozen left: the
/// scanner skips it as unreadable, fast, instead of allocating; the same file with a
/// right length is scanned.
#[test]
fn a_corrupt_length_past_the_first_64_kib_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = vec![0u8; 70_000];
    let elements = |study: Vec<u8>| -> Vec<Element> {
        vec![
            (0x0009, 0x0010, "LO", text("ACME")),
            (0x0009, 0x1000, "OB", big.clone()),
            (0x0010, 0x0020, "LO", text("P9")),
            (0x0020, 0x000D, "UI", study),
        ]
    };
    let good = grey16(1, 1, &[0], &elements(text("1.2.3")));
    let mut bad = grey16(1, 1, &[0], &elements(text("1.2.3")));
    // The study id's 2-byte length follows its tag and VR, after the 70 000 bytes.
    let at = find(&bad, b"\x20\x00\x0D\x00UI").expect("study tag") + 6;
    assert!(at > 65_536);
    bad[at..at + 2].copy_from_slice(&0xFFFFu16.to_le_bytes());
    write(dir.path(), "good.dcm", &good);
    write(dir.path(), "bad.dcm", &bad);
    let start = std::time::Instant::now();
    let scan = scan_folder(dir.path(), &|_, _| {});
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!(scan.patients.len(), 1, "{scan:?}");
    assert_eq!(scan.skipped.len(), 1, "{:?}", scan.skipped);
    let SkipReason::Unreadable(why) = &scan.skipped[0].reason else {
        panic!("{:?}", scan.skipped)
    };
    assert!(why.contains("(0020,000D) declares 65535 bytes"), "{why}");
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
