//! ScrewID's integration tests, one binary (linking the app's dependencies once is slow).

#![allow(
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "tests fail loudly and report what they measured"
)]

// Helpers: where the shared real data lives, and the bundled samples.
mod util;

// Reading radiographs: real files from ../shared, bad input, hand-built DICOM.
mod reader;
mod reader_colour;
mod reader_deflate;
mod reader_framing;
mod reader_fuzz;
mod reader_inputs;
mod reader_levels;
mod reader_raster;
mod reader_scan;
mod reader_support;
mod reader_synthetic;
mod reader_voi;

// The command line: exit codes, the table, the JSON report and the overlay.
mod cli;
// `screwid check-pack`: self-test vectors under tract, tampered copies.
mod check_pack;
// The whole pipeline on the bundled samples, against their generator labels.
mod pipeline;
// The project's copy of the phantom design file against the authoritative one.
mod designs;
// The desktop app under egui_kittest.
mod ui;
// Folders, recent cases, settings, cancelling and switching packs in the app.
mod ui_workspace;
// Resident mode: blind reads, the saved reads and their agreement.
mod ui_resident;
// Snapshot images of the main screens, rendered on a software adapter.
mod ui_snapshots;
// The printed report: PDF and PNG from the command line, and from the app.
mod report_export;
mod ui_report;
mod ui_viewer;
