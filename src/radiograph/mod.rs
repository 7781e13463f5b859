//! Reading radiographs: DICOM (via dicom-object + dicom-pixeldata) and PNG / JPEG / TIFF /
//! BMP (via `image`) into one grey display image of `f32` in [0, 1], where **1 is white =
//! dense** (bone and metal bright), plus an [`ImageInfo`] describing the file.
//!
//! The format is chosen from the content, not the extension: the `DICM` marker at byte 128,
//! else the PNG / JPEG / TIFF / BMP magic, else DICOM without the Part 10 header (`DICM` at
//! byte 0, a meta group without `DICM`, or a bare Explicit / Implicit VR Little Endian data
//! set starting with group 0008–0028; see `framing.rs`, noted in [`ImageInfo::notes`]).
//!
//! # DICOM pixel pipeline
//!
//! In this order (as dicom-rs `ConvertOptions`: modality LUT, then VOI LUT, then
//! photometric inversion):
//!
//! 1. **Decode** the first frame's stored values with dicom-pixeldata (any codec it has:
//!    native, deflate, RLE, JPEG baseline / lossless, JPEG 2000, JPEG-LS; 12-bit JPEG
//!    Extended with libjpeg-turbo under the `jpeg12` feature, `jpeg12.rs`), honouring
//!    `BitsStored`, `HighBit` and `PixelRepresentation` (sign). [`stored_values`] stops here.
//! 2. **Modality rescale**: `RescaleSlope * x + RescaleIntercept` (by the library), or
//!    the first Modality LUT Sequence table when the file has one.
//! 3. **VOI**: the file's first `WindowCenter` / `WindowWidth` with its `VOILUTFunction`
//!    (LINEAR `y = ((x - (c - 0.5)) / (w - 1) + 0.5)`, `LINEAR_EXACT` `(x - c) / w + 0.5`,
//!    both clamped to [0, 1], or SIGMOID `1 / (1 + exp(-4 (x - c) / w))`); when the file
//!    has none, or it is unusable (LINEAR width < 1, other width ≤ 0) or lies wholly beside
//!    the values, the first VOI LUT Sequence table; else a LINEAR window from the 0.5 % to
//!    the 99.5 % percentile of the modality values. All stored windows are listed in
//!    [`ImageInfo::windows`]; the one applied is [`ImageInfo::window`] (or the table,
//!    [`ImageInfo::voi_table`]). See `voi_choice.rs`.
//! 4. **Inversion**, once, for MONOCHROME1 (or `PresentationLUTShape` INVERSE): `1 - y`, so
//!    that 1 is always white.
//!
//! The values after step 2, the table of step 3 and the inversion flag of step 4 are kept
//! in [`Radiograph::levels`], so that a viewer can run steps 3–4 again with another window
//! ([`Levels::render`]; raster and colour images keep their luma codes).
//!
//! Colour images (RGB, `YBR_FULL`; interleaved or planar) become BT.601 luma divided by the
//! maximum stored code, with no window. Native 8-bit `YBR_FULL_422` / `YBR_PARTIAL_422`
//! (which dicom-pixeldata cannot frame) are read here: grey = Y (`ybr.rs`). `PALETTE
//! COLOR` maps each stored index through the red / green / blue palette tables to luma
//! (`palette.rs`). Native 4:2:0 is refused (the standard defines it for compressed data
//! only, where the decoder converts it).
//!
//! # Raster images
//!
//! 8- and 16-bit grey or colour (PNG, JPEG, TIFF, BMP): luma (BT.601 for colour) divided
//! by the maximum code (255 or 65535), after turning the image upright by its EXIF
//! orientation (noted). Alpha is ignored (noted). Sizes come from the PNG / BMP / JPEG
//! headers (or the decoder's header read) before any pixel buffer is allocated. PNGs are
//! decoded row by row straight into the grey buffer (`png_rows.rs`), so a 16-bit RGBA
//! image is never held whole; interlaced PNGs and the other formats go through `image`.
//!
//! # Refusals and notes
//!
//! Zero-size images and images over 40 megapixels are refused from the header, before
//! any pixel buffer is allocated. DICOM element lengths are walked as dicom-parser reads
//! them and refused when longer than the file (`lengths.rs`), before dicom-parser
//! allocates them; a deflated data set is inflated here first, at most 512 MiB
//! (`deflate.rs`), and walked the same way. CT and MR are decoded like any other: the caller refuses
//! them from [`ImageInfo::modality`]. Multi-frame files give their first frame and a note.
//! Recoverable oddities (zero pixel spacing, ignored tables...) go to [`ImageInfo::notes`]
//! and are logged with `tracing` at warn, never with a patient identifier or a path.
//! Errors are [`ReadError`]s: one line, what is wrong and what to do, path last (through
//! [`shown_path`], which escapes control characters in a file name). A panic
//! inside a decoder library (dicom-rs, `image`) on a damaged file is caught at the decode
//! boundary and reported as [`ReadError::Decode`] (`guard.rs`).
//!
//! # Folders
//!
//! [`scan_folder`] walks a folder (a DICOMDIR's folder included: the DICOMDIR itself is
//! not read), reads headers only, skips non-images, and groups DICOM images by patient and
//! study with view hints (`scan.rs`, `scan_probe.rs`).

