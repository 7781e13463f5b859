//! Owns a pre-parse check of DICOM element lengths: dicom-parser allocates an element's
//! declared length before reading it, so one corrupt length (found by fuzzing: about 4 GB
//! declared in a 300-byte file) costs seconds and up to 4 GiB of memory. This walks the
//! element headers as dicom-object and dicom-parser read them (`element_header.rs`): the
//! file meta group in Explicit VR LE up to its group length (0002,0000), then the data set
//! in its own syntax (sequences and their items walked into, pixel data fragments skipped,
//! binary numbers consumed whole), and refuses any defined length longer than what is left
//! of the file. A deflated data set is walked by the caller once inflated (`deflate.rs`); a
//! header cut by the end of the bytes given ends the check, and says whether the pixel
//! data was reached ([`Reach`]) so that the caller can walk more of the file.

pub use super::element_header::{EXPLICIT_LE, Syntax};
use super::element_header::{Header, word};

/// The syntax of a transfer syntax UID; `None` for deflated (walked once inflated).
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
        _ => Some(EXPLICIT_LE),
    }
}

/// Where the file meta group ends and the syntax it names for the data set (`None`:
/// deflated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    pub end: usize,
    pub syntax: Option<Syntax>,
}

/// Walk the file meta group at `at` as dicom-object reads it: (0002,0000) first, then
/// elements of any group in Explicit VR LE until their sizes reach that group length.
/// `Ok(None)` when dicom-object will refuse the group itself (no group length first, an
/// undefined length, bytes cut short), so nothing after it is parsed.
///
/// # Errors
/// A one-line reason naming the element and the lengths.
pub fn meta(bytes: &[u8], at: usize, file_len: usize) -> Result<Option<Meta>, String> {
    let Some(first) = Header::read(bytes, at, EXPLICIT_LE) else {
        return Ok(None);
    };
    let value = at + first.size;
    let Some(v) = bytes.get(value..value + 4) else {
        return Ok(None);
    };
    if (first.group, first.element, first.len) != (2, 0, 4) {
        return Ok(None);
    }
    let group_length = word(v, false);
    let (mut at, mut total, mut syntax) = (value + 4, 0u32, Some(EXPLICIT_LE));
    while total < group_length {
        let Some(h) = Header::read(bytes, at, EXPLICIT_LE).filter(|h| h.len != u32::MAX) else {
            return Ok(None);
        };
        at += h.size;
        fits(&h, at, file_len)?;
        if (h.group, h.element) == (2, 0x0010) {
            let uid = bytes.get(at..at + h.len as usize).unwrap_or_default();
            syntax = syntax_of(&String::from_utf8_lossy(uid));
        }
        at += h.len as usize;
        total = total
            .saturating_add(u32::try_from(h.size).unwrap_or(12))
            .saturating_add(h.len);
    }
    Ok(Some(Meta { end: at, syntax }))
}

/// How far a walk over the file's first bytes got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every element before the pixel data (or the whole file) was checked.
    Checked,
    /// The bytes given ended before the pixel data, with more of the file after them.
    Short,
}

/// Walk the data set in `bytes` (the file's first `bytes.len()` bytes of `file_len`) from
/// `at` in syntax `s`, and refuse an element whose defined length runs past the end of the
/// file.
///
/// # Errors
/// A one-line reason naming the element and the lengths.
pub fn data_set(bytes: &[u8], mut at: usize, file_len: usize, s: Syntax) -> Result<Reach, String> {
    let (mut fragments, mut last) = (false, (0, 0));
    let mut open = Nesting::default();
    while let Some(h) = Header::read(bytes, at, s) {
        open.close_before(at);
        at += h.size;
        let tag = (h.group, h.element);
        last = tag;
        if h.len == u32::MAX {
            // Undefined length: the contents follow inline, up to a delimiter. Pixel data
            // holds fragments; any other such element is read as a sequence (as
            // dicom-parser does), its items holding elements.
            if tag == (0x7FE0, 0x0010) {
                fragments = true;
            } else if !fragments {
                open.enter(usize::MAX)?;
            }
            continue;
        }
        match tag {
            (0xFFFE, 0xE0DD) if fragments => fragments = false,
            (0xFFFE, 0xE0DD | 0xE00D) => open.delimiter(),
            _ => {}
        }
        fits(&h, at, file_len)?;
        // Sequences and their items are walked into (dicom-parser reads inside them);
        // other values, and pixel data fragments, are skipped as dicom-parser reads them.
        let item = tag == (0xFFFE, 0xE000);
        if h.vr == dicom_core::VR::SQ || (item && !fragments) {
            open.enter(at + h.len as usize)?;
        } else {
            at += h.consumed();
        }
    }
    // The bytes ended inside or after the pixel data: what dicom-parser reads before it
    // (all the folder scanner asks for) was checked.
    let in_pixels = fragments || last == (0x7FE0, 0x0010);
    Ok(if in_pixels || bytes.len() >= file_len {
        Reach::Checked
    } else {
        Reach::Short
    })
}

