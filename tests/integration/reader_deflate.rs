//! Integration tests of Deflated Explicit VR Little Endian files (1.2.840.10008.1.2.1.99)
//! through `screwid::radiograph`: a deflated file reads as its plain twin, a corrupt length
//! inside the deflated data set is refused before anything is allocated, and a deflate bomb
//! is refused at the inflation cap. Files are built here; the bomb is written bit by bit
//! from RFC 1951 (fixed Huffman codes), so no test holds its inflated size.

use super::reader_support as support;

use std::time::{Duration, Instant};

use screwid::radiograph::{ReadError, SourceFormat, load, stored_values};
use support::{EXPLICIT_LE, bare_dataset, dicom_file, grey16_elements, write};

const DEFLATE: &str = "1.2.840.10008.1.2.1.99";

/// A deflated Part 10 file: meta group naming deflate, then `deflated` (raw deflate).
fn deflated_file(deflated: &[u8]) -> Vec<u8> {
    let mut out = dicom_file(DEFLATE, &[], true);
    out.extend_from_slice(deflated);
    out
}

fn pixels() -> Vec<u16> {
    vec![0, 1000, 2000, 3000, 4000, 65535]
}

#[test]
fn a_deflated_file_reads_as_its_plain_twin() {
    let elements = grey16_elements(2, 3, &pixels());
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = write(
        dir.path(),
        "plain.dcm",
        &dicom_file(EXPLICIT_LE, &elements, true),
    );
    let packed = miniz_oxide::deflate::compress_to_vec(&bare_dataset(&elements, true), 6);
    let deflated = write(dir.path(), "deflated.dcm", &deflated_file(&packed));
    let stored = stored_values(&deflated).expect("deflated reads");
    assert_eq!(stored.samples, vec![0, 1000, 2000, 3000, 4000, 65535]);
    assert_eq!(stored, stored_values(&plain).expect("plain reads"));
    let a = load(&deflated).expect("deflated loads");
    let b = load(&plain).expect("plain loads");
    assert_eq!(a.image.as_raw(), b.image.as_raw());
    let SourceFormat::Dicom { transfer_syntax } = a.info.source else {
        panic!("not DICOM")
    };
    assert_eq!(transfer_syntax, "Deflated Explicit VR Little Endian");
}

/// The pixel data's length inside the deflated data set set to `0xF000_0000`: the raw
/// bytes are a few hundred, so only the inflated walk can see it.
#[test]
fn a_corrupt_length_inside_the_deflated_data_set_is_refused() {
    let mut data_set = bare_dataset(&grey16_elements(2, 3, &pixels()), true);
    let at = data_set.len() - 12 - 4;
    assert_eq!(
        &data_set[at - 8..at - 4],
        b"\xE0\x7F\x10\x00",
        "pixel data tag"
    );
    data_set[at..at + 4].copy_from_slice(&0xF000_0000u32.to_le_bytes());
    let packed = miniz_oxide::deflate::compress_to_vec(&data_set, 6);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "huge_len.dcm", &deflated_file(&packed));
    let start = Instant::now();
    let e = load(&path).expect_err("refused");
    assert!(start.elapsed() < Duration::from_secs(1));
    assert!(matches!(e, ReadError::DicomParse { .. }), "{e}");
    assert!(e.to_string().contains("declares 4026531840 bytes"), "{e}");
}

/// Bits of a raw deflate stream, least significant first (RFC 1951 3.1.1).
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    used: u32,
}

impl Bits {
    /// `n` bits of `value`, least significant first (header fields).
    fn put(&mut self, value: u32, n: u32) {
        for i in 0..n {
            if self.used.is_multiple_of(8) {
                self.out.push(0);
            }
            let last = self.out.last_mut().expect("pushed");
            *last |= u8::try_from((value >> i) & 1).expect("one bit") << (self.used % 8);
            self.used += 1;
        }
    }

    /// A Huffman code of `n` bits, most significant first.
    fn code(&mut self, code: u32, n: u32) {
        for i in (0..n).rev() {
            self.put((code >> i) & 1, 1);
        }
    }
}

/// One fixed-Huffman block: a literal 0, then `copies` matches of length 258 at distance
/// 1, inflating to `1 + 258 * copies` zero bytes from 13 bits per match.
fn zero_bomb(copies: u32) -> Vec<u8> {
    let mut b = Bits::default();
    b.put(1, 1); // BFINAL
    b.put(1, 2); // BTYPE 01: fixed Huffman codes
    b.code(0x30, 8); // literal 0 (codes 0..143 are 0x30 + value, 8 bits)
    for _ in 0..copies {
        b.code(0xC5, 8); // length code 285 = 258 (codes 280..287 are 0xC0 + n - 280)
        b.code(0, 5); // distance code 0 = 1
    }
    b.code(0, 7); // end of block (256)
    b.out
}

#[test]
fn a_deflate_bomb_is_refused_at_the_cap() {
    // A small bomb first, to show the hand-made stream inflates as reasoned: 1 + 258 * 4
    // zero bytes, which read as one (0000,0000) element after another, then a cut header.
    let small = miniz_oxide::inflate::decompress_to_vec(&zero_bomb(4)).expect("valid");
    assert_eq!(small, vec![0u8; 1 + 258 * 4]);
    // 600 MiB of zeros, past the 512 MiB cap.
    let copies = u32::try_from((600u64 << 20) / 258).expect("fits");
    let dir = tempfile::tempdir().expect("tempdir");
    let bomb = deflated_file(&zero_bomb(copies));
    assert!(bomb.len() < 4 << 20, "{} bytes", bomb.len());
    let path = write(dir.path(), "bomb.dcm", &bomb);
    let e = load(&path).expect_err("refused");
    assert!(matches!(e, ReadError::DicomParse { .. }), "{e}");
    let text = e.to_string();
    assert!(text.contains("inflates to more than 512 MiB"), "{text}");
    assert_eq!(text.lines().count(), 1);
}
