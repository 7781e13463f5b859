//! Owns DICOM files: parsing (with or without the 128-byte preamble), the checks made
//! before decoding (pixel data present, size, layout), decoding the first frame with
//! dicom-pixeldata, and the grey pipeline (stored values → modality rescale → VOI window →
//! MONOCHROME1 inversion) or the colour → luma path.

use std::io::Read;
use std::path::Path;

use dicom_dictionary_std::tags;
use dicom_object::file::ReadPreamble;
use dicom_object::{DefaultDicomObject, OpenFileOptions, Tag};
use dicom_pixeldata::{DecodedPixelData, PixelDecoder};

use super::error::{ReadError, one_line};
use super::framing::{self, Framing};
use super::header::{self, Layout};
use super::info::{ImageInfo, SourceFormat};
use super::levels::Levels;
use super::{
    GreyImage, Radiograph, StoredFrame, check_size, dicom_colour, grey, palette, syntax, ybr,
};
use super::{deflate, lengths};

/// Parse a DICOM file held in memory, in any [`Framing`].
pub fn open(bytes: &[u8], path: &Path) -> Result<(DefaultDicomObject, Framing), ReadError> {
    parse(bytes, bytes.len(), bytes, None, path)
}

/// Parse a DICOM stream: `head` is its first bytes (at least 132 when the file has them,
/// to see the framing; the more, the further element lengths are checked against
/// `file_len` before dicom-parser allocates them), `source` the whole file from byte 0;
/// stop before `until` if given.
pub fn parse<R: Read>(
    head: &[u8],
    file_len: usize,
    mut source: R,
    until: Option<Tag>,
    path: &Path,
) -> Result<(DefaultDicomObject, Framing), ReadError> {
    let parse_error = |reason: String| ReadError::DicomParse {
        reason,
        path: path.to_owned(),
    };
    let framing = framing::framing(head).ok_or_else(|| parse_error("no DICOM header".into()))?;
    let mut options = OpenFileOptions::new().read_preamble(ReadPreamble::Never);
    if let Some(tag) = until {
        options = options.read_until(tag);
    }
    match check_lengths(head, file_len, framing).map_err(parse_error)? {
        Lengths::Checked => {}
        Lengths::Short => return parse_longer(file_len, source, until, path),
        Lengths::Deflated(data_start) => {
            let obj = parse_deflated(head, file_len, source, framing, data_start, options)
                .map_err(parse_error)?;
            return Ok((obj, framing));
        }
    }
    let skip = framing::skip(framing) as u64;
    std::io::copy(&mut (&mut source).take(skip), &mut std::io::sink())
        .map_err(|e| parse_error(one_line(&e)))?;
    let prefix = framing::prefix(framing).map_err(parse_error)?;
    let obj = options
        .from_reader(prefix.as_slice().chain(source))
        .map_err(|e| parse_error(one_line(&e)))?;
    Ok((obj, framing))
}

/// What the length walk over the first bytes found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lengths {
    /// Every length dicom-parser will read was checked.
    Checked,
    /// The first bytes ended before the pixel data: walk more of the file.
    Short,
    /// Deflated, from this offset: checked once inflated.
    Deflated(usize),
}

/// The folder scanner's first bytes are walked further, up to this, when a header is
/// longer than them; a longer header is refused.
const MAX_HEADER_WALK: u64 = 64 << 20;

/// Walk up to [`MAX_HEADER_WALK`] bytes of a header that is longer than the first bytes
/// given, then parse (`source` from byte 0, as in [`parse`]).
fn parse_longer<R: Read>(
    file_len: usize,
    mut source: R,
    until: Option<Tag>,
    path: &Path,
) -> Result<(DefaultDicomObject, Framing), ReadError> {
    let parse_error = |reason: String| ReadError::DicomParse {
        reason,
        path: path.to_owned(),
    };
    let mut longer = Vec::new();
    (&mut source)
        .take(MAX_HEADER_WALK)
        .read_to_end(&mut longer)
        .map_err(|e| parse_error(one_line(&e)))?;
    let framing = framing::framing(&longer).ok_or_else(|| parse_error("no DICOM header".into()))?;
    if check_lengths(&longer, file_len, framing).map_err(parse_error)? == Lengths::Short {
        return Err(parse_error(format!(
            "more than {} MiB of header before the pixel data",
            MAX_HEADER_WALK >> 20
        )));
    }
    // Boxed: `parse` may call this again (it will not: the walk now reaches the pixel
    // data), and a generic chain would nest without end at compile time.
    let rest: Box<dyn Read + '_> = Box::new(longer.as_slice().chain(source));
    parse(&longer, file_len, rest, until, path)
}