mod colour;
mod deflate;
mod dicom;
mod dicom_colour;
mod element_header;
mod error;
mod framing;
mod grey;
mod guard;
mod header;
mod info;
#[cfg(feature = "jpeg12")]
mod jpeg12;
mod lengths;
mod levels;
mod modality;
mod palette;
mod png_rows;
mod raster;
mod scan;
mod scan_probe;
mod shown;
mod syntax;
mod voi;
mod voi_choice;
mod voi_lut;
mod ybr;

use std::path::Path;

pub use error::ReadError;
pub use info::{
    FileWindow, ImageInfo, NamedWindow, PatientText, SourceFormat, VoiFunction, VoiTable, Window,
    WindowSource,
};
pub use levels::Levels;
pub use scan::{
    FolderScan, PatientGroup, ScannedImage, SkipReason, Skipped, StudyGroup, ViewHints, scan_folder,
};
pub use shown::shown_path;

/// A grey image of display values in [0, 1], 1 = white = dense.
pub type GreyImage = image::ImageBuffer<image::Luma<f32>, Vec<f32>>;

/// Images with more pixels than this are refused before decoding.
///
/// A 43 × 43 cm flat-panel film at 0.1 mm is 18.5 megapixels and a stitched long-leg or
/// whole-spine film about 30; 40 leaves room for both, while bounding what one file can
/// cost a laptop (a 16-bit RGBA PNG of that size decodes through 320 MB of pixels).
pub const MAX_PIXELS: u64 = 40_000_000;

/// Files larger than this are refused before being read (no radiograph is this big).
pub const MAX_FILE_BYTES: u64 = 2 << 30;

/// A loaded radiograph: display image, what is known about it, and its pre-VOI values
/// for rendering it again with another window (4 more bytes per pixel, see [`Levels`]).
#[derive(Debug, Clone)]
pub struct Radiograph {
    pub image: GreyImage,
    pub info: ImageInfo,
    pub levels: Levels,
}

/// The first frame's decoded samples, before any rescale or window (for decoder equality
/// tests). `samples` is row-major, `samples_per_pixel` values per pixel (interleaved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFrame {
    pub width: u32,
    pub height: u32,
    pub samples_per_pixel: u16,
    pub samples: Vec<i32>,
}

/// Read a radiograph (DICOM, PNG, JPEG, TIFF or BMP, chosen by content) as display values.
///
/// # Errors
/// A [`ReadError`] when the file cannot be read, is not a supported image, uses an
/// unsupported codec or layout, is empty, zero-size or over 40 megapixels.
pub fn load(path: &Path) -> Result<Radiograph, ReadError> {
    let bytes = read(path)?;
    match sniff(&bytes, path)? {
        Kind::Dicom => guard::decoding(path, || dicom::load(&bytes, path)),
        Kind::Raster => guard::decoding(path, || raster::load(&bytes, path)),
    }
}

/// The first frame's samples after decoding, before any rescale or window.
///
/// # Errors
/// As [`load`].
pub fn stored_values(path: &Path) -> Result<StoredFrame, ReadError> {
    let bytes = read(path)?;
    match sniff(&bytes, path)? {
        Kind::Dicom => guard::decoding(path, || dicom::stored(&bytes, path)),
        Kind::Raster => guard::decoding(path, || raster::stored(&bytes, path)),
    }
}

