//! Writing a report to a file, PDF or PNG by the file's extension.

use std::path::{Path, PathBuf};

use super::input::ReportInput;
use super::pdf::render_pdf;
use super::sheet::render_sheet;

/// The file formats a report can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Pdf,
    Png,
}

/// Why a report was not written; the file concerned comes last in each message.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("a report must be a .pdf or .png file; choose another name: {}", path.display())]
    Format { path: PathBuf },
    // The cause is printed in the message rather than chained, so the path stays last
    // when the CLI prints the whole chain.
    #[error("cannot encode the report image ({error}): {}", path.display())]
    Encode {
        error: image::ImageError,
        path: PathBuf,
    },
    #[error(
        "cannot write the report ({error}); check that its folder exists and is writable: {}",
        crate::radiograph::shown_path(path)
    )]
    Write {
        error: std::io::Error,
        path: PathBuf,
    },
}

impl ReportFormat {
    /// The format a file name asks for (`.pdf` or `.png`, in any case).
    ///
    /// # Errors
    /// Any other extension, or none.
    pub fn from_path(path: &Path) -> Result<Self, ExportError> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("pdf") => Ok(Self::Pdf),
            Some("png") => Ok(Self::Png),
            _ => Err(ExportError::Format {
                path: path.to_path_buf(),
            }),
        }
    }
}

/// Renders the report in the format `path` names and writes it there.
///
/// # Errors
/// An extension other than `.pdf` / `.png`, or a file that cannot be written.
pub fn write_report(input: &ReportInput, path: &Path) -> Result<(), ExportError> {
    let format = ReportFormat::from_path(path)?;
    let bytes = match format {
        ReportFormat::Pdf => render_pdf(input),
        ReportFormat::Png => {
            let mut bytes = Vec::new();
            render_sheet(input)
                .write_to(
                    &mut std::io::Cursor::new(&mut bytes),
                    image::ImageFormat::Png,
                )
                .map_err(|error| ExportError::Encode {
                    error,
                    path: path.to_path_buf(),
                })?;
            bytes
        }
    };
    let bytes_len = bytes.len();
    std::fs::write(path, bytes).map_err(|error| ExportError::Write {
        error,
        path: path.to_path_buf(),
    })?;
    // No path in the log: hospital folder names often carry patient names.
    tracing::debug!(?format, bytes = bytes_len, "report exported");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_names_the_format_in_any_case() {
        assert_eq!(
            ReportFormat::from_path(Path::new("a.PDF")).ok(),
            Some(ReportFormat::Pdf)
        );
        assert_eq!(
            ReportFormat::from_path(Path::new("a.png")).ok(),
            Some(ReportFormat::Png)
        );
        assert!(ReportFormat::from_path(Path::new("a.docx")).is_err());
        assert!(ReportFormat::from_path(Path::new("report")).is_err());
    }
}