/// Sequences and items nested deeper than this are refused: dicom-parser reads each level
/// with a recursive call, and a 1 MB file of 5000 nested sequences overflowed the stack
/// (an abort no guard can catch). Real files nest a few levels.
pub const MAX_NESTING: usize = 64;

/// The sequences and items the walk is inside: where each ends (`usize::MAX`: undefined
/// length, closed by its delimiter).
#[derive(Default)]
struct Nesting(Vec<usize>);

impl Nesting {
    fn enter(&mut self, end: usize) -> Result<(), String> {
        self.0.push(end);
        if self.0.len() > MAX_NESTING {
            return Err(format!(
                "sequences nested more than {MAX_NESTING} levels deep"
            ));
        }
        Ok(())
    }

    /// Leave the defined-length levels that end at or before `at`.
    fn close_before(&mut self, at: usize) {
        while self
            .0
            .last()
            .is_some_and(|&end| end != usize::MAX && end <= at)
        {
            self.0.pop();
        }
    }

    /// An item or sequence delimiter closes the innermost undefined-length level.
    fn delimiter(&mut self) {
        if self.0.last() == Some(&usize::MAX) {
            self.0.pop();
        }
    }
}

/// Refuse a defined length longer than the `file_len - at` bytes left.
fn fits(h: &Header, at: usize, file_len: usize) -> Result<(), String> {
    let left = file_len.saturating_sub(at);
    if h.len as usize > left {
        return Err(format!(
            "element ({:04X},{:04X}) declares {} bytes, the file has {left} left",
            h.group, h.element, h.len
        ));
    }
    Ok(())
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
        let e = data_set(&b, 0, b.len(), LE).expect_err("refused");
        assert_eq!(
            e,
            "element (0010,0010) declares 62693 bytes, the file has 4 left"
        );
        assert!(data_set(&b[..10], 0, 10, LE).is_ok());
    }

    #[test]
    fn long_form_implicit_and_undefined_lengths() {
        // OB with a 4-byte length of 0xFFFFFFF0 in explicit VR.
        let b = b"\xE0\x7F\x10\x00OB\x00\x00\xF0\xFF\xFF\xFFxx";
        assert!(data_set(b, 0, b.len(), LE).is_err());
        // Undefined-length pixel data: an empty offset item, a 2-byte fragment, delimiter.
        let mut enc = b"\xE0\x7F\x10\x00OB\x00\x00\xFF\xFF\xFF\xFF".to_vec();
        enc.extend_from_slice(
            b"\xFE\xFF\x00\xE0\x00\x00\x00\x00\xFE\xFF\x00\xE0\x02\x00\x00\x00ab",
        );
        enc.extend_from_slice(b"\xFE\xFF\xDD\xE0\x00\x00\x00\x00");
        assert!(data_set(&enc, 0, enc.len(), LE).is_ok());
        // A fragment longer than the file.
        enc[24] = 0x40;
        assert!(data_set(&enc, 0, enc.len(), LE).is_err());
        // Implicit VR: 4-byte length after the tag.
        let imp = b"\x08\x00\x16\x00\x00\x01\x00\x00ab";
        assert!(data_set(imp, 0, imp.len(), IMPLICIT).is_err());
    }

    #[test]
    fn lengths_inside_sequence_items_are_checked() {
        // (0028,3000) SQ of 20 bytes holding one 12-byte item whose LUT data (0028,3006)
        // OW claims 0xFFFF0006 bytes.
        let mut b = b"\x28\x00\x00\x30SQ\x00\x00\x14\x00\x00\x00".to_vec();
        b.extend_from_slice(b"\xFE\xFF\x00\xE0\x0C\x00\x00\x00");
        b.extend_from_slice(b"\x28\x00\x06\x30OW\x00\x00\x06\x00\xFF\xFF");
        let e = data_set(&b, 0, b.len(), LE).expect_err("refused");
        assert!(
            e.starts_with("element (0028,3006) declares 4294901766"),
            "{e}"
        );
    }

    /// `depth` nested sequences, each of undefined length holding one undefined-length
    /// item, then their delimiters; or each of defined length.
    fn nested(depth: usize, defined: bool) -> Vec<u8> {
        let mut b = Vec::new();
        if defined {
            // Innermost first: an empty SQ, wrapped in items and sequences of exact lengths.
            let mut inner: Vec<u8> = b"\x09\x00\x10\x10SQ\x00\x00\x00\x00\x00\x00".to_vec();
            for _ in 1..depth {
                let mut item = b"\xFE\xFF\x00\xE0".to_vec();
                item.extend_from_slice(&u32::try_from(inner.len()).unwrap().to_le_bytes());
                item.extend_from_slice(&inner);
                let mut sq = b"\x09\x00\x10\x10SQ\x00\x00".to_vec();
                sq.extend_from_slice(&u32::try_from(item.len()).unwrap().to_le_bytes());
                sq.extend_from_slice(&item);
                inner = sq;
            }
            return inner;
        }
        for _ in 0..depth {
            b.extend_from_slice(b"\x09\x00\x10\x10SQ\x00\x00\xFF\xFF\xFF\xFF");
            b.extend_from_slice(b"\xFE\xFF\x00\xE0\xFF\xFF\xFF\xFF");
        }
        for _ in 0..depth {
            b.extend_from_slice(b"\xFE\xFF\x0D\xE0\x00\x00\x00\x00");
            b.extend_from_slice(b"\xFE\xFF\xDD\xE0\x00\x00\x00\x00");
        }
        b
    }

    #[test]
    fn sequences_nested_past_the_limit_are_refused() {
        // Each level is a sequence and its item: two levels of nesting.
        for defined in [false, true] {
            let ok = nested(MAX_NESTING / 2, defined);
            assert!(data_set(&ok, 0, ok.len(), LE).is_ok(), "defined {defined}");
            let deep = nested(MAX_NESTING, defined);
            let e = data_set(&deep, 0, deep.len(), LE).expect_err("refused");
            assert!(e.contains("nested more than 64"), "{e}");
        }
        // Many sequences one after another are not nesting.
        let flat: Vec<u8> = (0..500).flat_map(|_| nested(1, false)).collect();
        assert!(data_set(&flat, 0, flat.len(), LE).is_ok());
        let flat: Vec<u8> = (0..500).flat_map(|_| nested(2, true)).collect();
        assert!(data_set(&flat, 0, flat.len(), LE).is_ok());
    }

    /// A meta group: (0002,0000) = `group_length`, then (0002,0010) = `uid`.
    fn meta_group(uid: &[u8], group_length: u32) -> Vec<u8> {
        let mut b = b"\x02\x00\x00\x00UL\x04\x00".to_vec();
        b.extend_from_slice(&group_length.to_le_bytes());
        b.extend_from_slice(b"\x02\x00\x10\x00UI");
        b.extend_from_slice(&u16::try_from(uid.len()).expect("short").to_le_bytes());
        b.extend_from_slice(uid);
        b
    }

    #[test]
    fn the_meta_group_names_the_data_set_syntax() {
        let uid = b"1.2.840.10008.1.2\0";
        let b = meta_group(uid, 8 + 18);
        let m = meta(&b, 0, b.len()).expect("fits").expect("walked");
        assert_eq!((m.end, m.syntax), (b.len(), Some(IMPLICIT)));
        let d = meta_group(b"1.2.840.10008.1.2.1.99", 8 + 22);
        let m = meta(&d, 0, d.len()).expect("fits").expect("walked");
        assert_eq!(m.syntax, None, "deflated");
    }

    #[test]
    fn the_meta_group_ends_where_its_group_length_says() {
        // A group length of 0: dicom-object reads no meta element, the data set (implicit
        // by default here) starts right after (0002,0000), with (0002,0010) in it.
        let b = meta_group(b"1.2.840.10008.1.2\0", 0);
        let m = meta(&b, 0, b.len()).expect("fits").expect("walked");
        assert_eq!((m.end, m.syntax), (12, Some(LE)));
        // A group length past the UID: the next element (of any group) is meta too,
        // read in Explicit VR LE, and checked.
        let mut long = meta_group(b"1.2.840.10008.1.2\0", 100);
        long.extend_from_slice(b"\x08\x00\x16\x00UI\xF0\x00ab");
        let e = meta(&long, 0, long.len()).expect_err("refused");
        assert!(e.starts_with("element (0008,0016) declares 240"), "{e}");
        assert_eq!(meta(b"\x08\x00\x16\x00", 0, 4), Ok(None));
    }

    #[test]
    fn a_walk_cut_before_the_pixel_data_is_short() {
        // (0028,0011) US 2 of a 1000-byte file, of which 10 bytes are given: unchecked.
        let b = b"\x28\x00\x11\x00US\x02\x00\x04\x00";
        assert_eq!(data_set(b, 0, 1000, LE), Ok(Reach::Short));
        assert_eq!(data_set(b, 0, b.len(), LE), Ok(Reach::Checked));
        // Cut inside the pixel data's value: everything before it was checked.
        let px = b"\xE0\x7F\x10\x00OW\x00\x00\x00\x01\x00\x00";
        assert_eq!(data_set(px, 0, 1000, LE), Ok(Reach::Checked));
    }

    #[test]
    fn a_short_binary_value_does_not_desynchronise_the_walk() {
        // (0028,0102) UL of 2 bytes: dicom-parser reads no u32 and leaves the 2 bytes,
        // which start the next header: (0007,0028) with VR "\x03\x01" (unknown, so long
        // form) whose length 0xFFFE_FFFF is what dicom-parser would allocate (fuzz input
        // `ul-short-value-4gib.bin`).
        let b = b"\x28\x00\x02\x01UL\x02\x00\x07\x00\x28\x00\x03\x01\x00\x00\xFF\xFF\xFE\xFFxx";
        let e = data_set(b, 0, b.len(), LE).expect_err("refused");
        assert!(
            e.starts_with("element (0007,0028) declares 4294901759"),
            "{e}"
        );
    }
}
