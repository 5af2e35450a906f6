//! The command line: clap definitions, resolved into a validated [`RunConfig`].
//! Bad input stops here with exit code 2 and a message naming the value and what is accepted.

mod args;

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

pub use args::{Cli, Command, Format, RunArgs};

use crate::report::write_table;
use crate::results::{CellRecord, write_csv, write_json};
use crate::suite::{self, ConfigError, RunConfig};

/// Exit code for input the harness refuses (clap uses the same).
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code when a runtime did not do the work it was given.
pub const EXIT_VERIFICATION: u8 = 1;

/// Parses `args`, runs the command, prints the error chain on failure.
pub fn main<I: IntoIterator<Item = OsString>>(args: I) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    match execute(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            let bad_input = e.downcast_ref::<ConfigError>().is_some();
            ExitCode::from(if bad_input { EXIT_BAD_INPUT } else { 1 })
        }
    }
}

fn execute(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Run(args)) => run(&args),
        None => run(&RunArgs::defaults()),
    }
}

fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let cfg: RunConfig = args.resolve();
    let (cells, skipped) = suite::plan(&cfg)?;
    let mut err = io::stderr().lock();
    for s in &skipped {
        writeln!(err, "note: {s}")?;
    }
    let mut notes: Vec<String> = Vec::new();
    for c in &cells {
        if let Some(n) = c.runtime.note(&c.setup()) {
            if !notes.contains(&n) {
                writeln!(err, "note: {n}")?;
                notes.push(n);
            }
        }
    }
    let mut records: Vec<CellRecord> = Vec::with_capacity(cells.len());
    for (i, cell) in cells.iter().enumerate() {
        write!(err, "[{}/{}] {} ... ", i + 1, cells.len(), cell.label())?;
        err.flush()?;
        let r = suite::run_cell(cell);
        match &r.error {
            None => writeln!(
                err,
                "{} (efficiency {:.2})",
                crate::report::seconds(r.wall_seconds),
                r.efficiency
            )?,
            Some(e) => writeln!(err, "FAILED: {e}")?,
        }
        records.push(r);
    }
    let mut out = io::stdout().lock();
    match args.format {
        Format::Table => write_table(&mut out, &records),
        Format::Json => write_json(&mut out, &records),
        Format::Csv => write_csv(&mut out, &records),
    }
    .context("writing results to stdout")?;
    let failed: Vec<&CellRecord> = records.iter().filter(|r| !r.ok()).collect();
    if !failed.is_empty() {
        writeln!(err, "{} of {} cells failed", failed.len(), records.len())?;
    }
    Ok(if failed.iter().any(|r| r.failed_verification()) {
        ExitCode::from(EXIT_VERIFICATION)
    } else {
        ExitCode::SUCCESS
    })
}
