//! Owns naming DICOM transfer syntaxes: UID → the standard's name (PS3.6 Table A-1), for
//! `SourceFormat::Dicom` and error messages.

/// (UID, name) of the transfer syntaxes a radiograph is likely to use.
const NAMES: &[(&str, &str)] = &[
    ("1.2.840.10008.1.2", "Implicit VR Little Endian"),
    ("1.2.840.10008.1.2.1", "Explicit VR Little Endian"),
    (
        "1.2.840.10008.1.2.1.98",
        "Encapsulated Uncompressed Explicit VR Little Endian",
    ),
    (
        "1.2.840.10008.1.2.1.99",
        "Deflated Explicit VR Little Endian",
    ),
    ("1.2.840.10008.1.2.2", "Explicit VR Big Endian"),
    ("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)"),
    ("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 and 4)"),
    (
        "1.2.840.10008.1.2.4.57",
        "JPEG Lossless, Non-Hierarchical (Process 14)",
    ),
    (
        "1.2.840.10008.1.2.4.70",
        "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])",
    ),
    (
        "1.2.840.10008.1.2.4.80",
        "JPEG-LS Lossless Image Compression",
    ),
    (
        "1.2.840.10008.1.2.4.81",
        "JPEG-LS Lossy (Near-Lossless) Image Compression",
    ),
    (
        "1.2.840.10008.1.2.4.90",
        "JPEG 2000 Image Compression (Lossless Only)",
    ),
    ("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression"),
    (
        "1.2.840.10008.1.2.4.92",
        "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)",
    ),
    (
        "1.2.840.10008.1.2.4.93",
        "JPEG 2000 Part 2 Multi-component Image Compression",
    ),
    (
        "1.2.840.10008.1.2.4.201",
        "High-Throughput JPEG 2000 Image Compression (Lossless Only)",
    ),
    (
        "1.2.840.10008.1.2.4.202",
        "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)",
    ),
    (
        "1.2.840.10008.1.2.4.203",
        "High-Throughput JPEG 2000 Image Compression",
    ),
    ("1.2.840.10008.1.2.4.110", "JPEG XL Lossless"),
    ("1.2.840.10008.1.2.4.111", "JPEG XL JPEG Recompression"),
    ("1.2.840.10008.1.2.4.112", "JPEG XL"),
    ("1.2.840.10008.1.2.5", "RLE Lossless"),
];

/// The name of a transfer syntax, or the UID itself when not in the table.
#[must_use]
pub fn name(uid: &str) -> String {
    let uid = uid.trim_end_matches(['\0', ' ']);
    NAMES
        .iter()
        .find(|(u, _)| *u == uid)
        .map_or_else(|| uid.to_owned(), |(_, n)| (*n).to_owned())
}

/// Whether the syntax stores pixels natively (not encapsulated).
#[must_use]
pub fn is_native(uid: &str) -> bool {
    matches!(
        uid.trim_end_matches(['\0', ' ']),
        "1.2.840.10008.1.2"
            | "1.2.840.10008.1.2.1"
            | "1.2.840.10008.1.2.1.99"
            | "1.2.840.10008.1.2.2"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_uids() {
        assert_eq!(
            name("1.2.840.10008.1.2.4.90\0"),
            "JPEG 2000 Image Compression (Lossless Only)"
        );
        assert_eq!(name("1.2.3.4"), "1.2.3.4");
        assert!(is_native("1.2.840.10008.1.2.1"));
        assert!(!is_native("1.2.840.10008.1.2.5"));
    }
}
