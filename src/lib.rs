//! ScrewID finds pedicle screws on AP and lateral radiographs and names their manufacturer.
//!
//! The modules follow the pipeline, each using only the ones above it:
//!
//! 1. [`radiograph`]: reads DICOM and raster files into one display image plus what is known
//!    of it.
//! 2. [`geometry`] and [`letterbox`]: boxes in image pixels, and the fit of an image into a
//!    model's fixed input.
//! 3. [`pack`]: the model pack (manifest, checksums, ONNX models under tract).
//! 4. [`view`]: AP, lateral, or neither; [`pairing`] picks a study's AP and lateral pair by it;
//!    [`intake`] drops an image given twice and flags images of two patients.
//! 5. [`detect`]: screw boxes.
//! 6. [`classify`]: a manufacturer for each screw, from the view's own classifier.
//! 7. [`vote`]: the patient's verdict from all screws, with mixed implants kept visible.
//! 8. [`report`]: the serde report, its text table and the annotated overlay.
//! 9. [`pipeline`]: runs the stages in order over one patient's images.
//!
//! [`agreement`] scores one rater against another (a resident against the model or the
//! truth).
//!
//! [`app`] is the desktop face over the pipeline; the command line lives in `main.rs`.

pub mod radiograph;

pub mod geometry;
pub mod letterbox;

pub mod pack;

pub mod intake;
pub mod pairing;
pub mod view;

pub mod detect;

pub mod classify;

pub mod vote;

pub mod report;

pub mod pipeline;

pub mod agreement;

pub mod app;
