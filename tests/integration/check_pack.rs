//! `screwid check-pack`: the bundled pack's self-test vectors under tract, and tampered copies.

use std::path::Path;
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

use super::util::root;

fn check_pack(dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_screwid"))
        .args(["check-pack".as_ref(), dir.as_os_str()])
        .output()
        .unwrap()
}

/// A copy of the bundled pack in a temporary folder.
fn pack_copy() -> tempfile::TempDir {
    let src = root().join("models").join("phantom-demo");
    let tmp = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let dest = tmp.path().join(entry.path().strip_prefix(&src).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
    tmp
}

/// Adds 1.0 to the first value of a self-test output file.
fn bump_first_value(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let v = f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) + 1.0;
    bytes[..4].copy_from_slice(&v.to_le_bytes());
    std::fs::write(path, bytes).unwrap();
}

/// Rewrites one file's checksum in the manifest, as a careless re-export would.
fn rehash(pack: &Path, file: &str) {
    let manifest = pack.join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    let digest = Sha256::digest(std::fs::read(pack.join(file)).unwrap());
    let hex = digest.iter().fold(String::new(), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    });
    m["sha256"][file] = serde_json::Value::String(hex);
    std::fs::write(&manifest, serde_json::to_string_pretty(&m).unwrap()).unwrap();
}

#[test]
fn the_bundled_pack_passes_its_self_test_under_tract() {
    let dir = root().join("models").join("phantom-demo");
    let out = check_pack(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Two vectors for each of the four models, then the verdict.
    assert_eq!(stdout.lines().count(), 9, "{stdout}");
    assert!(stdout.contains("self-test passed"), "{stdout}");
    eprintln!("{stdout}");
}

#[test]
fn a_tampered_vector_fails_its_checksum() {
    let pack = pack_copy();
    bump_first_value(&pack.path().join("selftest/view_0.output.bin"));
    let out = check_pack(pack.path());
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("checksum"), "{stderr}");
    assert!(stderr.trim_end().ends_with("view_0.output.bin"), "{stderr}");
}

#[test]
fn a_tampered_vector_with_a_matching_checksum_fails_the_comparison() {
    let pack = pack_copy();
    let file = "selftest/view_0.output.bin";
    bump_first_value(&pack.path().join(file));
    rehash(pack.path(), file);
    let out = check_pack(pack.path());
    assert_eq!(out.status.code(), Some(5));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("self-test FAILED"), "{stdout}");
    // The value moved by exactly 1.0; tract and onnxruntime agree to ~1e-6 otherwise.
    let line = stdout
        .lines()
        .find(|l| l.contains("view_0.input.bin"))
        .unwrap();
    assert!(line.ends_with("= 1.00e0"), "{line}");
}

#[test]
fn a_pack_without_vectors_is_refused() {
    let pack = pack_copy();
    let manifest = pack.path().join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    m.as_object_mut().unwrap().remove("selftest");
    std::fs::write(&manifest, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    let out = check_pack(pack.path());
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no self-test vectors"), "{stderr}");
}

#[test]
fn repeat_adds_a_median_time_to_every_vector_line() {
    let dir = root().join("models").join("phantom-demo");
    let out = Command::new(env!("CARGO_BIN_EXE_screwid"))
        .args([
            "check-pack".as_ref(),
            dir.as_os_str(),
            "--repeat".as_ref(),
            "2".as_ref(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let timed = stdout
        .lines()
        .filter(|l| l.contains(", median ") && l.ends_with(" ms"));
    assert_eq!(timed.count(), 8, "{stdout}");
}
