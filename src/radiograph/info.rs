//! Owns the description of a loaded radiograph: [`ImageInfo`] and the small types in it
//! (source format, applied window, patient text). Plain data, no I/O.

use serde::Serialize;

/// Where the pixels came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum SourceFormat {
    /// A DICOM file; `transfer_syntax` is the syntax's name, e.g.
    /// "JPEG 2000 Image Compression (Lossless Only)" (the UID when the name is unknown).
    Dicom { transfer_syntax: String },
    /// A raster image; `format` is e.g. "PNG", "JPEG", "TIFF", "BMP".
    Raster { format: String },
}

/// Which rule chose the VOI window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum WindowSource {
    /// The file's first `WindowCenter` / `WindowWidth`.
    File,
    /// The 0.5 %–99.5 % percentile window of the modality values.
    Percentile,
    /// The whole range of the values (a viewer's preset; raster and colour images' own).
    FullRange,
}

/// The VOI LUT Function of a window (PS3.3 C.11.2.1.2–3, `VOILUTFunction`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum VoiFunction {
    /// `LINEAR` (the default): ramp from `c - 0.5 - (w - 1) / 2` to `c - 0.5 + (w - 1) / 2`.
    #[default]
    Linear,
    /// `LINEAR_EXACT`: ramp from `c - w / 2` to `c + w / 2`.
    LinearExact,
    /// `SIGMOID`: `1 / (1 + exp(-4 (x - c) / w))`.
    Sigmoid,
}

/// The VOI window applied, in modality units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Window {
    pub center: f64,
    pub width: f64,
    pub source: WindowSource,
    /// The function the window was applied with (percentile windows use LINEAR).
    pub function: VoiFunction,
}

/// One of the file's stored windows (`WindowCenter` / `WindowWidth` value pairs, in
/// order), with its `WindowCenterWidthExplanation` when present.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileWindow {
    pub center: f64,
    pub width: f64,
    pub explanation: Option<String>,
}

/// A window a viewer offers, with the name it is shown under.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedWindow {
    pub name: String,
    pub window: Window,
}

/// The VOI LUT table applied (first `VOILUTSequence` item, PS3.3 C.11.2.1.1): modality
/// value `first + i` shows as `data[i] / (2^bits - 1)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoiTable {
    pub entries: usize,
    pub first: i32,
    pub bits: u16,
    pub explanation: Option<String>,
}

/// Patient and study text, for display only: never logged, never serialised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatientText {
    pub name: Option<String>,
    pub id: Option<String>,
    pub study_date: Option<String>,
    pub study_description: Option<String>,
}

/// What is known about a loaded radiograph besides its pixels.
#[derive(Debug, Clone, Serialize)]
pub struct ImageInfo {
    pub source: SourceFormat,
    /// DICOM Modality (e.g. "CR", "DX", "CT"); `None` for raster images. The pipeline uses
    /// it to refuse CT / MR.
    pub modality: Option<String>,
    /// The file's `PhotometricInterpretation` ("MONOCHROME1", "RGB"...), or for raster images
    /// "MONOCHROME2" (grey) / "RGB" (colour).
    pub photometric: String,
    pub bits_stored: u16,
    /// (row, column) spacing in mm: `PixelSpacing`, else `ImagerPixelSpacing`; never zero.
    pub pixel_spacing_mm: Option<[f64; 2]>,
    /// The VOI window applied, `None` for colour and raster images and when a VOI LUT
    /// table was applied instead (see `voi_table`).
    pub window: Option<Window>,
    /// Every window stored in the file, in order; the first usable one is applied.
    pub windows: Vec<FileWindow>,
    /// The VOI LUT table applied, when the file has one and no usable window.
    pub voi_table: Option<VoiTable>,
    /// Number of frames in the file (only the first is read).
    pub frames: u32,
    #[serde(skip)]
    pub patient: PatientText,
    /// Recoverable oddities, one line each (e.g. "pixel spacing 0\\0 ignored").
    pub notes: Vec<String>,
}

impl ImageInfo {
    /// Info for a raster image: no modality, spacing, window or patient text.
    pub(crate) fn raster(format: &str, colour: bool, bits: u16) -> Self {
        Self {
            source: SourceFormat::Raster {
                format: format.to_owned(),
            },
            modality: None,
            photometric: if colour { "RGB" } else { "MONOCHROME2" }.to_owned(),
            bits_stored: bits,
            pixel_spacing_mm: None,
            window: None,
            windows: Vec::new(),
            voi_table: None,
            frames: 1,
            patient: PatientText::default(),
            notes: Vec::new(),
        }
    }

    /// Record a recoverable oddity: kept in `notes` and logged at warn (the note must hold
    /// no patient identifier and no path).
    pub(crate) fn note(&mut self, text: String) {
        tracing::warn!(note = %text, "radiograph read with an oddity");
        self.notes.push(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialisation_skips_patient_text() {
        let mut info = ImageInfo::raster("PNG", false, 8);
        info.patient.name = Some("DOE^JANE".into());
        info.patient.id = Some("123456".into());
        let json = serde_json::to_string(&info).expect("info serialises");
        assert!(!json.contains("DOE") && !json.contains("123456"), "{json}");
        assert!(json.contains("\"photometric\":\"MONOCHROME2\""), "{json}");
    }
}
