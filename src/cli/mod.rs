//! The command line: clap definitions, resolved into validated run configurations.
//! Bad input stops here with exit code 2 and a message naming the value and what is accepted.

mod args;
mod cell_child;
mod claims_cmd;
mod report_cmd;

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

pub use args::{ClaimsArgs, Cli, Command, Format, ReportArgs, RunArgs};

use crate::report::{write_memory_table, write_spawn_table, write_table, write_timer_table};
use crate::results::{
    CellRecord, Machine, RawRow, ResultsDir, SCHEMA_VERSION, Summary, write_csv, write_json,
};
use crate::suite::{self, ConfigError, Isolation, Mode, Progress, memory, probes};

/// Exit code for input the harness refuses (clap uses the same).
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code when a runtime did not do the work it was given.
pub const EXIT_VERIFICATION: u8 = 1;

/// Parses `args`, runs the command, prints the error chain on failure.
pub fn main<I: IntoIterator<Item = OsString>>(args: I) -> ExitCode {
    let args: Vec<OsString> = args.into_iter().collect();
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
    let result = match cli.command {
        Some(Command::Run(a)) => run(&a, command_line),
        None => run(&RunArgs::defaults(), command_line),
        Some(Command::Claims(a)) => claims_cmd::run(&a, command_line),
        Some(Command::Report(a)) => report_cmd::run(&a),
        Some(Command::Cell) => cell_child::serve(),
        Some(Command::Worker) => crate::runtime::processes::serve()
            .map(|()| ExitCode::SUCCESS)
            .context("worker process"),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            let bad_input = e.downcast_ref::<ConfigError>().is_some();
            ExitCode::from(if bad_input { EXIT_BAD_INPUT } else { 1 })
        }
    }
}

fn run(args: &RunArgs, command_line: Vec<String>) -> anyhow::Result<ExitCode> {
    if args.memory {
        return run_memory(args, command_line);
    }
    let mut cells = Vec::new();
    let mut skipped = Vec::new();
    for cfg in args.configs() {
        let (c, s) = suite::plan(&cfg)?;
        cells.extend(c);
        skipped.extend(s);
    }
    let mut err = io::stderr().lock();
    if args.profile.is_some() && !skipped.is_empty() {
        writeln!(
            err,
            "note: {} cells skipped (listed in summary.json)",
            skipped.len()
        )?;
    } else {
        for s in &skipped {
            writeln!(err, "note: {s}")?;
        }
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
    drop(err);

    let (store, mut summary) = open_results(args, command_line, skipped)?;
    let mut raw: Vec<RawRow> = Vec::new();
    let iso = isolation(args)?;
    if args.profile.is_some() {
        probe_runtimes(&args.resolve(), &iso, &store, &mut summary)?;
    }
    let iso_for_memory = iso.clone();
    let mode = Mode::Isolated(iso);
    let mut progress = Progress::new(&cells);
    for cell in &cells {
        progress.start(cell);
        let result = suite::run_cell(cell, &mode);
        progress.finish(cell, &result.record);
        summary.cells.push(result.record);
        raw.extend(result.raw);
        save(&store, &summary, &raw)?;
    }
    progress.close();
    if args.profile.is_some() {
        memory_pass(&args.resolve(), &iso_for_memory, &store, &mut summary, &raw)?;
    }
    summary.complete = true;
    save(&store, &summary, &raw)?;

    let records = &summary.cells;
    let mut out = io::stdout().lock();
    match args.format {
        Format::Table => write_table(&mut out, records),
        Format::Json => write_json(&mut out, records),
        Format::Csv => write_csv(&mut out, records),
    }
    .context("writing results to stdout")?;
    if args.format == Format::Table && !summary.timers.is_empty() {
        writeln!(out)?;
        write_timer_table(&mut out, &summary.timers)?;
        writeln!(out)?;
        write_spawn_table(&mut out, &summary.spawn)?;
    }
    let failed: Vec<&CellRecord> = records.iter().filter(|r| !r.ok()).collect();
    let mut err = io::stderr().lock();
    if !failed.is_empty() {
        writeln!(err, "{} of {} cells failed", failed.len(), records.len())?;
    }
    let noisy = records.iter().filter(|r| r.noisy).count();
    if noisy > 0 {
        writeln!(
            err,
            "warning: {noisy} cells varied more than 25% between repetitions: the machine is noisy; \
             compare ratios within one run"
        )?;
    }
    writeln!(err, "results: {}", store.path().display())?;
    drop(err);
    if args.then_claims {
        claims_cmd::after_suite(args, &summary.machine, store.path())?;
    }
    Ok(if failed.iter().any(|r| r.failed_verification()) {
        ExitCode::from(EXIT_VERIFICATION)
    } else {
        ExitCode::SUCCESS
    })
}

/// The memory pass: every chosen model at growing sizes; a size that fails (the OS thread
/// limit) ends that model and is recorded; the run still exits 0.
fn run_memory(args: &RunArgs, command_line: Vec<String>) -> anyhow::Result<ExitCode> {
    let cfg = args.resolve();
    let (store, mut summary) = open_results(args, command_line, Vec::new())?;
    let iso = isolation(args)?;
    memory_pass(&cfg, &iso, &store, &mut summary, &[])?;
    let mut err = io::stderr().lock();
    summary.complete = true;
    save(&store, &summary, &[])?;
    let mut out = io::stdout().lock();
    match args.format {
        Format::Table => write_memory_table(&mut out, &summary.memory, &summary.memory_models),
        Format::Json => {
            let doc =
                serde_json::json!({ "memory": summary.memory, "models": summary.memory_models });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)
        }
        Format::Csv => write_csv(&mut out, &summary.memory),
    }
    .context("writing results to stdout")?;
    writeln!(err, "results: {}", store.path().display())?;
    Ok(ExitCode::SUCCESS)
}

