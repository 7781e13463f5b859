//! Owns recognising how a DICOM file is framed before dicom-object parses it: the Part 10
//! form (128-byte preamble + `DICM`), `DICM` without the preamble, a file meta group
//! without `DICM`, or a bare data set (no file meta at all, as old modalities and some
//! exporters write), Explicit or Implicit VR Little Endian.
//!
//! dicom-object only reads `DICM` + file meta, so the other forms are given the bytes they
//! lack: `DICM` for a meta group without it, a synthesised meta group (with the transfer
//! syntax guessed from the first element) for a bare data set.

use dicom_object::FileMetaTableBuilder;

/// How the file starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// 128-byte preamble, then `DICM`.
    Preamble,
    /// `DICM` at byte 0.
    Magic,
    /// A file meta group (group 0002) without `DICM`.
    MetaWithoutMagic,
    /// A data set with no file meta; `explicit` when the first element has a VR.
    Bare { explicit: bool },
}

/// Groups a bare data set plausibly starts with (identifying, patient, acquisition,
/// relationship, image).
const FIRST_GROUPS: [u16; 5] = [0x0008, 0x0010, 0x0018, 0x0020, 0x0028];

/// Value representations of PS3.5 Table 6.2-1.
const VRS: [&[u8; 2]; 34] = [
    b"AE", b"AS", b"AT", b"CS", b"DA", b"DS", b"DT", b"FL", b"FD", b"IS", b"LO", b"LT", b"OB",
    b"OD", b"OF", b"OL", b"OV", b"OW", b"PN", b"SH", b"SL", b"SQ", b"SS", b"ST", b"SV", b"TM",
    b"UC", b"UI", b"UL", b"UN", b"UR", b"US", b"UT", b"UV",
];

/// The framing of `head` (the file's first bytes), `None` when it is not DICOM.
#[must_use]
pub fn framing(head: &[u8]) -> Option<Framing> {
    if head.get(128..132) == Some(b"DICM") {
        return Some(Framing::Preamble);
    }
    if head.starts_with(b"DICM") {
        return Some(Framing::Magic);
    }
    let group = u16::from_le_bytes([*head.first()?, *head.get(1)?]);
    let explicit = head
        .get(4..6)
        .is_some_and(|vr| VRS.iter().any(|v| v[..] == *vr));
    if group == 0x0002 && explicit {
        return Some(Framing::MetaWithoutMagic);
    }
    if !FIRST_GROUPS.contains(&group) {
        return None;
    }
    if explicit {
        return Some(Framing::Bare { explicit: true });
    }
    // Implicit VR: a 4-byte length that fits in the file (or is undefined, 0xFFFFFFFF).
    let len = u32::from_le_bytes(head.get(4..8)?.try_into().ok()?);
    let fits = len == u32::MAX || usize::try_from(len).is_ok_and(|l| l <= head.len() - 8);
    fits.then_some(Framing::Bare { explicit: false })
}

/// How many leading bytes to drop before parsing.
#[must_use]
pub fn skip(framing: Framing) -> usize {
    if framing == Framing::Preamble { 128 } else { 0 }
}

/// The bytes to put in front of the (skipped) file so that it reads as `DICM` + meta.
///
/// # Errors
/// A one-line reason if the synthesised meta group cannot be built.
pub fn prefix(framing: Framing) -> Result<Vec<u8>, String> {
    let ts = match framing {
        Framing::Preamble | Framing::Magic => return Ok(Vec::new()),
        Framing::MetaWithoutMagic => return Ok(b"DICM".to_vec()),
        Framing::Bare { explicit: true } => "1.2.840.10008.1.2.1",
        Framing::Bare { explicit: false } => "1.2.840.10008.1.2",
    };
    let meta = FileMetaTableBuilder::new()
        .transfer_syntax(ts)
        // Secondary Capture: a placeholder, the reader never uses the SOP class.
        .media_storage_sop_class_uid("1.2.840.10008.5.1.4.1.1.7")
        .media_storage_sop_instance_uid("2.25.0")
        .build()
        .map_err(|e| format!("cannot frame a bare data set: {e}"))?;
    let mut out = b"DICM".to_vec();
    meta.write(&mut out)
        .map_err(|e| format!("cannot frame a bare data set: {e}"))?;
    Ok(out)
}

/// A short name of the framing, for a note ("bare data set, implicit VR").
#[must_use]
pub fn describe(framing: Framing) -> Option<&'static str> {
    match framing {
        Framing::Preamble => None,
        Framing::Magic => Some("DICOM file without the 128-byte preamble"),
        Framing::MetaWithoutMagic => Some("DICOM file meta without the DICM marker"),
        Framing::Bare { explicit: true } => {
            Some("bare DICOM data set without file meta, read as Explicit VR Little Endian")
        }
        Framing::Bare { explicit: false } => {
            Some("bare DICOM data set without file meta, read as Implicit VR Little Endian")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_framings() {
        let mut pre = vec![0u8; 128];
        pre.extend_from_slice(b"DICM");
        assert_eq!(framing(&pre), Some(Framing::Preamble));
        assert_eq!(framing(b"DICM\x02\0"), Some(Framing::Magic));
        assert_eq!(
            framing(b"\x02\0\x00\0UL\x04\0"),
            Some(Framing::MetaWithoutMagic)
        );
        // (0008,0005) CS, explicit
        assert_eq!(
            framing(b"\x08\0\x05\0CS\x0a\0ISO_IR 100"),
            Some(Framing::Bare { explicit: true })
        );
        // (0008,0016) implicit, length 4 then 4 bytes
        assert_eq!(
            framing(b"\x08\0\x16\0\x04\0\0\x001.2\0"),
            Some(Framing::Bare { explicit: false })
        );
    }

    #[test]
    fn other_content_is_not_dicom() {
        assert_eq!(framing(b""), None);
        assert_eq!(framing(b"hello world"), None);
        assert_eq!(framing(b"\x89PNG\r\n\x1a\n"), None);
        // implicit length larger than the file
        assert_eq!(framing(b"\x08\0\x16\0\xff\0\0\0ab"), None);
        assert_eq!(framing(b"\x08\0"), None);
    }

    #[test]
    fn prefixes() {
        assert!(prefix(Framing::Preamble).expect("ok").is_empty());
        assert_eq!(prefix(Framing::MetaWithoutMagic).expect("ok"), b"DICM");
        let meta = prefix(Framing::Bare { explicit: false }).expect("ok");
        assert!(meta.starts_with(b"DICM\x02\0\0\0UL"));
        let text = String::from_utf8_lossy(&meta);
        assert!(text.contains("1.2.840.10008.1.2\0") || text.contains("1.2.840.10008.1.2 "));
        assert_eq!(skip(Framing::Preamble), 128);
    }
}
