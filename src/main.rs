//! The `screwid` binary: with no arguments it opens the desktop app; `screwid analyze`
//! runs the same pipeline on the command line.

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Identifies the manufacturer of pedicle screws on AP and lateral spine radiographs.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,

    /// The model pack folder (default: the bundled demonstration pack; the app uses the
    /// pack last chosen in it).
    #[arg(long, global = true, env = "SCREWID_PACK")]
    pack: Option<PathBuf>,

    /// Log each stage's timing to stderr.
    #[arg(long, short, global = true)]
    verbose: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse one patient's radiographs (AP and lateral in either order, or one image).
    Analyze(cli::AnalyzeArgs),
    /// Open the desktop app, optionally with a patient's images.
    Open {
        /// Radiographs to open at start.
        files: Vec<PathBuf>,
    },
    /// Run a model pack's self-test vectors under tract and report the largest difference.
    CheckPack(cli::CheckPackArgs),
}

/// The exit code of a wrong command line (sysexits' `EX_USAGE`), apart from the codes
/// of `cli.rs` so that a script can tell a typo from a bad file.
const USAGE: u8 = 64;

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => return usage_error(&e),
    };
    init_tracing(args.verbose);
    match args.command {
        Some(Command::Analyze(a)) => {
            let pack = args.pack.unwrap_or_else(screwid::pack::default_pack_dir);
            cli::run(&a, &pack)
        }
        Some(Command::CheckPack(a)) => {
            let pack = args.pack.unwrap_or_else(screwid::pack::default_pack_dir);
            cli::check_pack(&a, pack)
        }
        Some(Command::Open { files }) => cli::open_app(files, args.pack),
        None => cli::open_app(Vec::new(), args.pack),
    }
}

/// Help and version go to stdout as clap writes them; a wrong command line is one line on
/// stderr (clap's own message, without its usage block) and exit 64.
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    // clap's message is its text up to the usage block, over one or more lines (a missing
    // argument is named on the line after "not provided:"); joined into one.
    let rendered = e.render().to_string();
    let parts: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:"))
        .filter(|l| !l.is_empty() && !l.starts_with("tip:"))
        .collect();
    let joined = parts.join(" ");
    let message = joined.trim_start_matches("error: ");
    let message = if message.is_empty() {
        "the command line could not be read"
    } else {
        message
    };
    #[expect(
        clippy::print_stderr,
        reason = "the one-line error is the command's output"
    )]
    {
        eprintln!("screwid: {message} (see `screwid --help`)");
    }
    ExitCode::from(USAGE)
}

fn init_tracing(verbose: bool) {
    let default = if verbose {
        "screwid=debug"
    } else {
        "screwid=warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Colour only on a terminal: a script capturing stderr gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .init();
}