/// Check the element lengths in `head` before dicom-parser allocates them.
fn check_lengths(head: &[u8], file_len: usize, framing: Framing) -> Result<Lengths, String> {
    let reach = |r| match r {
        lengths::Reach::Checked => Lengths::Checked,
        lengths::Reach::Short => Lengths::Short,
    };
    let start = match framing {
        Framing::Preamble => 132,
        Framing::Magic => 4,
        Framing::MetaWithoutMagic => 0,
        Framing::Bare { explicit } => {
            let syntax = lengths::Syntax {
                explicit,
                big_endian: false,
            };
            return lengths::data_set(head, 0, file_len, syntax).map(reach);
        }
    };
    let Some(meta) = lengths::meta(head, start, file_len)? else {
        // dicom-object refuses the meta group, or it runs past the first bytes.
        let cut = head.len() < file_len;
        return Ok(if cut {
            Lengths::Short
        } else {
            Lengths::Checked
        });
    };
    match meta.syntax {
        Some(syntax) => lengths::data_set(head, meta.end, file_len, syntax).map(reach),
        None => Ok(Lengths::Deflated(meta.end)),
    }
}

/// Inflate a deflated data set (capped), check its lengths, and parse it re-framed as
/// Explicit VR Little Endian; the meta group keeps the deflate UID.
fn parse_deflated<R: Read>(
    head: &[u8],
    file_len: usize,
    mut source: R,
    framing: Framing,
    data_start: usize,
    options: OpenFileOptions,
) -> Result<DefaultDicomObject, String> {
    // The folder scanner passes the first bytes only: a deflated file is read whole.
    let mut rest = Vec::new();
    let whole = if head.len() >= file_len {
        head
    } else {
        (&mut source)
            .take(super::MAX_FILE_BYTES)
            .read_to_end(&mut rest)
            .map_err(|e| one_line(&e))?;
        &rest
    };
    let deflated = whole.get(data_start..).unwrap_or_default();
    let inflated = deflate::inflate(deflated, deflate::MAX_INFLATED)?;
    lengths::data_set(&inflated, 0, inflated.len(), lengths::EXPLICIT_LE)?; // all of it
    let meta = &whole[framing::skip(framing)..data_start];
    let header = deflate::reframe(framing::prefix(framing)?.as_slice().chain(meta))?;
    let mut obj = options
        .from_reader(header.as_slice().chain(inflated.as_slice()))
        .map_err(|e| one_line(&e))?;
    obj.meta_mut().transfer_syntax = format!("{}\0", deflate::DEFLATED);
    Ok(obj)
}

/// Checks made before any pixel is decoded or allocated.
fn check(obj: &DefaultDicomObject, path: &Path) -> Result<Layout, ReadError> {
    if !header::has(obj, tags::PIXEL_DATA) {
        return Err(ReadError::NoPixelData {
            path: path.to_owned(),
        });
    }
    let layout = header::layout(obj);
    check_size(u64::from(layout.columns), u64::from(layout.rows), path)?;
    let refuse = |what: String| {
        Err(ReadError::UnsupportedLayout {
            what,
            path: path.to_owned(),
        })
    };
    if !matches!(layout.bits_allocated, 8 | 16) {
        return refuse(format!(
            "BitsAllocated {}, only 8 and 16 are read",
            layout.bits_allocated
        ));
    }
    if layout.bits_stored == 0 || layout.bits_stored > layout.bits_allocated {
        return refuse(format!(
            "BitsStored {} with BitsAllocated {}",
            layout.bits_stored, layout.bits_allocated
        ));
    }
    if !matches!(layout.samples_per_pixel, 1 | 3) {
        return refuse(format!("SamplesPerPixel {}", layout.samples_per_pixel));
    }
    let native = syntax::is_native(obj.meta().transfer_syntax());
    if native && layout.high_bit + 1 != layout.bits_stored {
        // The decoder keeps the low BitsStored bits; data aligned elsewhere would be garbage.
        return refuse(format!(
            "HighBit {} with BitsStored {}",
            layout.high_bit, layout.bits_stored
        ));
    }
    check_photometric(&layout, native, path)?;
    Ok(layout)
}

