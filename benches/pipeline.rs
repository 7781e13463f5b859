//! Speed and memory of the bundled pack under tract, on the bundled samples.
//!
//! `cargo bench --bench pipeline` prints, for this machine: the cold start (loading and
//! optimising the pack), each model's median run time, the median time of a whole
//! sample pair, and the process's peak resident memory. Timings are measured here, never
//! asserted in tests.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a benchmark reports on stdout and fails loudly"
)]

use std::path::Path;
use std::time::{Duration, Instant};

use ndarray::Array4;
use screwid::pack::{ModelPack, OnnxModel, bundled_pack_dir};
use screwid::pipeline::{NamedRadiograph, analyze};
use screwid::radiograph;

const RUNS: usize = 7;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time_model(name: &str, model: &OnnxModel) {
    let [w, h] = model.input;
    let c = model.channels as usize;
    let input = Array4::<f32>::from_elem((1, c, h as usize, w as usize), 0.1);
    model.run(input.clone()).unwrap();
    let runs = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            model.run(input.clone()).unwrap();
            started.elapsed()
        })
        .collect();
    println!(
        "{name:<20} {w:>4} x {h:<4} median {:>8.1} ms",
        median(runs).as_secs_f64() * 1e3
    );
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let started = Instant::now();
    let pack = ModelPack::load(&bundled_pack_dir()).unwrap();
    println!(
        "pack load (cold)     {:>8.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    time_model("view", &pack.view);
    time_model("detector", &pack.detector);
    time_model("classifier_ap", &pack.classifier_ap);
    time_model("classifier_lateral", &pack.classifier_lateral);

    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/samples/P001");
    let read = || -> Vec<NamedRadiograph> {
        ["ap.dcm", "lateral.dcm"]
            .iter()
            .map(|f| NamedRadiograph {
                name: (*f).to_owned(),
                radiograph: radiograph::load(&sample.join(f)).unwrap(),
            })
            .collect()
    };
    let started = Instant::now();
    let images = read();
    println!(
        "read sample pair     {:>8.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let runs = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            analyze(&pack, &images, &|_| {}).unwrap();
            started.elapsed()
        })
        .collect();
    println!(
        "analyse pair (warm)  {:>8.1} ms median of {RUNS}",
        median(runs).as_secs_f64() * 1e3
    );
    println!("peak resident memory {:>8.1} MB", peak_rss_mb());
}
