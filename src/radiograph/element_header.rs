//! Owns reading one DICOM element header the way dicom-parser 0.10 reads it, and how many
//! value bytes it then consumes, for the pre-parse length walk (`lengths.rs`). Both must
//! match the parser exactly: a walk that drifts by a byte from the parser's checks lengths
//! the parser never reads, and misses the one it allocates (fuzzing found such drifts: a
//! 6-byte `UV` value, of which dicom-parser reads 0 bytes).

use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry};
use dicom_core::{Tag, VR};
use dicom_dictionary_std::StandardDataDictionary;

/// Group 0002 is always Explicit VR Little Endian; the data set follows its syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Syntax {
    pub explicit: bool,
    pub big_endian: bool,
}

/// Explicit VR Little Endian (the file meta group's syntax).
pub const EXPLICIT_LE: Syntax = Syntax {
    explicit: true,
    big_endian: false,
};

/// One element header: tag, VR (from the bytes, or the dictionary in Implicit VR), the
/// declared length and the header's own size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub group: u16,
    pub element: u16,
    pub vr: VR,
    pub len: u32,
    pub size: usize,
}

impl Header {
    /// The header at `at`, `None` when the bytes end inside it.
    #[must_use]
    pub fn read(bytes: &[u8], at: usize, s: Syntax) -> Option<Self> {
        let head = bytes.get(at..at.checked_add(8)?)?;
        let half = |i: usize| {
            let b = [head[i], head[i + 1]];
            if s.big_endian {
                u16::from_be_bytes(b)
            } else {
                u16::from_le_bytes(b)
            }
        };
        let (group, element) = (half(0), half(2));
        let short = |vr, len, size| {
            Some(Self {
                group,
                element,
                vr,
                len,
                size,
            })
        };
        if group == 0xFFFE {
            return short(VR::UN, word(&head[4..8], s.big_endian), 8);
        }
        if !s.explicit {
            let vr = implicit_vr(Tag(group, element));
            return short(vr, word(&head[4..8], s.big_endian), 8);
        }
        // dicom-parser reads a VR it does not know as UN, in the long form.
        let vr = VR::from_binary([head[4], head[5]]).unwrap_or(VR::UN);
        if short_form(vr) {
            return short(vr, u32::from(half(6)), 8);
        }
        let long = bytes.get(at + 8..at + 12)?;
        short(vr, word(long, s.big_endian), 12)
    }

    /// The value bytes dicom-parser consumes for this defined length: binary numbers are
    /// read whole (`len / size` of them), any odd bytes after them are left in the stream.
    #[must_use]
    pub fn consumed(&self) -> usize {
        let len = self.len as usize;
        number_size(self.vr).map_or(len, |n| len - len % n)
    }
}

/// The VR dicom-parser gives an Implicit VR element: OW for pixel and overlay data, else
/// the dictionary's (relaxed), else UN.
fn implicit_vr(tag: Tag) -> VR {
    if tag == Tag(0x7FE0, 0x0010) || (tag.0 >> 8 == 0x60 && tag.1 == 0x3000) {
        return VR::OW;
    }
    StandardDataDictionary
        .by_tag(tag)
        .map_or(VR::UN, |entry| entry.vr().relaxed())
}

/// VRs with a 2-byte length in Explicit VR (PS3.5 7.1.2, as dicom-encoding lists them).
fn short_form(vr: VR) -> bool {
    use VR::{AE, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, PN, SH, SL, SS, ST, TM, UI, UL, US};
    matches!(
        vr,
        AE | AS
            | AT
            | CS
            | DA
            | DS
            | DT
            | FL
            | FD
            | IS
            | LO
            | LT
            | PN
            | SH
            | SL
            | SS
            | ST
            | TM
            | UI
            | UL
            | US
    )
}

/// The size of one value of a binary-number VR.
fn number_size(vr: VR) -> Option<usize> {
    use VR::{AT, FD, FL, OD, OF, OL, OV, OW, SL, SS, SV, UL, US, UV};
    match vr {
        US | OW | SS => Some(2),
        AT | FL | OF | SL | OL | UL => Some(4),
        FD | OD | SV | OV | UV => Some(8),
        _ => None,
    }
}

/// A 4-byte length.
#[must_use]
pub fn word(b: &[u8], big: bool) -> u32 {
    let b = [b[0], b[1], b[2], b[3]];
    if big {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMPLICIT: Syntax = Syntax {
        explicit: false,
        big_endian: false,
    };

    #[test]
    fn short_and_long_forms() {
        let h = Header::read(b"\x28\x00\x10\x00US\x02\x00\x00\x01", 0, EXPLICIT_LE);
        assert_eq!(h.map(|h| (h.vr, h.len, h.size)), Some((VR::US, 2, 8)));
        let h = Header::read(
            b"\xE0\x7F\x10\x00OB\x00\x00\x10\x00\x00\x00",
            0,
            EXPLICIT_LE,
        );
        assert_eq!(h.map(|h| (h.vr, h.len, h.size)), Some((VR::OB, 16, 12)));
        // UV is long form (PS3.5 Table 7.1-1), an unknown VR too (read as UN).
        let h = Header::read(
            b"\x28\x00\x03\x11UV\x06\x00\x04\x00\x00\x00",
            0,
            EXPLICIT_LE,
        );
        assert_eq!(h.map(|h| (h.vr, h.len, h.size)), Some((VR::UV, 4, 12)));
        let h = Header::read(
            b"\x10\x00\x28\x00\x01\x12\x00\x00\x08\x00\x00\x00",
            0,
            EXPLICIT_LE,
        );
        assert_eq!(h.map(|h| (h.vr, h.len)), Some((VR::UN, 8)));
        assert_eq!(
            Header::read(b"\xE0\x7F\x10\x00OB\x00\x00", 0, EXPLICIT_LE),
            None
        );
    }

    #[test]
    fn implicit_vr_comes_from_the_dictionary() {
        // (0028,0010) Rows is US in PS3.6; (7FE0,0010) is OW in Implicit VR.
        let h = Header::read(b"\x28\x00\x10\x00\x03\x00\x00\x00", 0, IMPLICIT);
        assert_eq!(h.map(|h| (h.vr, h.consumed())), Some((VR::US, 2)));
        let h = Header::read(b"\xE0\x7F\x10\x00\x05\x00\x00\x00", 0, IMPLICIT);
        assert_eq!(h.map(|h| h.vr), Some(VR::OW));
    }

    #[test]
    fn binary_numbers_are_consumed_whole() {
        let h = |vr, len| Header {
            group: 8,
            element: 8,
            vr,
            len,
            size: 8,
        };
        // UL of 2 bytes: no whole u32, nothing read; UV of 6 bytes: nothing; FD of 17: 16.
        assert_eq!(h(VR::UL, 2).consumed(), 0);
        assert_eq!(h(VR::UV, 6).consumed(), 0);
        assert_eq!(h(VR::FD, 17).consumed(), 16);
        assert_eq!(h(VR::OW, 5).consumed(), 4);
        assert_eq!(h(VR::OB, 5).consumed(), 5);
        assert_eq!(h(VR::LO, 3).consumed(), 3);
    }
}
