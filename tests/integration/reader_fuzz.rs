//! Regression tests from the reader fuzzer (`fuzz/fuzz_load.rs`): every input it found
//! that panicked inside a decoder, kept in `tests/data/fuzz-regressions/` (all mutated
//! from seeds built by the fuzzer itself), must now fail cleanly with a one-line error and
//! quickly; and a corrupt element length must be refused before anything is allocated.

use super::reader_support as support;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use screwid::radiograph::{ReadError, load, stored_values};

fn regressions() -> PathBuf {
    let here = PathBuf::from(file!());
    here.parent()
        .expect("tests folder")
        .join("../data/fuzz-regressions")
}

#[test]
fn fuzz_findings_fail_cleanly() {
    let mut seen = 0;
    for entry in std::fs::read_dir(regressions()).expect("regressions folder") {
        let path = entry.expect("entry").path();
        let start = Instant::now();
        let loaded = catch_unwind(AssertUnwindSafe(|| load(&path)));
        let stored = catch_unwind(AssertUnwindSafe(|| stored_values(&path)));
        let took = start.elapsed();
        let err = loaded
            .unwrap_or_else(|_| panic!("panic through load: {}", path.display()))
            .expect_err("a damaged file");
        assert!(
            stored.is_ok(),
            "panic through stored_values: {}",
            path.display()
        );
        assert!(!err.to_string().contains('\n'), "{err}");
        assert!(
            took < Duration::from_secs(2),
            "{} took {took:?}",
            path.display()
        );
        seen += 1;
    }
    assert!(seen >= 2, "regression inputs missing");
}

/// The pixel data's 4-byte length (at the end of the element header) set to `0xF000_0000`:
/// refused from the length walk, in well under a second, instead of allocating 3.75 GiB.
#[test]
fn a_huge_element_length_is_refused_before_allocating() {
    let mut bytes = support::grey16(2, 2, &[1, 2, 3, 4], &[]);
    let at = bytes.len() - 8 - 4;
    assert_eq!(
        &bytes[at - 8..at - 4],
        b"\xE0\x7F\x10\x00",
        "pixel data tag"
    );
    bytes[at..at + 4].copy_from_slice(&0xF000_0000u32.to_le_bytes());
    let dir = tempfile::tempdir().expect("tempdir");
    let path = support::write(dir.path(), "huge_len.dcm", &bytes);
    let start = Instant::now();
    let e = load(&path).expect_err("refused");
    assert!(start.elapsed() < Duration::from_secs(1));
    assert!(matches!(e, ReadError::DicomParse { .. }), "{e}");
    assert!(e.to_string().contains("declares 4026531840 bytes"), "{e}");
}
