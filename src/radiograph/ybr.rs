//! Owns native (uncompressed) chroma-subsampled YBR pixel data, which dicom-pixeldata
//! cannot frame ("Frame #0 is out of range"): `YBR_FULL_422` and `YBR_PARTIAL_422`,
//! 8 bits, stored as `Y1 Y2 Cb Cr` for each horizontal pair of pixels (PS3.3 C.7.6.3.1.2).
//!
//! Grey is the luma Y itself: with the BT.601 equations of PS3.3 C.7.6.3.1.2,
//! `0.299 R + 0.587 G + 0.114 B` of the RGB a YCbCr triple stands for is exactly Y (the Cb
//! and Cr terms cancel), so chroma is not needed. Full range: `Y / 255`; partial range
//! (Y in 16..=235): `(Y - 16) / 219`, clamped to [0, 1].

/// Whether Y spans the full code range or the BT.601 "partial" (video) range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// `YBR_FULL_422`: Y in 0..=255.
    Full,
    /// `YBR_PARTIAL_422`: Y in 16..=235.
    Partial,
}

/// The range of a photometric interpretation this module reads, `None` for any other.
#[must_use]
pub fn range(photometric: &str) -> Option<Range> {
    match photometric {
        "YBR_FULL_422" => Some(Range::Full),
        "YBR_PARTIAL_422" => Some(Range::Partial),
        _ => None,
    }
}

/// Bytes of one 8-bit 4:2:2 frame: two bytes per pixel.
#[must_use]
pub fn frame_bytes(rows: u32, columns: u32) -> usize {
    rows as usize * columns as usize * 2
}

/// Y, Cb, Cr of every pixel of one frame, interleaved, each pair's chroma repeated for
/// both of its pixels. `data` holds at least [`frame_bytes`]; `columns` is even.
///
/// # Errors
/// A one-line reason when the columns are odd or the data is short.
pub fn expand(data: &[u8], rows: u32, columns: u32) -> Result<Vec<u8>, String> {
    if !columns.is_multiple_of(2) {
        return Err(format!(
            "4:2:2 data with an odd number of columns ({columns})"
        ));
    }
    let need = frame_bytes(rows, columns);
    let frame = data.get(..need).ok_or_else(|| {
        format!(
            "4:2:2 pixel data has {} bytes, one frame needs {need}",
            data.len()
        )
    })?;
    let mut out = Vec::with_capacity(need / 2 * 3);
    for quad in frame.chunks_exact(4) {
        let [y1, y2, cb, cr] = [quad[0], quad[1], quad[2], quad[3]];
        out.extend_from_slice(&[y1, cb, cr, y2, cb, cr]);
    }
    Ok(out)
}

/// The grey value in [0, 1] of one Y code.
#[must_use]
pub fn luma(y: u8, range: Range) -> f32 {
    match range {
        Range::Full => f32::from(y) / 255.0,
        Range::Partial => ((f32::from(y) - 16.0) / 219.0).clamp(0.0, 1.0),
    }
}

/// Grey values of interleaved YCbCr samples (as from [`expand`]).
#[must_use]
pub fn grey(ybr: &[u8], range: Range) -> Vec<f32> {
    ybr.chunks_exact(3).map(|p| luma(p[0], range)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_share_their_chroma() {
        let data = [10, 20, 100, 200, 30, 40, 101, 201];
        assert_eq!(
            expand(&data, 1, 4).expect("valid"),
            vec![10, 100, 200, 20, 100, 200, 30, 101, 201, 40, 101, 201]
        );
    }

    #[test]
    fn odd_columns_and_short_data_are_refused() {
        assert!(expand(&[0; 8], 1, 3).is_err());
        assert!(expand(&[0; 6], 2, 2).is_err());
    }

    #[test]
    fn luma_by_hand() {
        // 51 / 255 = 0.2, 204 / 255 = 0.8
        assert!((luma(51, Range::Full) - 0.2).abs() < 1e-6);
        assert!((luma(204, Range::Full) - 0.8).abs() < 1e-6);
        // Partial: 16 → 0, 235 → 1, 125.5 would be 0.5; 0 and 255 clamp.
        assert!(luma(16, Range::Partial).abs() < 1e-6);
        assert!((luma(235, Range::Partial) - 1.0).abs() < 1e-6);
        assert!((luma(126, Range::Partial) - 110.0 / 219.0).abs() < 1e-6);
        assert!(luma(0, Range::Partial).abs() < 1e-6);
        assert!((luma(255, Range::Partial) - 1.0).abs() < 1e-6);
        assert_eq!(range("YBR_FULL_422"), Some(Range::Full));
        assert_eq!(range("YBR_PARTIAL_420"), None);
    }
}
