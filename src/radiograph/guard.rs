//! Owns the decode boundary's panic guard: a panic inside a decoder library on a damaged
//! file (dicom-rs, `image`, their codecs) becomes a one-line [`ReadError::Decode`] instead
//! of unwinding into the caller. Our own code is fuzzed not to panic (`fuzz/`); this is
//! the net for the libraries'.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use super::error::{ReadError, squeeze};

/// Run `decode`, turning a panic into [`ReadError::Decode`].
///
/// The closure only reads the file's bytes and builds fresh values, so nothing it
/// touches is observed half-updated after a panic (hence `AssertUnwindSafe`).
pub fn decoding<T>(
    path: &Path,
    decode: impl FnOnce() -> Result<T, ReadError>,
) -> Result<T, ReadError> {
    catch_unwind(AssertUnwindSafe(decode)).unwrap_or_else(|payload| {
        tracing::warn!("a decoder panicked on a damaged file; reported as a decode error");
        Err(ReadError::Decode {
            reason: format!(
                "the decoder failed unexpectedly: {}",
                panic_text(payload.as_ref())
            ),
            path: path.to_owned(),
        })
    })
}

/// The panic message, on one line and at most 200 characters.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    squeeze(&text).chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_decode_error() {
        let r: Result<(), ReadError> =
            decoding(Path::new("/x/y.dcm"), || panic!("index out of\nbounds"));
        let e = r.expect_err("caught");
        assert!(matches!(e, ReadError::Decode { .. }));
        assert_eq!(
            e.to_string(),
            "cannot decode the pixel data (the decoder failed unexpectedly: index out of \
             bounds); the file may be damaged, export it again: /x/y.dcm"
        );
    }

    #[test]
    fn results_pass_through() {
        assert_eq!(decoding(Path::new("p"), || Ok(3)).ok(), Some(3));
    }
}
