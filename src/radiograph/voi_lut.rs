//! Owns the VOI LUT table (`VOILUTSequence`, PS3.3 C.11.2.1.1): reading the first item's
//! LUT Descriptor, LUT Data and explanation, and mapping modality values through it onto
//! [0, 1]. Used when a file has a table but no usable window.
//!
//! Descriptor `[entries (0 = 65536), first input value, bits]`: input `first + i` gives
//! `data[i]`, inputs below `first` the first entry, past the end the last; the output is
//! divided by `2^bits - 1` (or by the largest entry, when a table overshoots its bits).

use dicom_dictionary_std::tags;
use dicom_object::DefaultDicomObject;

use super::info::VoiTable;

/// A VOI lookup table ready to map values.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiLut {
    pub table: VoiTable,
    data: Vec<u16>,
    max: f32,
}

/// The table of the first `VOILUTSequence` item: `None` when there is no sequence,
/// `Some(Err(why))` when it is present but malformed.
pub fn read(obj: &DefaultDicomObject, signed_pixels: bool) -> Option<Result<VoiLut, String>> {
    let items = obj.get(tags::VOILUT_SEQUENCE)?.items()?;
    let item = items.first()?;
    let descriptor = item
        .get(tags::LUT_DESCRIPTOR)
        .and_then(|e| e.to_multi_int::<i32>().ok());
    let Some(descriptor) = descriptor else {
        return Some(Err("VOI LUT without a descriptor".to_owned()));
    };
    let data = item
        .get(tags::LUT_DATA)
        .and_then(|e| e.to_multi_int::<u16>().ok());
    let Some(data) = data else {
        return Some(Err("VOI LUT without readable LUT data".to_owned()));
    };
    let explanation = item
        .get(tags::LUT_EXPLANATION)
        .and_then(|e| e.to_str().ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    Some(from_parts(&descriptor, data, signed_pixels, explanation))
}

/// Check the descriptor against the data.
///
/// # Errors
/// A one-line reason when the descriptor is not 3 values, the bits are outside 1..=16 or
/// the entry count disagrees with the data.
pub fn from_parts(
    descriptor: &[i32],
    data: Vec<u16>,
    signed_pixels: bool,
    explanation: Option<String>,
) -> Result<VoiLut, String> {
    let &[entries, first, bits] = descriptor else {
        return Err(format!(
            "VOI LUT descriptor has {} values, not 3",
            descriptor.len()
        ));
    };
    let entries = if entries == 0 { 65536 } else { entries };
    // The first input value is US, or SS for signed pixels (read here as US).
    let first = if signed_pixels && first > 32767 {
        first - 65536
    } else {
        first
    };
    if usize::try_from(entries).ok() != Some(data.len()) || data.is_empty() {
        return Err(format!(
            "VOI LUT has {} entries, descriptor says {entries}",
            data.len()
        ));
    }
    let bits = u16::try_from(bits)
        .ok()
        .filter(|b| (1..=16).contains(b))
        .ok_or_else(|| format!("VOI LUT descriptor says {bits} bits"))?;
    let top = data.iter().copied().max().unwrap_or(0);
    let max = f32::from(
        u16::try_from((1u32 << bits) - 1)
            .unwrap_or(u16::MAX)
            .max(top),
    )
    .max(1.0);
    Ok(VoiLut {
        table: VoiTable {
            entries: data.len(),
            first,
            bits,
            explanation,
        },
        data,
        max,
    })
}

impl VoiLut {
    /// The display value in [0, 1] of one modality value (its floor indexes the table).
    #[must_use]
    pub fn map(&self, value: f32) -> f32 {
        let last = self.data.len() - 1;
        let offset = f64::from(value).floor() - f64::from(self.table.first);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 0 < offset
        let index = if offset.is_nan() || offset <= 0.0 {
            0
        } else {
            (offset.min(65536.0) as usize).min(last)
        };
        (f32::from(self.data[index]) / self.max).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_by_hand() {
        // 3 entries from input 100, 8 bits: 100 → 0, 101 → 51 / 255 = 0.2, 102 → 1.
        let lut = from_parts(&[3, 100, 8], vec![0, 51, 255], false, None).expect("valid");
        let got: Vec<f32> = [50.0, 100.0, 101.0, 101.9, 102.0, 1e9]
            .iter()
            .map(|&x| lut.map(x))
            .collect();
        let want = [0.0, 0.0, 0.2, 0.2, 1.0, 1.0];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-6, "{got:?}");
        }
        assert!(lut.map(f32::NAN).abs() < 1e-6);
    }

    #[test]
    fn signed_first_and_overshooting_bits() {
        // first 65526 read as SS = -10; 12 bits declared but an entry of 8190: divide by it.
        let lut = from_parts(&[2, 65526, 12], vec![4095, 8190], true, None).expect("valid");
        assert_eq!(lut.table.first, -10);
        assert!((lut.map(-10.0) - 0.5).abs() < 1e-6);
        assert!((lut.map(-9.0) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn malformed_tables() {
        assert!(from_parts(&[4, 0, 16], vec![1, 2], false, None).is_err());
        assert!(from_parts(&[2, 0], vec![1, 2], false, None).is_err());
        assert!(from_parts(&[2, 0, 0], vec![1, 2], false, None).is_err());
        assert!(from_parts(&[0, 0, 16], vec![1], false, None).is_err());
    }
}
