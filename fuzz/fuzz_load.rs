//! A deterministic mutation fuzzer for `screwid::radiograph::load` and `stored_values`,
//! standing in for cargo-fuzz (which needs nightly Rust). It mutates seed inputs (built
//! in `seeds.rs`, plus the small real files of `../shared/realdata` when present, drawn
//! rarely because they decode slowly) with `mutate.rs`, writes each input to one scratch
//! file and loads it under `catch_unwind`, checking that:
//!
//! - nothing panics: neither through `load` nor inside it (the decode boundary's guard
//!   turns library panics into `ReadError::Decode` "failed unexpectedly"; those are
//!   findings too, with the panic's location, to tell our code from a library's);
//! - a decoded image has width x height pixels, every value finite and within [0, 1].
//!
//! Findings are written to `--out` (default `target/fuzz-findings`) for regression tests.
//!
//! `cargo run --release --example fuzz_load -- --inputs 500000 --seed 1`

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool that reports what it measured"
)]

mod util {
    //! Stands in for the test helpers' `util`: the fuzzer never needs the shared folder.
    pub fn shared_dir() -> Option<std::path::PathBuf> {
        None
    }
}

#[path = "../tests/integration/reader_support.rs"]
#[allow(dead_code)]
mod support;

#[path = "mutate.rs"]
mod mutate;
#[path = "seeds.rs"]
mod seeds;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use screwid::radiograph::{ReadError, load, stored_values};

/// Where the last panic happened (set by the hook, read after `catch_unwind`).
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// The index of the input being run (for the watchdog).
static CURRENT: AtomicU64 = AtomicU64::new(0);

/// Report (once each) inputs that take over 5 s: copied to `out` as `slow-*.bin`.
fn watchdog(input: PathBuf, out: PathBuf) {
    std::thread::spawn(move || {
        let (mut seen, mut since, mut reported) = (u64::MAX, Instant::now(), u64::MAX);
        loop {
            std::thread::sleep(std::time::Duration::from_millis(500));
            let now = CURRENT.load(Ordering::Relaxed);
            if now != seen {
                (seen, since) = (now, Instant::now());
            } else if since.elapsed().as_secs() >= 5 && reported != now {
                reported = now;
                let file = out.join(format!("slow-{now}.bin"));
                let _ = std::fs::copy(&input, &file);
                println!("SLOW input #{now} (> 5 s) -> {}", file.display());
            }
        }
    });
}

/// Small real files used as rare extra seeds when `../shared/realdata` is present.
const REAL_SEEDS: [&str; 6] = [
    "pylibjpeg-data/JPEGBaseline_1s_1f_u_08_08.dcm",
    "pylibjpeg-data/JPEGExtended_1s_1f_u_16_12.dcm",
    "dicom-test-files-wg04/RG3_JPLY",
    "dicom-test-files-wg04/RG3_J2KI",
    "dicom-test-files-wg04/RG3_JLSN",
    "pylibjpeg-data/RG2_JPLY_fixed.dcm",
];

struct Args {
    inputs: u64,
    seed: u64,
    out: PathBuf,
    real: bool,
    /// Seeds left out by name (`--skip deflate`); none needs leaving out since deflated
    /// data sets are inflated and walked (docs/reader.md).
    skip: Vec<String>,
}

fn args() -> Args {
    let mut a = Args {
        inputs: 200_000,
        seed: 1,
        out: PathBuf::from("target/fuzz-findings"),
        real: true,
        skip: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--inputs" => a.inputs = value.parse().unwrap_or(a.inputs),
            "--seed" => a.seed = value.parse().unwrap_or(a.seed),
            "--out" => a.out = PathBuf::from(value),
            "--real" => a.real = value != "0",
            "--skip" => a.skip.push(value),
            _ => eprintln!("unknown flag {flag}"),
        }
    }
    a
}

fn real_seeds() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata");
    REAL_SEEDS
        .iter()
        .filter_map(|rel| Some(((*rel).to_owned(), std::fs::read(root.join(rel)).ok()?)))
        .collect()
}

/// What one input did.
enum Outcome {
    Decoded,
    Refused(&'static str),
    Finding(String),
}

fn kind(e: &ReadError) -> &'static str {
    match e {
        ReadError::Io { .. } => "io",
        ReadError::Empty { .. } => "empty",
        ReadError::UnknownFormat { .. } => "unknown format",
        ReadError::DicomParse { .. } => "dicom parse",
        ReadError::NoPixelData { .. } => "no pixel data",
        ReadError::UnsupportedCodec { .. } => "codec",
        ReadError::UnsupportedLayout { .. } => "layout",
        ReadError::Decode { .. } => "decode",
        ReadError::ZeroSize { .. } => "zero size",
        ReadError::TooLarge { .. } => "too large",
    }
}

fn last_panic() -> String {
    LAST_PANIC
        .lock()
        .map(|mut p| p.take().unwrap_or_default())
        .unwrap_or_default()
}

