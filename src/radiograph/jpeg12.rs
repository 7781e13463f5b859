//! Owns 12-bit JPEG Extended (process 2 / 4, transfer syntax 1.2.840.10008.1.2.4.51), which
//! dicom-pixeldata's decoder (jpeg-decoder) refuses: the first frame's fragments are
//! decoded with libjpeg-turbo 3 (`turbojpeg-sys`, built from its bundled source; IJG /
//! BSD-3 / zlib licences) and put back into the object as native 16-bit pixel data in
//! Explicit VR Little Endian, so the usual grey pipeline runs unchanged.
//!
//! Only grey (one component) streams are read. Any libjpeg-turbo warning (corrupt data,
//! bad scan parameters) is an error: the WG04 `RG2_JPLY` / `RG3_JPLY` streams are known to
//! be damaged and must not be shown half-decoded.
//!
//! This is the crate's only `unsafe` code: five calls into the `TurboJPEG` 3 C API on a
//! handle owned by [`Handle`] (destroyed on drop), with buffers sized from the header.
#![allow(unsafe_code)]

use std::ffi::CStr;
use std::path::Path;

use dicom_core::{PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use dicom_object::DefaultDicomObject;
use dicom_object::mem::InMemElement;
use turbojpeg_sys as tj;

use super::error::ReadError;
use super::{check_size, header};

/// JPEG Extended (Process 2 and 4).
pub const JPEG_EXTENDED: &str = "1.2.840.10008.1.2.4.51";
const EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";

/// A decoded grey frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub samples: Vec<u16>,
}

/// An owned `TurboJPEG` decompressor handle.
struct Handle(tj::tjhandle);

impl Handle {
    fn new() -> Result<Self, String> {
        // SAFETY: tj3Init has no preconditions; a null result is checked.
        let raw = unsafe { tj::tj3Init(i32::try_from(tj::TJINIT_TJINIT_DECOMPRESS).unwrap_or(1)) };
        if raw.is_null() {
            return Err("cannot start the 12-bit JPEG decoder".to_owned());
        }
        Ok(Self(raw))
    }

    fn get(&self, param: tj::TJPARAM) -> i32 {
        let param = i32::try_from(param).unwrap_or(-1);
        // SAFETY: the handle is valid for the life of `self`; unknown params return -1.
        unsafe { tj::tj3Get(self.0, param) }
    }

    fn error(&self) -> String {
        // SAFETY: tj3GetErrorStr returns a NUL-terminated static or per-handle buffer.
        let text = unsafe { CStr::from_ptr(tj::tj3GetErrorStr(self.0)) };
        text.to_string_lossy().into_owned()
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: created by tj3Init, destroyed once.
        unsafe { tj::tj3Destroy(self.0) }
    }
}

/// Decode a 12-bit grey JPEG stream; `None` for another precision (left to dicom-pixeldata).
///
/// # Errors
/// A one-line reason for a 12-bit stream that is not grey, too large, or damaged.
pub fn decode(stream: &[u8], path: &Path) -> Result<Option<Frame>, ReadError> {
    let fail = |reason: String| ReadError::Decode {
        reason: format!("JPEG Extended 12-bit: {reason}"),
        path: path.to_owned(),
    };
    let h = Handle::new().map_err(fail)?;
    let len = stream.len();
    // SAFETY: pointer and length describe `stream`, which outlives the call.
    if unsafe { tj::tj3DecompressHeader(h.0, stream.as_ptr(), len as _) } != 0 {
        return Err(fail(h.error()));
    }
    let (width, height) = (
        h.get(tj::TJPARAM_TJPARAM_JPEGWIDTH),
        h.get(tj::TJPARAM_TJPARAM_JPEGHEIGHT),
    );
    let (Ok(width), Ok(height)) = (u32::try_from(width), u32::try_from(height)) else {
        return Err(fail("bad frame size".to_owned()));
    };
    check_size(u64::from(width), u64::from(height), path)?;
    let precision = h.get(tj::TJPARAM_TJPARAM_PRECISION);
    if precision != 12 {
        return Ok(None);
    }
    if h.get(tj::TJPARAM_TJPARAM_SUBSAMP) != tj::TJSAMP_TJSAMP_GRAY {
        return Err(fail(
            "only grey (one component) 12-bit streams are read".to_owned(),
        ));
    }
    let stop = i32::try_from(tj::TJPARAM_TJPARAM_STOPONWARNING).unwrap_or(0);
    let format = tj::TJPF_TJPF_GRAY;
    let mut out = vec![0i16; width as usize * height as usize];
    // SAFETY: `out` holds width * height 12-bit samples (pitch 0 = width, 1 byte-pair per
    // grey pixel), exactly what tj3Decompress12 writes for TJPF_GRAY at the header's size.
    let rc = unsafe {
        tj::tj3Set(h.0, stop, 1);
        tj::tj3Decompress12(h.0, stream.as_ptr(), len as _, out.as_mut_ptr(), 0, format)
    };
    if rc != 0 {
        return Err(fail(h.error()));
    }
    let samples = out
        .into_iter()
        .map(|v| v.clamp(0, 4095).unsigned_abs())
        .collect();
    Ok(Some(Frame {
        width,
        height,
        samples,
    }))
}

