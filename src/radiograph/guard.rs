//! Owns the decode boundary's panic guard: a panic inside a decoder library on a damaged
//! file (dicom-rs, `image`, their codecs) becomes a one-line [`ReadError::Decode`] instead
//! of unwinding into the caller. Our own code is fuzzed not to panic (`fuzz/`); this is
//! the net for the libraries'.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Once;

use super::error::{ReadError, squeeze};

thread_local! {
    /// Whether this thread is inside [`decoding`], whose panics are reported as errors.
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Keeps the panic hook from printing a guarded panic (its message and backtrace note
/// would reach the user's terminal before the one-line error); panics anywhere else, and
/// on other threads, are printed as before.
fn quiet_inside_guards() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Run `decode`, turning a panic into [`ReadError::Decode`].
///
/// The closure only reads the file's bytes and builds fresh values, so nothing it
/// touches is observed half-updated after a panic (hence `AssertUnwindSafe`).
pub fn decoding<T>(
    path: &Path,
    decode: impl FnOnce() -> Result<T, ReadError>,
) -> Result<T, ReadError> {
    quiet_inside_guards();
    let outer = GUARDED.with(|g| g.replace(true));
    let result = catch_unwind(AssertUnwindSafe(decode));
    GUARDED.with(|g| g.set(outer));
    result.unwrap_or_else(|payload| {
        tracing::debug!("a decoder panicked on a damaged file; reported as a decode error");
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
