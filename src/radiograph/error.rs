//! Owns [`ReadError`]: every way reading a radiograph can fail, as one-line messages that
//! say what is wrong and what to do, with the file path last (shown by
//! [`shown_path`](super::shown_path), so a name holding a newline stays on one line).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::shown::shown_path;

/// Why a radiograph could not be read. Each message is one line: what is wrong, what the
/// user can do, then `: <path>`.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read at all.
    #[error(
        "cannot read the file ({reason}); check that it exists and is readable: {}",
        shown_path(path)
    )]
    Io { reason: String, path: PathBuf },
    /// The file has no bytes.
    #[error(
        "the file is empty; choose a DICOM, PNG, JPEG, TIFF or BMP radiograph: {}",
        shown_path(path)
    )]
    Empty { path: PathBuf },
    /// Neither DICOM nor a supported raster format.
    #[error(
        "not a DICOM or supported image file ({found}); choose a DICOM, PNG, JPEG, TIFF or BMP radiograph: {}",
        shown_path(path)
    )]
    UnknownFormat { found: String, path: PathBuf },
    /// The DICOM structure could not be parsed (damaged or truncated file).
    #[error(
        "cannot parse the DICOM file ({reason}); it may be truncated or damaged, export it again: {}",
        shown_path(path)
    )]
    DicomParse { reason: String, path: PathBuf },
    /// A DICOM file without an image (report, DICOMDIR, structured report...).
    #[error(
        "the DICOM file holds no image (no Pixel Data); choose an image file, not a report or DICOMDIR: {}",
        shown_path(path)
    )]
    NoPixelData { path: PathBuf },
    /// The transfer syntax (codec) cannot be decoded here.
    #[error(
        "unsupported DICOM codec {codec} ({detail}); export the image uncompressed or as PNG: {}",
        shown_path(path)
    )]
    UnsupportedCodec {
        codec: String,
        detail: String,
        path: PathBuf,
    },
    /// An image layout this reader does not handle (bits allocated, samples per pixel...).
    #[error(
        "unsupported image layout ({what}); export the image as uncompressed greyscale DICOM or PNG: {}",
        shown_path(path)
    )]
    UnsupportedLayout { what: String, path: PathBuf },
    /// The pixel data could not be decoded.
    #[error(
        "cannot decode the pixel data ({reason}); the file may be damaged, export it again: {}",
        shown_path(path)
    )]
    Decode { reason: String, path: PathBuf },
    /// Width or height is zero.
    #[error(
        "the image has no pixels ({width} x {height}); choose another image: {}",
        shown_path(path)
    )]
    ZeroSize {
        width: u64,
        height: u64,
        path: PathBuf,
    },
    /// Over [`crate::radiograph::MAX_PIXELS`]; refused before allocating.
    #[error("the image is too large ({width} x {height}, over {} megapixels); downscale it before loading: {}", crate::radiograph::MAX_PIXELS / 1_000_000, shown_path(path))]
    TooLarge {
        width: u64,
        height: u64,
        path: PathBuf,
    },
}

impl ReadError {
    /// The path of the file the error is about.
    #[must_use]
    pub fn path(&self) -> &Path {
        match self {
            Self::Io { path, .. }
            | Self::Empty { path }
            | Self::UnknownFormat { path, .. }
            | Self::DicomParse { path, .. }
            | Self::NoPixelData { path }
            | Self::UnsupportedCodec { path, .. }
            | Self::UnsupportedLayout { path, .. }
            | Self::Decode { path, .. }
            | Self::ZeroSize { path, .. }
            | Self::TooLarge { path, .. } => path,
        }
    }
}

/// An error and its sources as one line: `outer: inner: innermost`, whitespace runs
/// (including newlines) squeezed to one space, repeated parts dropped.
pub(crate) fn one_line(err: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&dyn std::error::Error> = Some(err);
    while let Some(e) = current {
        let text = squeeze(&e.to_string());
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(": ");
        }
        let _ = write!(out, "{p}");
    }
    out
}

/// Collapse every whitespace run (newlines included) to one space and trim.
pub(crate) fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer\nfailure")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn one_line_joins_sources_without_newlines() {
        let e = Outer(std::io::Error::other("inner  cause"));
        assert_eq!(one_line(&e), "outer failure: inner cause");
    }

    #[test]
    fn messages_end_with_the_path() {
        let e = ReadError::Empty {
            path: PathBuf::from("/x/y.dcm"),
        };
        let text = e.to_string();
        assert!(text.ends_with(": /x/y.dcm"), "{text}");
        assert!(!text.contains('\n'));
        assert_eq!(e.path(), Path::new("/x/y.dcm"));
    }

    #[test]
    fn every_variant_shows_a_control_character_name_on_one_line() {
        let path = || PathBuf::from("/x/two\nlines\t.dcm");
        let text = || "t".to_owned();
        let all = [
            ReadError::Io {
                reason: text(),
                path: path(),
            },
            ReadError::Empty { path: path() },
            ReadError::UnknownFormat {
                found: text(),
                path: path(),
            },
            ReadError::DicomParse {
                reason: text(),
                path: path(),
            },
            ReadError::NoPixelData { path: path() },
            ReadError::UnsupportedCodec {
                codec: text(),
                detail: text(),
                path: path(),
            },
            ReadError::UnsupportedLayout {
                what: text(),
                path: path(),
            },
            ReadError::Decode {
                reason: text(),
                path: path(),
            },
            ReadError::ZeroSize {
                width: 0,
                height: 1,
                path: path(),
            },
            ReadError::TooLarge {
                width: 9_000,
                height: 9_000,
                path: path(),
            },
        ];
        for e in all {
            let msg = e.to_string();
            assert!(msg.ends_with(": /x/two\\nlines\\t.dcm"), "{msg:?}");
            assert!(!msg.contains(['\n', '\t']), "{msg:?}");
            assert_eq!(e.path(), path().as_path(), "the path itself is kept raw");
        }
    }

    #[test]
    fn codec_message_matches_the_documented_form() {
        let e = ReadError::UnsupportedCodec {
            codec: "JPEG Extended 12-bit".into(),
            detail: "SamplePrecision 12".into(),
            path: PathBuf::from("/x/y.dcm"),
        };
        assert_eq!(
            e.to_string(),
            "unsupported DICOM codec JPEG Extended 12-bit (SamplePrecision 12); \
             export the image uncompressed or as PNG: /x/y.dcm"
        );
    }
}