/// Refuse a zero-size image or one over [`MAX_PIXELS`].
pub(crate) fn check_size(width: u64, height: u64, path: &Path) -> Result<(), ReadError> {
    if width == 0 || height == 0 {
        return Err(ReadError::ZeroSize {
            width,
            height,
            path: path.to_owned(),
        });
    }
    if width.saturating_mul(height) > MAX_PIXELS {
        return Err(ReadError::TooLarge {
            width,
            height,
            path: path.to_owned(),
        });
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>, ReadError> {
    let io = |e: std::io::Error| ReadError::Io {
        reason: error::one_line(&e),
        path: path.to_owned(),
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    // A device or pipe has no size to check and may never end (/dev/zero): only regular
    // files are read.
    if !meta.is_file() {
        return Err(ReadError::UnknownFormat {
            found: "not a regular file".to_owned(),
            path: path.to_owned(),
        });
    }
    let too_large = |len: u64| ReadError::UnknownFormat {
        found: format!("{} MiB, larger than any radiograph", len >> 20),
        path: path.to_owned(),
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    // Bounded even so: the file may grow while it is read.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_FILE_BYTES + 1), &mut bytes)
        })
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dicom,
    Raster,
}

/// Magic numbers of PNG, JPEG, TIFF (both byte orders) and BMP.
const RASTER: [&[u8]; 5] = [
    b"\x89PNG\r\n\x1a\n",
    b"\xFF\xD8\xFF",
    b"II*\0",
    b"MM\0*",
    b"BM",
];

/// Choose the reader from the first bytes.
fn sniff(bytes: &[u8], path: &Path) -> Result<Kind, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty {
            path: path.to_owned(),
        });
    }
    // A preamble may hold a TIFF header (dual DICOM / TIFF files): `DICM` wins.
    if bytes.get(128..132) == Some(b"DICM") {
        return Ok(Kind::Dicom);
    }
    if is_raster(bytes) {
        return Ok(Kind::Raster);
    }
    if framing::framing(bytes).is_some() {
        return Ok(Kind::Dicom);
    }
    Err(ReadError::UnknownFormat {
        found: describe(bytes),
        path: path.to_owned(),
    })
}

/// Whether the bytes start with a PNG / JPEG / TIFF / BMP magic number.
pub(crate) fn is_raster(bytes: &[u8]) -> bool {
    RASTER.iter().any(|magic| bytes.starts_with(magic))
}

/// A short description of unrecognised content, for the error message.
pub(crate) fn describe(bytes: &[u8]) -> String {
    if bytes.starts_with(b"%PDF") {
        return "a PDF document".to_owned();
    }
    let head = &bytes[..bytes.len().min(512)];
    if std::str::from_utf8(head)
        .is_ok_and(|s| s.chars().all(|c| !c.is_control() || c.is_whitespace()))
    {
        return "text".to_owned();
    }
    format!("{} bytes of unrecognised content", bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(bytes: &[u8]) -> Result<Kind, ReadError> {
        sniff(bytes, Path::new("f"))
    }

    #[test]
    fn sniffing_by_content() {
        let mut preamble = vec![0u8; 128];
        preamble.extend_from_slice(b"DICM");
        assert_eq!(kind(&preamble).ok(), Some(Kind::Dicom));
        assert_eq!(kind(b"DICM\x02\x00").ok(), Some(Kind::Dicom));
        assert_eq!(kind(b"\x89PNG\r\n\x1a\nxxxx").ok(), Some(Kind::Raster));
        assert_eq!(kind(b"\xFF\xD8\xFF\xE0").ok(), Some(Kind::Raster));
        assert_eq!(
            kind(b"\x08\0\x05\0CS\x0a\0ISO_IR 100").ok(),
            Some(Kind::Dicom)
        );
        let mut dual = b"II*\0".to_vec();
        dual.resize(128, 0);
        dual.extend_from_slice(b"DICM");
        assert_eq!(
            kind(&dual).ok(),
            Some(Kind::Dicom),
            "DICM wins over a TIFF preamble"
        );
        assert!(matches!(kind(b""), Err(ReadError::Empty { .. })));
    }

    #[test]
    fn unknown_content_is_described() {
        assert_eq!(describe(b"%PDF-1.7\n"), "a PDF document");
        assert_eq!(describe(b"hello\nworld"), "text");
        assert!(describe(&[0u8, 1, 2, 3]).contains("unrecognised"));
    }

    #[test]
    fn size_limits() {
        let p = Path::new("f");
        // 40 megapixels exactly is taken, one more row is not.
        assert!(check_size(8_000, 5_000, p).is_ok());
        assert!(matches!(
            check_size(8_000, 5_001, p),
            Err(ReadError::TooLarge { .. })
        ));
        assert!(matches!(
            check_size(0, 5, p),
            Err(ReadError::ZeroSize { .. })
        ));
        assert!(matches!(
            check_size(u64::MAX, u64::MAX, p),
            Err(ReadError::TooLarge { .. })
        ));
    }
}
