//! The command-line face: reads the files, runs the pipeline, prints and writes results.
//!
//! Each failure class has its own exit code, so scripts can tell a bad file from a bad
//! pack: 2 = an input could not be read, 3 = the model pack could not be used,
//! 4 = an output could not be written, 5 = `check-pack` found outputs beyond its tolerance,
//! 64 = the command line itself is wrong (`main.rs`), 1 = anything else.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use screwid::intake;
use screwid::pack::ModelPack;
use screwid::pipeline::{NamedRadiograph, analyze};
use screwid::radiograph::{self, shown_path};
use screwid::report::{
    CardSummary, ExportDate, Report, ReportFormat, ReportInput, draw_overlay_with, render_text,
    side_by_side, write_report,
};

#[derive(clap::Args)]
pub struct AnalyzeArgs {
    /// One or two radiographs (DICOM, PNG, JPEG, TIFF, BMP).
    #[arg(required = true, num_args = 1..=2)]
    files: Vec<PathBuf>,

    /// Write the report as JSON (schema screwid.report/1) to this file.
    #[arg(long)]
    json: Option<PathBuf>,

    /// Write the annotated images, side by side, to this PNG file.
    #[arg(long)]
    overlay: Option<PathBuf>,

    /// Write a report for the operative plan (views, screw table, verdict, overrules,
    /// model pack, date) to this file: PDF or PNG by its extension (.pdf, .png).
    /// Patient name, ID, study date and description are included unless
    /// --omit-identifiers is given.
    #[arg(long)]
    report: Option<PathBuf>,

    /// Leave the patient identifiers out of the --report (default: included).
    #[arg(long, requires = "report")]
    omit_identifiers: bool,
}

/// A failure and the exit code its class gets.
struct Failure {
    code: u8,
    error: anyhow::Error,
}

fn fail(code: u8) -> impl Fn(anyhow::Error) -> Failure {
    move |error| Failure { code, error }
}

/// Runs `screwid analyze` and prints its result or its one-line error.
pub fn run(args: &AnalyzeArgs, pack_dir: &Path) -> ExitCode {
    match analyze_files(args, pack_dir) {
        Ok(report) => {
            #[expect(clippy::print_stdout, reason = "the table is the command's output")]
            {
                print!("{}", render_text(&report));
            }
            ExitCode::SUCCESS
        }
        Err(Failure { code, error }) => {
            #[expect(
                clippy::print_stderr,
                reason = "the one-line error is the command's output"
            )]
            {
                eprintln!("screwid: {error:#}");
            }
            ExitCode::from(code)
        }
    }
}

fn analyze_files(args: &AnalyzeArgs, pack_dir: &Path) -> Result<Report, Failure> {
    check_outputs(args).map_err(fail(4))?;
    // Read every input before loading models: a typo in a file name should not cost the
    // seconds a pack takes to load.
    let mut images = args
        .files
        .iter()
        .map(|path| {
            radiograph::load(path).map(|radiograph| NamedRadiograph {
                name: shown_path(path),
                radiograph,
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(2)(e.into()))?;
    warn_about_inputs(&mut images);
    let pack = ModelPack::load(pack_dir).map_err(|e| fail(3)(e.into()))?;
    let report = analyze(&pack, &images, &|_| {}).map_err(|e| fail(3)(e.into()))?;
    write_outputs(args, &pack, &images, &report).map_err(fail(4))?;
    Ok(report)
}

/// Drops an image given twice and warns when the images name two patients, one line each
/// on stderr (the analysis goes on: the table says what was counted).
fn warn_about_inputs(images: &mut Vec<NamedRadiograph>) {
    let name = |i: &NamedRadiograph| i.name.clone();
    let mut notes = intake::drop_repeats(images, |i| &i.radiograph, name);
    notes.extend(intake::different_patients(images, |i| &i.radiograph, name));
    #[expect(clippy::print_stderr, reason = "warnings for the user of the command")]
    for note in notes {
        eprintln!("screwid: warning: {note}");
    }
}

/// Whether two paths name one file: the same device and inode where both exist (so a
/// hard link of an input is caught, which path comparison misses), else the same
/// canonical path, else the same path as given.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return (x.dev(), x.ino()) == (y.dev(), y.ino());
        }
    }
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Refuses outputs that would overwrite an input radiograph or each other, and a report
/// in an unknown format, before any work is done.
fn check_outputs(args: &AnalyzeArgs) -> anyhow::Result<()> {
    let same = same_file;
    if let Some(report) = &args.report {
        ReportFormat::from_path(report)?;
    }
    if let Some(overlay) = &args.overlay {
        let png = overlay
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("png"));
        anyhow::ensure!(
            png,
            "the overlay is written as PNG; give it a name ending in .png: {}",
            shown_path(overlay)
        );
    }
    let outputs: Vec<(&str, &Path)> = [
        ("--json", args.json.as_deref()),
        ("--overlay", args.overlay.as_deref()),
        ("--report", args.report.as_deref()),
    ]
    .into_iter()
    .filter_map(|(flag, path)| path.map(|p| (flag, p)))
    .collect();
    for (_, output) in &outputs {
        if let Some(input) = args.files.iter().find(|f| same(f, output)) {
            anyhow::bail!(
                "an output would overwrite an input radiograph; choose another output file: {}",
                shown_path(input)
            );
        }
    }
    for (i, (a, path)) in outputs.iter().enumerate() {
        if let Some((b, _)) = outputs[i + 1..].iter().find(|(_, p)| same(path, p)) {
            anyhow::bail!(
                "{a} and {b} name the same file; give each its own: {}",
                shown_path(path)
            );
        }
    }
    Ok(())
}

