//! Owns a pre-parse check of DICOM element lengths: dicom-parser allocates an element's
//! declared length before reading it, so one corrupt length (found by fuzzing: about 4 GB
//! declared in a 300-byte file) costs seconds and up to 4 GiB of memory. This walks the
//! element headers (file meta in Explicit VR LE, then the data set in its own syntax;
//! explicit-VR sequences and their items walked into, pixel data fragments skipped) and
//! refuses any defined length
//! longer than what is left of the file. Deflated data sets are not walked (their lengths
//! refer to inflated bytes); a header cut by the end of the bytes given ends the check.
//! Unknown VRs are read in the long form, as dicom-parser reads them (as UN). Defined-length
//! sequences in Implicit VR are skipped whole (telling them from values needs the
//! dictionary).

/// Group 0002 is always Explicit VR Little Endian; the data set follows its syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Syntax {
    pub explicit: bool,
    pub big_endian: bool,
}

const VR_SHORT: [&[u8; 2]; 21] = [
    b"AE", b"AS", b"AT", b"CS", b"DA", b"DS", b"DT", b"FL", b"FD", b"IS", b"LO", b"LT", b"PN",
    b"SH", b"SL", b"SS", b"ST", b"TM", b"UI", b"UL", b"US",
];

/// The syntax of a transfer syntax UID; `None` for deflated (not walked).
#[must_use]
pub fn syntax_of(uid: &str) -> Option<Syntax> {
    match uid.trim_end_matches(['\0', ' ']) {
        "1.2.840.10008.1.2" => Some(Syntax {
            explicit: false,
            big_endian: false,
        }),
        "1.2.840.10008.1.2.2" => Some(Syntax {
            explicit: true,
            big_endian: true,
        }),
        "1.2.840.10008.1.2.1.99" => None,
        _ => Some(Syntax {
            explicit: true,
            big_endian: false,
        }),
    }
}

/// Walk `bytes` (the file's first `bytes.len()` bytes of `file_len`, from `at`) and refuse
/// an element whose defined length runs past the end of the file. `data_set` is the
/// syntax of a bare data set (no meta); with a meta group it is read from (0002,0010).
///
/// # Errors
/// A one-line reason naming the element and the lengths.
pub fn check(bytes: &[u8], mut at: usize, file_len: usize, data_set: Syntax) -> Result<(), String> {
    let mut syntax = Some(data_set);
    let mut fragments = false;
    while let Some(head) = bytes.get(at..at + 8) {
        let meta = head[0] == 2 && head[1] == 0;
        let Some(s) = (if meta {
            Some(Syntax {
                explicit: true,
                big_endian: false,
            })
        } else {
            syntax
        }) else {
            return Ok(());
        };
        let u16_at = |b: &[u8]| {
            if s.big_endian {
                u16::from_be_bytes([b[0], b[1]])
            } else {
                u16::from_le_bytes([b[0], b[1]])
            }
        };
        let (group, element) = (u16_at(&head[0..2]), u16_at(&head[2..4]));
        let (len, header) = if group == 0xFFFE || !s.explicit {
            (word(&head[4..8], s.big_endian), 8)
        } else if VR_SHORT.iter().any(|v| v[..] == head[4..6]) {
            (u32::from(u16_at(&head[6..8])), 8)
        } else {
            // The long form: OB, OW, SQ, UN, UT... and, as dicom-parser reads them, any
            // VR it does not know (as UN).
            let Some(b) = bytes.get(at + 8..at + 12) else {
                return Ok(());
            };
            (word(b, s.big_endian), 12)
        };
        at += header;
        if meta && element == 0x0010 {
            let uid = bytes.get(at..at + len as usize).unwrap_or_default();
            syntax = syntax_of(&String::from_utf8_lossy(uid));
        }
        let vr_sq = s.explicit && group != 0xFFFE && head[4..6] == *b"SQ";
        let item = group == 0xFFFE && element == 0xE000;
        if len == u32::MAX {
            // Undefined length: the contents follow inline, up to a delimiter. Pixel data
            // holds fragments; any other such element is read as a sequence (as
            // dicom-parser does), its items holding elements.
            fragments |= (group, element) == (0x7FE0, 0x0010);
            continue;
        }
        if (group, element) == (0xFFFE, 0xE0DD) {
            fragments = false;
        }
        let left = file_len.saturating_sub(at);
        if len as usize > left {
            return Err(format!(
                "element ({group:04X},{element:04X}) declares {len} bytes, the file has {left} left"
            ));
        }
        // Sequences and their items are walked into (dicom-parser reads inside them);
        // other values, and pixel data fragments, are skipped whole.
        if !(vr_sq || (item && !fragments)) {
            at += len as usize;
        }
    }
    Ok(())
}