/// The memory pass over every chosen model with an idle unit, growing sizes until the
/// largest or the first failure; each size is saved as it finishes.
fn memory_pass(
    cfg: &suite::RunConfig,
    iso: &Isolation,
    store: &ResultsDir,
    summary: &mut Summary,
    raw: &[RawRow],
) -> anyhow::Result<()> {
    let mut err = io::stderr().lock();
    for &rt in &cfg.runtimes {
        let Some(sizes) = memory::sizes(rt) else {
            let why = format!(
                "memory pass, {}: no idle unit of its own (a pool's unit is a thread: see threads)",
                rt.name()
            );
            writeln!(err, "note: skipped {why}")?;
            summary.skipped.push(why);
            continue;
        };
        let mut records = Vec::new();
        for &units in sizes {
            write!(err, "memory {} x{units} ... ", rt.name())?;
            err.flush()?;
            let r = memory::measure(rt, units, cfg.workers, iso);
            match &r.error {
                None => writeln!(err, "{:.0} B resident per unit", r.rss_per_unit_bytes)?,
                Some(e) => writeln!(err, "FAILED: {e}")?,
            }
            let failed = r.error.is_some();
            records.push(r.clone());
            summary.memory.push(r);
            save(store, summary, raw)?;
            if failed {
                break;
            }
        }
        summary.memory_models.push(memory::model(rt, &records));
        save(store, summary, raw)?;
    }
    Ok(())
}

/// Each runtime's sleep(1ms) and sleep(10ms), and its cost to spawn and join an empty
/// unit, before the cells (profiles only).
fn probe_runtimes(
    cfg: &suite::RunConfig,
    iso: &Isolation,
    store: &ResultsDir,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let mut err = io::stderr().lock();
    write!(err, "timer and spawn probes ...")?;
    for &rt in &cfg.runtimes {
        for requested in probes::TIMER_SLEEPS {
            summary
                .timers
                .push(probes::timer(rt, requested, cfg.workers, iso));
        }
        summary.spawn.push(probes::spawn(rt, cfg.workers, iso));
        write!(err, " {}", rt.name())?;
        err.flush()?;
        save(store, summary, &[])?;
    }
    writeln!(err)?;
    Ok(())
}

fn isolation(args: &RunArgs) -> anyhow::Result<Isolation> {
    let exe = std::env::current_exe().context("locating the rtbench binary to run cells in")?;
    Ok(Isolation {
        exe,
        timeout: args.cell_timeout,
    })
}

/// Creates the results folder and the summary every cell will be added to.
fn open_results(
    args: &RunArgs,
    command_line: Vec<String>,
    skipped: Vec<String>,
) -> anyhow::Result<(ResultsDir, Summary)> {
    let machine = Machine::collect(command_line);
    let dir = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("results").join(format!("{}-{}", machine.day(), machine.host_slug()))
    });
    let store = ResultsDir::create(&dir)
        .with_context(|| format!("creating the results folder {}", dir.display()))?;
    let profile = match (args.memory, args.profile) {
        (true, _) => "memory",
        (false, Some(p)) => p.name(),
        (false, None) => "custom",
    };
    let summary = Summary {
        schema_version: SCHEMA_VERSION,
        profile: profile.into(),
        complete: false,
        machine,
        skipped,
        cells: Vec::new(),
        memory: Vec::new(),
        memory_models: Vec::new(),
        timers: Vec::new(),
        spawn: Vec::new(),
    };
    save(&store, &summary, &[])?;
    Ok((store, summary))
}

fn save(store: &ResultsDir, summary: &Summary, raw: &[RawRow]) -> anyhow::Result<()> {
    store
        .write(summary, raw)
        .with_context(|| format!("writing results to {}", store.path().display()))
}
