//! The command line: clap definitions resolved into validated configurations, the library
//! called, its results printed, and the exit code chosen. Bad input stops here with exit
//! code 2 and a message naming the value and what is accepted.

mod args;
mod cell_child;
mod claims_cmd;
mod compare_cmd;
mod finish;
mod latency_child;
mod load_cmd;
mod parse;
mod report_cmd;
mod serve_cmd;

use std::ffi::OsString;
use std::io;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

pub use args::{ClaimsArgs, Cli, Command, Format, ReportArgs, RunArgs};

use crate::netserver::SERVER_COMMAND;
use crate::runtime::processes;
use crate::suite::{self, CELL_COMMAND, ConfigError, Isolation, Progress, SessionError};

/// Exit code for input the harness refuses (clap uses the same).
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code when a runtime did not do the work it was given.
pub const EXIT_VERIFICATION: u8 = 1;

/// Parses `args`, runs the command, prints the error chain on failure. The hidden child
/// commands, `__worker PARENT_PID`, `__cell` and `__latency-server`, are taken before clap
/// sees the command line: a worker process per task pays exec and the Rust runtime's start,
/// not a parse.
pub fn main<I: IntoIterator<Item = OsString>>(args: I) -> ExitCode {
    let args: Vec<OsString> = args.into_iter().collect();
    match args.get(1).and_then(|a| a.to_str()) {
        Some(processes::WORKER_COMMAND) => {
            return processes::worker_main(args.get(2).map(OsString::as_os_str));
        }
        Some(CELL_COMMAND) => return exit_code(cell_child::serve()),
        Some(SERVER_COMMAND) => return latency_child::main(&args[2..]),
        Some(processes::SERVE_WORKER_COMMAND) => return processes::serve_worker_main(&args[2..]),
        _ => {}
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let command_line = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    // A socket or pipe per unit: the soft open-files limit goes to the hard one before any
    // work, for this process and every child it starts; the machine record keeps both.
    if let Err(e) = crate::measure::os_limits::raise_open_files() {
        eprintln!("note: could not raise the open-files limit (ulimit -n): {e}");
    }
    let result = match cli.command {
        Some(Command::Run(a)) => run(&a, command_line),
        None => run(&RunArgs::defaults(), command_line),
        Some(Command::Claims(a)) => claims_cmd::run(&a, command_line),
        Some(Command::Report(a)) => report_cmd::run(&a),
        Some(Command::Serve(a)) => serve_cmd::run(&a, command_line),
        Some(Command::Load(a)) => load_cmd::run(&a, command_line),
        Some(Command::Compare(a)) => compare_cmd::run(&a),
    };
    exit_code(result)
}

/// A command's exit code, its error chain printed; refused input exits with
/// [`EXIT_BAD_INPUT`].
fn exit_code(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            let bad_input = e.downcast_ref::<ConfigError>().is_some();
            ExitCode::from(if bad_input { EXIT_BAD_INPUT } else { 1 })
        }
    }
}

/// This binary, to run cells in, and the cell timeout.
fn isolation(timeout: std::time::Duration) -> anyhow::Result<Isolation> {
    let exe = std::env::current_exe().context("locating the rtbench binary to run cells in")?;
    Ok(Isolation { exe, timeout })
}

/// `rtbench run` (and a bare `rtbench`): the session, its results on stdout in the format
/// asked for, a summary on stderr, then the claims when a bare `rtbench` asked for them.
fn run(args: &RunArgs, command_line: Vec<String>) -> anyhow::Result<ExitCode> {
    let spec = args.session(isolation(args.cell_timeout)?, command_line);
    let done = suite::session::run(&spec, &mut Progress::default()).map_err(|e| match e {
        SessionError::Config(c) => anyhow::Error::new(c),
        other => anyhow::Error::new(other),
    })?;
    let exporter = args.format.exporter();
    let mut out = io::stdout().lock();
    if args.memory {
        exporter.memory(&mut out, &done.summary)
    } else {
        exporter.run(&mut out, &done.summary)
    }
    .context("writing results to stdout")?;
    drop(out);
    let records = &done.summary.cells;
    let failed = records.iter().filter(|r| !r.ok()).count();
    if failed > 0 {
        eprintln!("{failed} of {} cells failed", records.len());
    }
    let serve = &done.summary.serve;
    let serve_failed = serve.iter().filter(|r| !r.ok()).count();
    if serve_failed > 0 {
        eprintln!("{serve_failed} of {} serve sweeps failed", serve.len());
    }
    let noisy = records.iter().filter(|r| r.noisy).count();
    if noisy > 0 {
        eprintln!(
            "warning: {noisy} cells varied more than 25% between repetitions: the machine is noisy; \
             compare ratios within one run"
        );
    }
    eprintln!("results: {}", done.dir.display());
    if args.then_claims {
        claims_cmd::after_suite(args, &done.summary.machine, &done.dir)?;
    }
    if let Some(loaded) = finish::reload(&done.dir) {
        let page = finish::page(&done.dir, &loaded);
        if args.then_claims {
            finish::answer(&mut io::stdout().lock(), &loaded, page.as_deref())
                .context("writing the answer to stdout")?;
        } else if let Some(p) = page {
            eprintln!("page: {}", p.display());
        }
    }
    let wrong_answers = serve
        .iter()
        .any(|r| r.load.as_ref().is_some_and(|l| l.wrong_checksums() > 0));
    Ok(
        if records.iter().any(|r| r.failed_verification()) || wrong_answers {
            ExitCode::from(EXIT_VERIFICATION)
        } else {
            ExitCode::SUCCESS
        },
    )
}
