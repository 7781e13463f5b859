//! Owns `PALETTE COLOR` images (PS3.3 C.7.6.3.1.5–6): reading the red, green and blue
//! Palette Color LUT descriptors and data, and mapping each stored index to the BT.601
//! luma of its RGB entry, divided by the entries' maximum code (255 or 65535).
//!
//! A descriptor is `[entries (0 = 65536), first mapped value, bits per entry]`; stored
//! values below the first map to entry 0, past the end to the last entry. 8-bit entries
//! may be packed two to a 16-bit word or stored one per word; the data's length tells
//! which (as pydicom does). Segmented palettes are refused.

use dicom_dictionary_std::tags;
use dicom_object::{DefaultDicomObject, Tag};

use super::colour::LUMA_601;

/// One colour channel's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub first: i32,
    pub data: Vec<u16>,
    /// Bits per entry from the descriptor (8 or 16), for the maximum code.
    pub bits: u16,
}

/// The three channels of a palette.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Palette {
    pub channels: [Channel; 3],
}

const DESCRIPTORS: [Tag; 3] = [
    tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
    tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
    tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
];
const DATA: [Tag; 3] = [
    tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
    tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
    tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
];

/// The palette of a `PALETTE COLOR` file.
///
/// # Errors
/// A one-line reason when a table is missing, segmented or malformed.
pub fn read(obj: &DefaultDicomObject) -> Result<Palette, String> {
    if obj
        .get(tags::SEGMENTED_RED_PALETTE_COLOR_LOOKUP_TABLE_DATA)
        .is_some()
    {
        return Err("segmented palette colour tables are not supported".to_owned());
    }
    let channel = |k: usize| -> Result<Channel, String> {
        let descriptor = obj
            .get(DESCRIPTORS[k])
            .and_then(|e| e.to_multi_int::<i32>().ok())
            .ok_or("palette colour table without a descriptor")?;
        let data = obj
            .get(DATA[k])
            .and_then(|e| e.to_bytes().ok().map(std::borrow::Cow::into_owned))
            .ok_or("palette colour table without data")?;
        from_parts(&descriptor, &data)
    };
    Ok(Palette {
        channels: [channel(0)?, channel(1)?, channel(2)?],
    })
}

/// Check a descriptor against its data bytes (little-endian words or packed bytes).
///
/// # Errors
/// A one-line reason when the descriptor is not 3 values or the lengths disagree.
pub fn from_parts(descriptor: &[i32], bytes: &[u8]) -> Result<Channel, String> {
    let &[entries, first, bits] = descriptor else {
        return Err(format!(
            "palette descriptor has {} values, not 3",
            descriptor.len()
        ));
    };
    let entries = usize::try_from(if entries == 0 { 65536 } else { entries })
        .map_err(|_| format!("palette descriptor has {entries} entries"))?;
    let data: Vec<u16> = if bytes.len() == entries {
        bytes.iter().map(|&b| u16::from(b)).collect()
    } else if bytes.len() == 2 * entries || bytes.len() == 2 * entries + 1 {
        bytes
            .chunks_exact(2)
            .map(|w| u16::from_le_bytes([w[0], w[1]]))
            .collect()
    } else {
        return Err(format!(
            "palette table has {} bytes for {entries} entries",
            bytes.len()
        ));
    };
    let bits = if bits == 8 || bytes.len() == entries {
        8
    } else {
        16
    };
    Ok(Channel { first, data, bits })
}

impl Channel {
    /// The entry for one stored value, in [0, 1].
    #[must_use]
    pub fn map(&self, stored: i32) -> f32 {
        let last = self.data.len().saturating_sub(1);
        let index = usize::try_from(stored.saturating_sub(self.first)).map_or(0, |i| i.min(last));
        let max = if self.bits == 8 { 255.0 } else { 65535.0 };
        (f32::from(self.data.get(index).copied().unwrap_or(0)) / max).min(1.0)
    }
}

impl Palette {
    /// The BT.601 luma in [0, 1] of one stored index.
    #[must_use]
    pub fn luma(&self, stored: i32) -> f32 {
        let [r, g, b] = &self.channels;
        (LUMA_601[0] * r.map(stored) + LUMA_601[1] * g.map(stored) + LUMA_601[2] * b.map(stored))
            .clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(v: &[u16]) -> Vec<u8> {
        v.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    #[test]
    fn sixteen_bit_tables_map_and_clamp() {
        let c = from_parts(&[3, 10, 16], &words(&[0, 32768, 65535])).expect("valid");
        assert!(c.map(9).abs() < 1e-6 && c.map(10).abs() < 1e-6);
        assert!((c.map(11) - 32768.0 / 65535.0).abs() < 1e-6);
        assert!((c.map(99) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn eight_bit_entries_packed_or_in_words() {
        let packed = from_parts(&[2, 0, 8], &[51, 255]).expect("valid");
        let wide = from_parts(&[2, 0, 8], &words(&[51, 255])).expect("valid");
        for c in [packed, wide] {
            assert!((c.map(0) - 0.2).abs() < 1e-6 && (c.map(1) - 1.0).abs() < 1e-6);
        }
        assert!(from_parts(&[4, 0, 8], &[1, 2, 3]).is_err());
        assert!(from_parts(&[4, 0], &[1, 2, 3, 4]).is_err());
    }

    #[test]
    fn luma_of_pure_red_and_white() {
        // index 0: red (255, 0, 0) → 0.299; index 1: white → 1.
        let ch = |a, b| from_parts(&[2, 0, 8], &[a, b]).expect("valid");
        let p = Palette {
            channels: [ch(255, 255), ch(0, 255), ch(0, 255)],
        };
        assert!((p.luma(0) - 0.299).abs() < 1e-6);
        assert!((p.luma(1) - 1.0).abs() < 1e-6);
    }
}