fn run_one(path: &Path, also_stored: bool) -> Outcome {
    let loaded = catch_unwind(AssertUnwindSafe(|| load(path)));
    let outcome = match loaded {
        Err(_) => return Outcome::Finding(format!("panic through load at {}", last_panic())),
        Ok(Err(e)) if e.to_string().contains("failed unexpectedly") => {
            return Outcome::Finding(format!("guarded panic at {}", last_panic()));
        }
        Ok(Err(e)) => Outcome::Refused(kind(&e)),
        Ok(Ok(r)) => {
            let (w, h) = r.image.dimensions();
            let v = r.image.as_raw();
            if v.len() != w as usize * h as usize {
                return Outcome::Finding(format!("{} values for {w} x {h}", v.len()));
            }
            if let Some(bad) = v.iter().find(|x| !(0.0..=1.0).contains(*x)) {
                return Outcome::Finding(format!("display value {bad} outside [0, 1]"));
            }
            Outcome::Decoded
        }
    };
    if also_stored && catch_unwind(AssertUnwindSafe(|| stored_values(path))).is_err() {
        return Outcome::Finding(format!("panic through stored_values at {}", last_panic()));
    }
    outcome
}

#[allow(clippy::cast_precision_loss)] // counts far below 2^52
fn rate(n: u64, secs: f64) -> f64 {
    n as f64 / secs
}

fn report(
    args: &Args,
    secs: f64,
    counts: &BTreeMap<&'static str, u64>,
    slow: &BTreeMap<String, (u64, u128)>,
    findings: &BTreeMap<String, u64>,
) {
    println!(
        "done: {} inputs in {secs:.1} s ({:.0} inputs/s), seed {}",
        args.inputs,
        rate(args.inputs, secs),
        args.seed
    );
    println!("outcomes: {counts:?}");
    println!("inputs over 20 ms by seed (count, total ms): {slow:?}");
    println!(
        "distinct findings: {} ({} inputs)",
        findings.len(),
        findings.values().sum::<u64>()
    );
    for (what, n) in findings {
        println!("  {n} x {what}");
    }
}

fn main() {
    let args = args();
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        if let Ok(mut p) = LAST_PANIC.lock() {
            *p = Some(format!("{at}: {msg}"));
        }
    }));
    let mut synthetic = seeds::all();
    synthetic.retain(|(name, _)| !args.skip.contains(name));
    let real = if args.real { real_seeds() } else { Vec::new() };
    println!(
        "{} synthetic seeds, {} real seeds",
        synthetic.len(),
        real.len()
    );
    // A RAM-backed folder when there is one: writing each input to disk dominates otherwise.
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let scratch = base.join(format!("screwid-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    std::fs::create_dir_all(&args.out).expect("findings dir");
    let input_path = scratch.join("input");
    watchdog(input_path.clone(), args.out.clone());
    let mut rng = mutate::Rng::new(args.seed);
    let mut counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut findings: BTreeMap<String, u64> = BTreeMap::new();
    let mut slow: BTreeMap<String, (u64, u128)> = BTreeMap::new();
    let start = Instant::now();
    for i in 0..args.inputs {
        let pool = if !real.is_empty() && rng.below(500) == 0 {
            &real
        } else {
            &synthetic
        };
        let (name, seed) = &pool[rng.below(pool.len())];
        let other = &synthetic[rng.below(synthetic.len())].1;
        let input = if rng.below(50) == 0 {
            seed.clone()
        } else {
            mutate::mutate(&mut rng, seed, other)
        };
        std::fs::write(&input_path, &input).expect("write input");
        CURRENT.store(i, Ordering::Relaxed);
        let t = Instant::now();
        let outcome = run_one(&input_path, i % 8 == 0);
        let ms = t.elapsed().as_millis();
        if ms >= 20 {
            let e = slow.entry(name.clone()).or_insert((0, 0));
            e.0 += 1;
            e.1 += ms;
        }
        match outcome {
            Outcome::Decoded => *counts.entry("decoded").or_default() += 1,
            Outcome::Refused(k) => *counts.entry(k).or_default() += 1,
            Outcome::Finding(what) => {
                // One entry per place (file:line), whatever the numbers in the message.
                let place = what.split(": ").next().unwrap_or(&what).to_owned();
                let n = findings.entry(place).or_default();
                if *n == 0 {
                    let file =
                        args.out
                            .join(format!("{}-s{}-{i}.bin", name.replace('/', "_"), args.seed));
                    std::fs::write(&file, &input).expect("write finding");
                    println!("FINDING #{i} from {name}: {what} -> {}", file.display());
                }
                *n += 1;
            }
        }
        if (i + 1) % 100_000 == 0 {
            let secs = start.elapsed().as_secs_f64();
            println!("{} inputs, {:.0}/s", i + 1, rate(i + 1, secs));
        }
    }
    report(
        &args,
        start.elapsed().as_secs_f64(),
        &counts,
        &slow,
        &findings,
    );
    let _ = std::fs::remove_dir_all(&scratch);
}