/// Refuse photometric layouts that no route reads: native 4:2:0 (not defined for native
/// data), native 4:2:2 other than 8-bit three-sample, palette colour other than one sample.
fn check_photometric(layout: &Layout, native: bool, path: &Path) -> Result<(), ReadError> {
    let pi = layout.photometric.as_str();
    let bad_422 =
        ybr::range(pi).is_some() && (layout.bits_allocated != 8 || layout.samples_per_pixel != 3);
    let bad = (native && (pi.contains("420") || bad_422))
        || (pi == "PALETTE COLOR" && layout.samples_per_pixel != 1);
    if bad {
        return Err(ReadError::UnsupportedLayout {
            what: format!(
                "PhotometricInterpretation {pi} with {} samples of {} bits",
                layout.samples_per_pixel, layout.bits_allocated
            ),
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// Decode the first frame, turning codec failures into one-line errors.
fn decode<'a>(obj: &'a DefaultDicomObject, path: &Path) -> Result<DecodedPixelData<'a>, ReadError> {
    obj.decode_pixel_data_frame(0)
        .map_err(|e| decode_error(&e, obj, path))
}

fn decode_error(e: &dicom_pixeldata::Error, obj: &DefaultDicomObject, path: &Path) -> ReadError {
    let reason = one_line(e);
    let codec = syntax::name(obj.meta().transfer_syntax());
    let path = path.to_owned();
    if let Some(bits) = sample_precision(&reason) {
        // "JPEG Extended (Process 2 and 4)" → "JPEG Extended 12-bit"
        let family = codec.split(" (").next().unwrap_or(&codec);
        return ReadError::UnsupportedCodec {
            codec: format!("{family} {bits}-bit"),
            detail: format!("SamplePrecision {bits}"),
            path,
        };
    }
    let lower = reason.to_lowercase();
    if lower.contains("unsupported transfer syntax") || lower.contains("unknown transfer syntax") {
        return ReadError::UnsupportedCodec {
            codec,
            detail: "no decoder in this build".to_owned(),
            path,
        };
    }
    ReadError::Decode {
        reason: format!("{codec}: {reason}"),
        path,
    }
}

/// The `N` of "SamplePrecision(N)" in a JPEG decoder error.
fn sample_precision(reason: &str) -> Option<u32> {
    let rest = &reason[reason.find("SamplePrecision(")? + "SamplePrecision(".len()..];
    rest[..rest.find(')')?].trim().parse().ok()
}

/// Header-derived info; `window` is filled in by the pipeline.
fn base_info(obj: &DefaultDicomObject, layout: &Layout) -> ImageInfo {
    let mut notes = Vec::new();
    let pixel_spacing_mm = header::pixel_spacing(obj, &mut notes);
    let mut info = ImageInfo {
        source: SourceFormat::Dicom {
            transfer_syntax: syntax::name(obj.meta().transfer_syntax()),
        },
        modality: header::text(obj, tags::MODALITY),
        photometric: layout.photometric.clone(),
        bits_stored: layout.bits_stored,
        pixel_spacing_mm,
        window: None,
        windows: Vec::new(),
        voi_table: None,
        frames: layout.frames,
        patient: header::patient(obj),
        notes: Vec::new(),
    };
    for n in notes {
        info.note(n);
    }
    if layout.frames > 1 {
        info.note(format!("{} frames, only the first is read", layout.frames));
    }
    info
}

/// Decode what dicom-pixeldata cannot (12-bit JPEG Extended) into native pixel data in
/// place, so that the usual routes read it.
#[cfg(feature = "jpeg12")]
fn transcode(obj: &mut DefaultDicomObject, path: &Path) -> Result<(), ReadError> {
    if super::jpeg12::applies(obj) {
        return super::jpeg12::to_native(obj, path);
    }
    Ok(())
}

/// Without the `jpeg12` feature, nothing is transcoded (12-bit JPEG is refused later).
#[cfg(not(feature = "jpeg12"))]
#[allow(clippy::unnecessary_wraps)] // same signature as with the feature
fn transcode(_obj: &mut DefaultDicomObject, _path: &Path) -> Result<(), ReadError> {
    Ok(())
}

/// How the first frame becomes grey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// One sample per pixel: rescale → window → inversion.
    Grey,
    /// RGB / `YBR_FULL` decoded by dicom-pixeldata → luma.
    Colour,
    /// `PALETTE COLOR`: stored index → palette RGB → luma.
    Palette,
    /// Native 8-bit 4:2:2 YBR, read here → Y.
    Ybr422(ybr::Range),
}

fn route(obj: &DefaultDicomObject, layout: &Layout) -> Route {
    let native = syntax::is_native(obj.meta().transfer_syntax());
    match ybr::range(&layout.photometric) {
        Some(range) if native => return Route::Ybr422(range),
        _ => {}
    }
    if layout.photometric == "PALETTE COLOR" {
        Route::Palette
    } else if layout.samples_per_pixel == 1 {
        Route::Grey
    } else {
        Route::Colour
    }
}

/// Load a DICOM radiograph as display values.
pub fn load(bytes: &[u8], path: &Path) -> Result<Radiograph, ReadError> {
    let (mut obj, framing) = open(bytes, path)?;
    let layout = check(&obj, path)?;
    let mut info = base_info(&obj, &layout);
    transcode(&mut obj, path)?;
    if let Some(text) = framing::describe(framing).filter(|_| framing != Framing::Magic) {
        info.note(text.to_owned());
    }
    let (w, h) = (layout.columns, layout.rows);
    // Palette and 4:2:2 luma is already in [0, 1]: its "codes" are the display values.
    let (values, levels) = match route(&obj, &layout) {
        Route::Ybr422(range) => {
            Levels::codes(w, h, ybr::grey(&ybr422(&obj, &layout, path)?, range), 1.0)
        }
        other => {
            let px = decode(&obj, path)?;
            match other {
                Route::Palette => Levels::codes(w, h, palette_luma(&obj, &px, path)?, 1.0),
                Route::Grey => grey::grey_pipeline(&obj, &px, &mut info, path)?,
                _ => {
                    let (codes, max) = dicom_colour::colour_codes(&px, path)?;
                    Levels::codes(w, h, codes, max)
                }
            }
        }
    };
    let image = GreyImage::from_raw(w, h, values).ok_or_else(|| ReadError::Decode {
        reason: "decoded pixel count mismatch".to_owned(),
        path: path.to_owned(),
    })?;
    Ok(Radiograph {
        image,
        info,
        levels,
    })
}

/// Interleaved Y, Cb, Cr of the first frame of native 4:2:2 data.
fn ybr422(obj: &DefaultDicomObject, layout: &Layout, path: &Path) -> Result<Vec<u8>, ReadError> {
    let bytes = obj
        .get(tags::PIXEL_DATA)
        .and_then(|e| e.to_bytes().ok())
        .ok_or_else(|| ReadError::Decode {
            reason: "native pixel data unreadable".to_owned(),
            path: path.to_owned(),
        })?;
    ybr::expand(&bytes, layout.rows, layout.columns).map_err(|reason| ReadError::Decode {
        reason,
        path: path.to_owned(),
    })
}

/// `PALETTE COLOR` → luma of each stored index's palette entry.
fn palette_luma(
    obj: &DefaultDicomObject,
    px: &DecodedPixelData<'_>,
    path: &Path,
) -> Result<Vec<f32>, ReadError> {
    let palette = palette::read(obj).map_err(|what| ReadError::UnsupportedLayout {
        what,
        path: path.to_owned(),
    })?;
    let indices = grey::stored_grey(px, path)?;
    Ok(indices.into_iter().map(|i| palette.luma(i)).collect())
}

/// First frame's decoded samples before rescale / window: grey (and palette indices) via
/// the library's bits-stored mask and sign extension, colour as interleaved samples.
pub fn stored(bytes: &[u8], path: &Path) -> Result<StoredFrame, ReadError> {
    let (mut obj, _) = open(bytes, path)?;
    let layout = check(&obj, path)?;
    transcode(&mut obj, path)?;
    let (samples_per_pixel, samples) = match route(&obj, &layout) {
        Route::Ybr422(_) => {
            let ybr = ybr422(&obj, &layout, path)?;
            (3, ybr.into_iter().map(i32::from).collect())
        }
        Route::Grey | Route::Palette => (1, grey::stored_grey(&decode(&obj, path)?, path)?),
        Route::Colour => {
            let px = decode(&obj, path)?;
            let n = px.rows() as usize * px.columns() as usize;
            let raw = dicom_colour::raw_samples(&px, path)?;
            (
                3,
                dicom_colour::interleave(&raw, n, dicom_colour::planes(&px)),
            )
        }
    };
    Ok(StoredFrame {
        width: layout.columns,
        height: layout.rows,
        samples_per_pixel,
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_precision_is_read_from_the_jpeg_error() {
        let msg = "could not decode: unsupported JPEG feature: SamplePrecision(12)";
        assert_eq!(sample_precision(msg), Some(12));
        assert_eq!(sample_precision("something else"), None);
    }

    #[test]
    fn garbage_is_a_parse_error() {
        let err = open(b"DICMnot really", Path::new("x.dcm")).expect_err("must fail");
        assert!(matches!(err, ReadError::DicomParse { .. }), "{err}");
    }
}