fn word(b: &[u8], big: bool) -> u32 {
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

    const LE: Syntax = Syntax {
        explicit: true,
        big_endian: false,
    };
    const IMPLICIT: Syntax = Syntax {
        explicit: false,
        big_endian: false,
    };

    #[test]
    fn a_length_past_the_end_is_refused() {
        // (0028,0011) US length 2, then (0010,0010) PN claiming 0xF4E5 bytes.
        let mut b = b"\x28\x00\x11\x00US\x02\x00\x04\x00".to_vec();
        b.extend_from_slice(b"\x10\x00\x10\x00PN\xE5\xF4abcd");
        let e = check(&b, 0, b.len(), LE).expect_err("refused");
        assert_eq!(
            e,
            "element (0010,0010) declares 62693 bytes, the file has 4 left"
        );
        assert!(check(&b[..10], 0, 10, LE).is_ok());
    }

    #[test]
    fn long_form_implicit_and_undefined_lengths() {
        // OB with a 4-byte length of 0xFFFFFFF0 in explicit VR.
        let b = b"\xE0\x7F\x10\x00OB\x00\x00\xF0\xFF\xFF\xFFxx";
        assert!(check(b, 0, b.len(), LE).is_err());
        // Undefined-length pixel data: an empty offset item, a 2-byte fragment, delimiter.
        let mut enc = b"\xE0\x7F\x10\x00OB\x00\x00\xFF\xFF\xFF\xFF".to_vec();
        enc.extend_from_slice(
            b"\xFE\xFF\x00\xE0\x00\x00\x00\x00\xFE\xFF\x00\xE0\x02\x00\x00\x00ab",
        );
        enc.extend_from_slice(b"\xFE\xFF\xDD\xE0\x00\x00\x00\x00");
        assert!(check(&enc, 0, enc.len(), LE).is_ok());
        // A fragment longer than the file.
        enc[24] = 0x40;
        assert!(check(&enc, 0, enc.len(), LE).is_err());
        // Implicit VR: 4-byte length after the tag.
        let imp = b"\x08\x00\x16\x00\x00\x01\x00\x00ab";
        assert!(check(imp, 0, imp.len(), IMPLICIT).is_err());
    }

    #[test]
    fn lengths_inside_sequence_items_are_checked() {
        // (0028,3000) SQ of 20 bytes holding one 12-byte item whose LUT data (0028,3006)
        // OW claims 0xFFFF0006 bytes.
        let mut b = b"\x28\x00\x00\x30SQ\x00\x00\x14\x00\x00\x00".to_vec();
        b.extend_from_slice(b"\xFE\xFF\x00\xE0\x0C\x00\x00\x00");
        b.extend_from_slice(b"\x28\x00\x06\x30OW\x00\x00\x06\x00\xFF\xFF");
        let e = check(&b, 0, b.len(), LE).expect_err("refused");
        assert!(
            e.starts_with("element (0028,3006) declares 4294901766"),
            "{e}"
        );
    }

    #[test]
    fn the_meta_group_names_the_data_set_syntax() {
        // (0002,0010) = implicit LE, then an implicit element that fits.
        let uid = b"1.2.840.10008.1.2\0";
        let mut b = b"\x02\x00\x10\x00UI".to_vec();
        b.extend_from_slice(&u16::try_from(uid.len()).expect("short").to_le_bytes());
        b.extend_from_slice(uid);
        b.extend_from_slice(b"\x08\x00\x16\x00\x02\x00\x00\x00ab");
        assert!(check(&b, 0, b.len(), LE).is_ok());
        let deflate = syntax_of("1.2.840.10008.1.2.1.99");
        assert_eq!(deflate, None);
    }
}
