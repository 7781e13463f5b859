//! Test helpers for the radiograph reader: locating the shared real data, and writing
//! small synthetic DICOM files byte by byte (Explicit VR Little Endian), so that the
//! tests do not depend on the reader to build their inputs.

use std::path::{Path, PathBuf};

/// Explicit VR Little Endian.
pub const EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";

/// The shared real radiographs, when present (see [`super::util::shared_dir`]).
pub fn realdata() -> Option<PathBuf> {
    super::util::shared_dir().map(|d| d.join("realdata"))
}

/// One data element: group, element, VR, value bytes (padded to even length on write).
pub type Element = (u16, u16, &'static str, Vec<u8>);

pub fn us(v: u16) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}

pub fn text(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

pub fn words(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn long_form(vr: &str) -> bool {
    matches!(vr, "OB" | "OW" | "OF" | "SQ" | "UT" | "UN")
}

fn encode(out: &mut Vec<u8>, (group, element, vr, value): &Element) {
    let mut value = value.clone();
    if value.len() % 2 == 1 {
        value.push(if *vr == "UI" || *vr == "OB" { 0 } else { b' ' });
    }
    out.extend_from_slice(&group.to_le_bytes());
    out.extend_from_slice(&element.to_le_bytes());
    out.extend_from_slice(vr.as_bytes());
    let len = u32::try_from(value.len()).expect("small test values");
    if long_form(vr) {
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&len.to_le_bytes());
    } else {
        out.extend_from_slice(&u16::try_from(len).expect("short value").to_le_bytes());
    }
    out.extend_from_slice(&value);
}

/// A bare data set (no preamble, no `DICM`, no file meta): Explicit VR Little Endian when
/// `explicit`, else Implicit VR Little Endian (tag, 4-byte length, value).
pub fn bare_dataset(elements: &[Element], explicit: bool) -> Vec<u8> {
    let mut sorted = elements.to_vec();
    sorted.sort_by_key(|(g, e, _, _)| (*g, *e));
    let mut out = Vec::new();
    for e in &sorted {
        if explicit {
            encode(&mut out, e);
            continue;
        }
        let (group, element, vr, value) = e;
        let mut value = value.clone();
        if value.len() % 2 == 1 {
            value.push(if *vr == "UI" || *vr == "OB" { 0 } else { b' ' });
        }
        out.extend_from_slice(&group.to_le_bytes());
        out.extend_from_slice(&element.to_le_bytes());
        let len = u32::try_from(value.len()).expect("small test values");
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&value);
    }
    out
}

/// The usual attributes of a 16-bit grey image, for [`grey16`] and [`bare_dataset`].
pub fn grey16_elements(rows: u16, cols: u16, pixels: &[u16]) -> Vec<Element> {
    vec![
        (0x0008, 0x0060, "CS", text("CR")),
        (0x0010, 0x0010, "PN", text("DOE^JANE")),
        (0x0010, 0x0020, "LO", text("PID-0042")),
        (0x0028, 0x0002, "US", us(1)),
        (0x0028, 0x0004, "CS", text("MONOCHROME2")),
        (0x0028, 0x0010, "US", us(rows)),
        (0x0028, 0x0011, "US", us(cols)),
        (0x0028, 0x0100, "US", us(16)),
        (0x0028, 0x0101, "US", us(16)),
        (0x0028, 0x0102, "US", us(15)),
        (0x0028, 0x0103, "US", us(0)),
        (0x7FE0, 0x0010, "OW", words(pixels)),
    ]
}

/// A sequence item of defined length holding `elements` (the value of an "SQ" element).
pub fn item(elements: &[Element]) -> Vec<u8> {
    let mut body = Vec::new();
    for e in elements {
        encode(&mut body, e);
    }
    let mut out = vec![0xFE, 0xFF, 0x00, 0xE0];
    out.extend_from_slice(&u32::try_from(body.len()).expect("small item").to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// A Part 10 file: optional 128-byte preamble, "DICM", file meta group, then `elements`
/// (sorted by tag).
pub fn dicom_file(transfer_syntax: &str, elements: &[Element], preamble: bool) -> Vec<u8> {
    let mut meta_rest = Vec::new();
    for e in [
        (0x0002, 0x0001, "OB", vec![0, 1]),
        (0x0002, 0x0002, "UI", text("1.2.840.10008.5.1.4.1.1.1")),
        (0x0002, 0x0003, "UI", text("1.2.3.4.5")),
        (0x0002, 0x0010, "UI", text(transfer_syntax)),
    ] {
        encode(&mut meta_rest, &e);
    }
    let mut out = if preamble { vec![0u8; 128] } else { Vec::new() };
    out.extend_from_slice(b"DICM");
    let group_len = u32::try_from(meta_rest.len()).expect("small meta");
    encode(
        &mut out,
        &(0x0002, 0x0000, "UL", group_len.to_le_bytes().to_vec()),
    );
    out.extend_from_slice(&meta_rest);
    let mut sorted = elements.to_vec();
    sorted.sort_by_key(|(g, e, _, _)| (*g, *e));
    for e in &sorted {
        encode(&mut out, e);
    }
    out
}

/// A 16-bit grey image `rows x cols`: the usual image attributes, replaced or extended by
/// `extra` (same tag wins from `extra`).
pub fn grey16(rows: u16, cols: u16, pixels: &[u16], extra: &[Element]) -> Vec<u8> {
    let mut elements = grey16_elements(rows, cols, pixels);
    for e in extra {
        elements.retain(|(g, el, _, _)| (*g, *el) != (e.0, e.1));
        elements.push(e.clone());
    }
    dicom_file(EXPLICIT_LE, &elements, true)
}

/// Write `bytes` to `dir/name` and return the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}

/// DICOM LINEAR window onto [0, 1], written out here from PS3.3 C.11.2.1.2.1 so that
/// the tests do not reuse the reader's implementation.
pub fn linear(x: f64, c: f64, w: f64) -> f64 {
    if x <= c - 0.5 - (w - 1.0) / 2.0 {
        0.0
    } else if x > c - 0.5 + (w - 1.0) / 2.0 {
        1.0
    } else {
        (x - (c - 0.5)) / (w - 1.0) + 0.5
    }
}