fn write_outputs(
    args: &AnalyzeArgs,
    pack: &ModelPack,
    images: &[NamedRadiograph],
    report: &Report,
) -> anyhow::Result<()> {
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(report)?;
        std::fs::write(path, json + "\n").map_err(|e| not_written("the JSON report", &e, path))?;
    }
    if let Some(path) = &args.overlay {
        let colour_of = |label: &str| pack.manifest.colour_of(label);
        // Captions start with the screw's number in the printed table, counted across images.
        let mut first = 1;
        let drawn: Vec<_> = images
            .iter()
            .zip(&report.images)
            .map(|(img, rep)| {
                let start = first;
                first += rep.screws.len();
                draw_overlay_with(&img.radiograph.image, rep, &colour_of, &|i, s| {
                    format!("{} {}", start + i, s.caption())
                })
            })
            .collect();
        side_by_side(&drawn)
            .save_with_format(path, image::ImageFormat::Png)
            .map_err(|e| not_written("the overlay image", &e, path))?;
    }
    if let Some(path) = &args.report {
        write_report(&report_input(args, pack, images, report), path)?;
    }
    Ok(())
}

/// One line: what could not be written and why, what to do, the file last.
fn not_written(what: &str, error: &dyn std::fmt::Display, path: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "cannot write {what} ({error}); check that its folder exists and is writable: {}",
        shown_path(path)
    )
}

/// What the printed report is made from, dated today.
fn report_input(
    args: &AnalyzeArgs,
    pack: &ModelPack,
    images: &[NamedRadiograph],
    report: &Report,
) -> ReportInput {
    let display = images.iter().map(|i| i.radiograph.image.clone()).collect();
    ReportInput::new(
        report.clone(),
        display,
        pack.manifest.classes.clone(),
        ExportDate::today_utc(),
    )
    .with_identifiers(
        !args.omit_identifiers,
        images.iter().map(|i| &i.radiograph.info.patient),
    )
    .with_card(CardSummary::read(&pack.dir, &pack.manifest.trained_on))
}

#[derive(clap::Args)]
pub struct CheckPackArgs {
    /// The pack folder (default: --pack, else the bundled pack).
    dir: Option<PathBuf>,

    /// Largest accepted |tract - reference| (default: the one the pack's self-test states).
    #[arg(long)]
    tolerance: Option<f32>,

    /// Also run each model N more times and print its median time under tract (a
    /// benchmark; build with --release; compare with `screwid-train bench-ort`).
    #[arg(long, default_value_t = 0)]
    repeat: usize,
}

/// Runs `screwid check-pack`: one line per vector, then the verdict; exit 0, 3 or 5.
pub fn check_pack(args: &CheckPackArgs, pack_dir: PathBuf) -> ExitCode {
    let dir = args.dir.clone().unwrap_or(pack_dir);
    #[expect(
        clippy::print_stdout,
        clippy::print_stderr,
        reason = "the lines are the command's output"
    )]
    match screwid::pack::check_pack(&dir, args.tolerance, args.repeat) {
        Ok(report) => {
            for r in &report.results {
                let time = r
                    .median_ms
                    .map(|ms| format!(", median {ms:.2} ms"))
                    .unwrap_or_default();
                println!(
                    "{:<20} {:<40} max |tract - reference| = {:.2e}{time}",
                    r.model, r.input, r.max_abs_diff
                );
            }
            let verdict = if report.passed() { "passed" } else { "FAILED" };
            println!(
                "self-test {verdict}: largest difference {:.2e}, tolerance {:.0e} (reference: {}): {}",
                report.largest(),
                report.tolerance,
                report.reference,
                shown_path(&dir)
            );
            ExitCode::from(if report.passed() { 0 } else { 5 })
        }
        Err(error) => {
            eprintln!("screwid: {error}");
            ExitCode::from(3)
        }
    }
}

/// Opens the desktop app.
pub fn open_app(files: Vec<PathBuf>, pack_dir: Option<PathBuf>) -> ExitCode {
    match screwid::app::run_native(files, pack_dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            #[expect(clippy::print_stderr, reason = "no window to show the error in")]
            {
                eprintln!(
                    "screwid: cannot open the window ({error}); use `screwid analyze` on the command line"
                );
            }
            ExitCode::from(1)
        }
    }
}
