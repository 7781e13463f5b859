//! What a read needs to know about a case besides the analysis: its key (a digest of the
//! image files, never a name) and its truth, gathered on a background thread while the
//! models run.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};

use sha2::{Digest, Sha256};

use super::truth::Truth;

/// A case's key and, when known, its truth.
#[derive(Clone, Debug)]
pub struct CaseFacts {
    pub key: String,
    pub truth: Option<Truth>,
}

impl CaseFacts {
    /// Hashes `files` and looks for a `truth.json` beside the first one.
    #[must_use]
    pub fn gather(files: &[PathBuf]) -> Self {
        let truth = files
            .first()
            .and_then(|f| f.parent())
            .and_then(Truth::beside);
        Self {
            key: case_key(files),
            truth,
        }
    }
}

/// SHA-256 over the sorted SHA-256 digests of the files' bytes.
///
/// Sorting makes the key independent of the order the files were opened in; a file that
/// cannot be read (and so was not analysed either) is left out.
#[must_use]
pub fn case_key(files: &[PathBuf]) -> String {
    let mut digests: Vec<String> = files.iter().filter_map(|f| file_digest(f)).collect();
    digests.sort_unstable();
    let mut all = Sha256::new();
    for d in &digests {
        all.update(d.as_bytes());
    }
    hex(&all.finalize())
}

fn file_digest(path: &Path) -> Option<String> {
    let mut hasher = Sha256::new();
    let mut file = File::open(path).ok()?;
    std::io::copy(&mut file, &mut hasher).ok()?;
    Some(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The facts of one case: still being gathered, or here.
#[derive(Debug, Default)]
pub struct FactsSlot {
    pending: Option<Receiver<CaseFacts>>,
    facts: Option<CaseFacts>,
}

impl FactsSlot {
    /// Starts gathering the facts of `files` on their own thread.
    #[must_use]
    pub fn gather(files: Vec<PathBuf>) -> Self {
        let (tx, rx) = channel();
        let spawned = std::thread::Builder::new()
            .name("screwid-case-key".to_owned())
            .spawn(move || {
                let _ = tx.send(CaseFacts::gather(&files));
            });
        if let Err(e) = spawned {
            tracing::warn!("cannot start hashing the case: {e}");
        }
        Self {
            pending: Some(rx),
            facts: None,
        }
    }

    /// The facts, waiting for them if need be: hashing two films takes milliseconds and
    /// was started when the analysis (seconds) began, so the wait is in practice none.
    pub fn get(&mut self) -> Option<&CaseFacts> {
        if let Some(rx) = self.pending.take() {
            self.facts = rx.recv().ok();
        }
        self.facts.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_the_files_bytes_in_any_order() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.dcm"), dir.path().join("b.dcm"));
        std::fs::write(&a, b"abc").unwrap();
        std::fs::write(&b, b"").unwrap();
        // SHA-256("abc") and SHA-256("") are the FIPS 180-2 test vectors.
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let mut expected = Sha256::new();
        expected.update(abc.as_bytes()); // "ba…" sorts before "e3…"
        expected.update(empty.as_bytes());
        let expected = hex(&expected.finalize());
        assert_eq!(case_key(&[a.clone(), b.clone()]), expected);
        assert_eq!(case_key(&[b.clone(), a.clone()]), expected);
        // Renaming a file changes nothing: names are not part of the key.
        let renamed = dir.path().join("PATIENT^NAME.dcm");
        std::fs::rename(&a, &renamed).unwrap();
        assert_eq!(case_key(&[renamed, b]), expected);
    }
}
