//! Owns the Modality LUT table (`ModalityLUTSequence`, PS3.3 C.11.1): reading its first
//! item's LUT Descriptor and LUT Data, and mapping stored values through it. Used instead
//! of rescale slope / intercept when a file has one (dicom-pixeldata applies only rescale).

use dicom_dictionary_std::tags;
use dicom_object::DefaultDicomObject;

/// A modality lookup table: stored value `first + i` maps to `data[i]`; values below
/// `first` map to `data[0]`, values past the end to the last entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModalityLut {
    pub first: i32,
    pub data: Vec<u16>,
}

/// Why a present table could not be used, for a note.
pub type Unusable = String;

/// The table of the first `ModalityLUTSequence` item: `None` when there is no sequence,
/// `Some(Err(why))` when it is present but malformed.
pub fn read(
    obj: &DefaultDicomObject,
    signed_pixels: bool,
) -> Option<Result<ModalityLut, Unusable>> {
    let items = obj.get(tags::MODALITY_LUT_SEQUENCE)?.items()?;
    let item = items.first()?;
    let descriptor = item
        .get(tags::LUT_DESCRIPTOR)
        .and_then(|e| e.to_multi_int::<i32>().ok())
        .filter(|d| d.len() == 3);
    let Some(descriptor) = descriptor else {
        return Some(Err("modality LUT without a 3-value descriptor".to_owned()));
    };
    let data = item
        .get(tags::LUT_DATA)
        .and_then(|e| e.to_multi_int::<u16>().ok());
    let Some(data) = data else {
        return Some(Err("modality LUT without readable LUT data".to_owned()));
    };
    Some(from_parts(&descriptor, data, signed_pixels))
}

/// Check the descriptor (entries, first value, bits) against the data.
fn from_parts(
    descriptor: &[i32],
    data: Vec<u16>,
    signed_pixels: bool,
) -> Result<ModalityLut, Unusable> {
    let entries = if descriptor[0] == 0 {
        65536
    } else {
        descriptor[0]
    };
    // The first mapped value is US unless pixels are signed, where it is read as SS.
    let first = if signed_pixels && descriptor[1] > 32767 {
        descriptor[1] - 65536
    } else {
        descriptor[1]
    };
    if usize::try_from(entries).ok() != Some(data.len()) || data.is_empty() {
        return Err(format!(
            "modality LUT has {} entries, descriptor says {entries}",
            data.len()
        ));
    }
    Ok(ModalityLut { first, data })
}

impl ModalityLut {
    /// The table's output for one stored value.
    #[must_use]
    pub fn map(&self, stored: i32) -> f32 {
        let last = self.data.len() - 1;
        let index = usize::try_from(stored.saturating_sub(self.first)).map_or(0, |i| i.min(last));
        f32::from(self.data[index])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::float_cmp)] // table outputs are whole numbers, exact in f32
    fn maps_and_clamps() {
        let lut = from_parts(&[3, 10, 16], vec![100, 200, 300], false).expect("valid");
        assert_eq!(
            [
                lut.map(9),
                lut.map(10),
                lut.map(11),
                lut.map(12),
                lut.map(99)
            ],
            [100.0, 100.0, 200.0, 300.0, 300.0]
        );
    }

    #[test]
    #[allow(clippy::float_cmp)]
    fn signed_first_value_and_bad_lengths() {
        let lut = from_parts(&[2, 65535, 16], vec![7, 8], true).expect("valid");
        assert_eq!((lut.first, lut.map(0)), (-1, 8.0));
        assert!(from_parts(&[4, 0, 16], vec![1, 2], false).is_err());
        assert!(
            from_parts(&[0, 0, 16], vec![1], false).is_err(),
            "0 entries means 65536"
        );
    }
}
