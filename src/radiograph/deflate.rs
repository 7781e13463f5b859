//! Owns Deflated Explicit VR Little Endian files (1.2.840.10008.1.2.1.99): the data set is
//! inflated here, with a hard cap, and handed to dicom-object re-framed as Explicit VR
//! Little Endian, so that the element lengths are checked on the inflated bytes
//! (`lengths.rs`) before dicom-parser allocates them, and no inflated size past the cap
//! is ever held. The caller puts the deflate UID back in the parsed meta group, so the
//! file reads and reports as before.

use dicom_object::FileMetaTable;
use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_with_limit};

/// No inflated data set may be larger: 40 megapixels of 16-bit RGB is 240 MB; twice that
/// leaves room for the rest of the data set, while bounding what a deflate bomb can cost.
pub const MAX_INFLATED: usize = 512 << 20;

/// The deflate UID, as in the meta group.
pub const DEFLATED: &str = "1.2.840.10008.1.2.1.99";

/// Inflate a raw deflate stream (PS3.5 A.5: no zlib header), refusing past `cap` bytes.
///
/// # Errors
/// A one-line reason: past the cap, or a damaged stream.
pub fn inflate(deflated: &[u8], cap: usize) -> Result<Vec<u8>, String> {
    decompress_to_vec_with_limit(deflated, cap).map_err(|e| {
        if e.status == TINFLStatus::HasMoreOutput {
            format!(
                "the deflated data set inflates to more than {} MiB, larger than any radiograph",
                cap >> 20
            )
        } else {
            format!("the deflated data set cannot be inflated: {e}")
        }
    })
}

/// `DICM` and the meta group read from `meta` (`DICM` + the file's meta group) with its
/// transfer syntax set to Explicit VR Little Endian: what to put before the inflated data
/// set.
///
/// # Errors
/// A one-line reason if the meta group cannot be read or written.
pub fn reframe(meta: impl std::io::Read) -> Result<Vec<u8>, String> {
    let mut table = FileMetaTable::from_reader(meta)
        .map_err(|e| format!("cannot read the file meta group: {e}"))?;
    "1.2.840.10008.1.2.1\0".clone_into(&mut table.transfer_syntax);
    table.update_information_group_length();
    let mut out = b"DICM".to_vec();
    table
        .write(&mut out)
        .map_err(|e| format!("cannot re-frame the inflated data set: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deflate(data: &[u8]) -> Vec<u8> {
        miniz_oxide::deflate::compress_to_vec(data, 6)
    }

    #[test]
    fn inflates_within_the_cap_and_refuses_past_it() {
        let data = vec![7u8; 10_000];
        let packed = deflate(&data);
        assert_eq!(inflate(&packed, 10_000).as_deref(), Ok(&data[..]));
        let e = inflate(&packed, 9_999).expect_err("past the cap");
        assert!(
            e.starts_with("the deflated data set inflates to more than"),
            "{e}"
        );
        assert!(inflate(b"\xFF\xFF\xFF", 100).is_err(), "damaged stream");
    }
}