/// The first frame's JPEG stream: every fragment when there is one frame, else the first
/// fragment (one fragment per frame, the common multi-frame layout).
fn first_frame_stream(obj: &DefaultDicomObject, frames: u32) -> Option<Vec<u8>> {
    let fragments = obj.get(tags::PIXEL_DATA)?.value().fragments()?;
    if frames <= 1 {
        return Some(fragments.concat());
    }
    fragments.first().cloned()
}

/// Whether the object is 12-bit JPEG Extended (by syntax and bits stored).
#[must_use]
pub fn applies(obj: &DefaultDicomObject) -> bool {
    let layout = header::layout(obj);
    obj.meta().transfer_syntax().trim_end_matches(['\0', ' ']) == JPEG_EXTENDED
        && layout.bits_stored > 8
        && layout.samples_per_pixel == 1
}

/// Replace 12-bit JPEG Extended pixel data by its decoded first frame, native 16-bit.
///
/// # Errors
/// As [`decode`], or when the pixel data has no fragments.
pub fn to_native(obj: &mut DefaultDicomObject, path: &Path) -> Result<(), ReadError> {
    let frames = header::layout(obj).frames;
    let stream = first_frame_stream(obj, frames).ok_or_else(|| ReadError::Decode {
        reason: "JPEG Extended 12-bit: no pixel data fragments".to_owned(),
        path: path.to_owned(),
    })?;
    let Some(frame) = decode(&stream, path)? else {
        return Ok(());
    };
    let layout = header::layout(obj);
    if (frame.width, frame.height) != (layout.columns, layout.rows) {
        return Err(ReadError::Decode {
            reason: format!(
                "JPEG Extended 12-bit: stream is {} x {}, header says {} x {}",
                frame.width, frame.height, layout.columns, layout.rows
            ),
            path: path.to_owned(),
        });
    }
    obj.put(InMemElement::new(
        tags::PIXEL_DATA,
        VR::OW,
        PrimitiveValue::U16(frame.samples.into()),
    ));
    if frames > 1 {
        obj.put(InMemElement::new(
            tags::NUMBER_OF_FRAMES,
            VR::IS,
            PrimitiveValue::from("1"),
        ));
    }
    EXPLICIT_LE.clone_into(&mut obj.meta_mut().transfer_syntax);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_a_decode_error() {
        let e = decode(b"\xFF\xD8\xFF\xC1junk", Path::new("x.dcm")).expect_err("fails");
        assert!(matches!(e, ReadError::Decode { .. }), "{e}");
        assert!(
            e.to_string()
                .starts_with("cannot decode the pixel data (JPEG Extended")
        );
    }

    #[test]
    fn an_8_bit_stream_is_left_to_the_other_decoder() {
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode(&[0, 255, 0, 255], 2, 2, image::ExtendedColorType::L8)
            .expect("encode");
        assert_eq!(
            decode(&jpeg, Path::new("x.dcm")).expect("header reads"),
            None
        );
    }
}
