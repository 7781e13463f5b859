//! `screwid analyze` as a script would call it.

use std::process::{Command, Output};

use super::util::samples;

fn screwid(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_screwid"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).trim_end().to_owned()
}

#[test]
fn analyze_writes_a_table_a_json_report_and_an_overlay() {
    let (dir, truth) = samples().remove(0);
    let tmp = tempfile::tempdir().unwrap();
    let (json, overlay) = (tmp.path().join("r.json"), tmp.path().join("o.png"));
    let ap = dir.join(&truth.images[0].file);
    let lateral = dir.join(&truth.images[1].file);
    let out = screwid(&[
        "analyze".as_ref(),
        ap.as_os_str(),
        lateral.as_os_str(),
        "--json".as_ref(),
        json.as_os_str(),
        "--overlay".as_ref(),
        overlay.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr_line(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("Verdict:"), "{table}");

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["schema"], "screwid.report/1");
    assert!(report["pack"]["name"].is_string() && report["pack"]["version"].is_string());
    let images = report["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    for key in [
        "file",
        "width",
        "height",
        "view",
        "view_confidence",
        "note",
        "screws",
    ] {
        assert!(images[0].get(key).is_some(), "images[0] lacks {key}");
    }
    let screw = &images[0]["screws"][0];
    assert_eq!(screw["box"].as_array().unwrap().len(), 4);
    for key in ["detection_score", "label", "confidence", "probabilities"] {
        assert!(screw.get(key).is_some(), "screw lacks {key}");
    }
    for key in ["label", "confidence", "mixed", "votes", "per_view"] {
        assert!(report["verdict"].get(key).is_some(), "verdict lacks {key}");
    }
    assert!(report["verdict"]["per_view"]["lateral"]["votes"].is_object());

    let png = image::open(&overlay).unwrap();
    assert!(png.width() > png.height(), "two images side by side");
}

#[test]
fn an_unreadable_file_exits_2_with_one_line_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("notes.dcm");
    std::fs::write(&bad, "this is a text file, not a radiograph\n").unwrap();
    let out = screwid(&["analyze".as_ref(), bad.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    let line = stderr_line(&out);
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.ends_with(&bad.display().to_string()), "{line}");
}

#[test]
fn a_missing_file_exits_2_and_a_missing_pack_exits_3() {
    let out = screwid(&["analyze".as_ref(), "/nonexistent/ap.dcm".as_ref()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_line(&out).contains("/nonexistent/ap.dcm"));

    let (dir, truth) = samples().remove(0);
    let ap = dir.join(&truth.images[0].file);
    let out = screwid(&[
        "analyze".as_ref(),
        ap.as_os_str(),
        "--pack".as_ref(),
        "/nonexistent-pack".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr_line(&out).contains("manifest"));
}

/// Found by a tester: `--json` onto the input silently replaced the radiograph.
#[test]
fn an_output_may_not_overwrite_an_input() {
    let (dir, truth) = samples().remove(0);
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("ap.dcm");
    std::fs::copy(dir.join(&truth.images[0].file), &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let out = screwid(&[
        "analyze".as_ref(),
        copy.as_os_str(),
        "--json".as_ref(),
        copy.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(stderr_line(&out).lines().count(), 1);
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        before,
        "the input must be untouched"
    );
    // A hard link is another name for the same file: writing the report through it would
    // overwrite the radiograph just the same.
    let link = tmp.path().join("report.json");
    std::fs::hard_link(&copy, &link).unwrap();
    let out = screwid(&[
        "analyze".as_ref(),
        copy.as_os_str(),
        "--json".as_ref(),
        link.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr_line(&out));
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        before,
        "the input must be untouched"
    );
}

#[test]
fn a_wrong_command_line_is_one_line_and_exit_64_not_a_read_error() {
    for args in [
        vec!["analyze", "--no-such-option", "x.dcm"],
        vec!["analyze"],
        vec!["frobnicate"],
    ] {
        let os: Vec<&std::ffi::OsStr> = args.iter().map(std::convert::AsRef::as_ref).collect();
        let out = screwid(&os);
        let err = stderr_line(&out);
        assert_eq!(out.status.code(), Some(64), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("screwid: "), "{err}");
    }
    let help = screwid(&["--help".as_ref()]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("analyze"));
}

#[test]
fn an_overlay_not_named_png_is_refused_before_any_work() {
    let (dir, truth) = samples().remove(0);
    let ap = dir.join(&truth.images[0].file);
    let tmp = tempfile::tempdir().unwrap();
    let jpg = tmp.path().join("overlay.jpg");
    let out = screwid(&[
        "analyze".as_ref(),
        ap.as_os_str(),
        "--overlay".as_ref(),
        jpg.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(4));
    let line = stderr_line(&out);
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.contains(".png"), "{line}");
    assert!(!jpg.exists());
    assert!(out.stdout.is_empty(), "refused before any analysis");
}

#[test]
fn the_same_file_twice_counts_once_and_two_patients_are_warned_about() {
    let all = samples();
    let ap = all[0].0.join("ap.dcm");
    let other = all[2].0.join("lateral.dcm");
    let out = screwid(&["analyze".as_ref(), ap.as_os_str(), ap.as_os_str()]);
    assert!(out.status.success());
    let err = stderr_line(&out);
    assert!(err.contains("is the same image as"), "{err}");
    let table = String::from_utf8_lossy(&out.stdout);
    // One image analysed, so the lateral view is said to be missing, not empty.
    assert!(table.contains("lateral: no lateral image"), "{table}");

    let out = screwid(&["analyze".as_ref(), ap.as_os_str(), other.as_os_str()]);
    assert!(out.status.success());
    let err = stderr_line(&out);
    assert!(err.contains("name different patients"), "{err}");
}

/// The bundled P001 AP with `edit` applied to its bytes, written into `dir`.
fn edited_sample(
    dir: &std::path::Path,
    name: &str,
    edit: impl FnOnce(&mut Vec<u8>),
) -> std::path::PathBuf {
    let (sample, truth) = samples().remove(0);
    let mut bytes = std::fs::read(sample.join(&truth.images[0].file)).unwrap();
    edit(&mut bytes);
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Byte offset of the Rows element (0028,0010) US in a sample file.
fn rows_at(bytes: &[u8]) -> usize {
    bytes
        .windows(6)
        .position(|w| w == b"\x28\x00\x10\x00US")
        .unwrap()
}

#[test]
fn a_decoder_panic_is_one_line_on_stderr_without_the_panic_message() {
    // Rows shrunk to 1000 under a 2300-row codestream: the JPEG 2000 adapter of
    // dicom-pixeldata slices past its buffer and panics; the guard reports it, and the
    // panic hook prints nothing of it (not even with RUST_BACKTRACE set).
    let tmp = tempfile::tempdir().unwrap();
    let path = edited_sample(tmp.path(), "rows.dcm", |b| {
        let at = rows_at(b) + 8;
        b[at..at + 2].copy_from_slice(&1000u16.to_le_bytes());
    });
    let out = Command::new(env!("CARGO_BIN_EXE_screwid"))
        .args(["analyze".as_ref(), path.as_os_str()])
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_line(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cannot decode") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn deeply_nested_sequences_are_refused_not_a_stack_overflow() {
    // 5000 nested undefined-length sequences (a 160 kB insert) overflowed the parser's
    // stack, an abort no guard can catch; the length walk now refuses them first.
    let tmp = tempfile::tempdir().unwrap();
    let path = edited_sample(tmp.path(), "nested.dcm", |b| {
        let mut insert = Vec::new();
        for _ in 0..5000 {
            insert.extend_from_slice(b"\x09\x00\x10\x10SQ\x00\x00\xFF\xFF\xFF\xFF");
            insert.extend_from_slice(b"\xFE\xFF\x00\xE0\xFF\xFF\xFF\xFF");
        }
        for _ in 0..5000 {
            insert.extend_from_slice(b"\xFE\xFF\x0D\xE0\x00\x00\x00\x00");
            insert.extend_from_slice(b"\xFE\xFF\xDD\xE0\x00\x00\x00\x00");
        }
        let at = rows_at(b);
        b.splice(at..at, insert);
    });
    let out = screwid(&["analyze".as_ref(), path.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_line(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("nested more than 64 levels"), "{err}");
}
