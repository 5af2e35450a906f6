//! `rtbench claims`: run each selected claim's experiment, print the verdicts, and write
//! claims.json into the results folder.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::args::{ClaimsArgs, Format};
use crate::claims::{self, ClaimResult, Lab};
use crate::measure::available_cores;
use crate::report::write_claims_table;
use crate::results::{ClaimsFile, Machine, write_atomic};
use crate::suite::Isolation;

pub fn run(args: &ClaimsArgs, command_line: Vec<String>) -> anyhow::Result<ExitCode> {
    let selected = claims::select(&args.only).map_err(|e| super::args::bad_input(e.to_string()))?;
    let exe = std::env::current_exe().context("locating the rtbench binary to run cells in")?;
    let lab = Lab {
        iso: Isolation {
            exe,
            timeout: args.cell_timeout,
        },
        workers: args.workers.unwrap_or_else(available_cores),
        scale: args.scale,
    };
    let machine = Machine::collect(command_line);
    let dir = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("results").join(format!("{}-{}", machine.day(), machine.host_slug()))
    });
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("creating the results folder {}", dir.display()))?;
    let results = run_selected(&selected, &lab, &dir, machine, args.python)?;
    let mut out = io::stdout().lock();
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&results)?)?,
        Format::Table | Format::Csv => write_claims_table(&mut out, &results)?,
    }
    eprintln!("claims: {}", dir.join("claims.json").display());
    let failed = results.iter().filter(|r| r.error.is_some()).count();
    Ok(if failed > 0 {
        eprintln!("{failed} claims could not be measured");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs the claims one by one with progress on stderr, rewriting claims.json after each.
pub fn run_selected(
    selected: &[&claims::Claim],
    lab: &Lab,
    dir: &Path,
    machine: Machine,
    python: bool,
) -> anyhow::Result<Vec<ClaimResult>> {
    let mut file = ClaimsFile {
        schema_version: crate::results::SCHEMA_VERSION,
        machine,
        claims: Vec::new(),
    };
    let path = dir.join("claims.json");
    for (i, claim) in selected.iter().enumerate() {
        let mut err = io::stderr().lock();
        write!(err, "[{}/{}] {} ... ", i + 1, selected.len(), claim.id)?;
        err.flush()?;
        drop(err);
        let r = claims::run(claim, lab);
        match (&r.verdict, &r.error) {
            (Some(v), _) => eprintln!("{v} ({:.1}s)", r.seconds),
            (None, Some(e)) => eprintln!("NOT MEASURED: {e}"),
            (None, None) => eprintln!("no verdict"),
        }
        file.claims.push(r);
        save(&path, &file)?;
    }
    if python {
        add_python(&mut file.claims, lab.scale);
        save(&path, &file)?;
    }
    Ok(file.claims)
}

fn save(path: &Path, file: &ClaimsFile) -> anyhow::Result<()> {
    let mut json = serde_json::to_vec_pretty(file)?;
    json.push(b'\n');
    write_atomic(path, &json).with_context(|| format!("writing {}", path.display()))
}

/// The Python column: the project's scripts in CPython, judged by each claim's rule. With
/// no python3 on PATH, a notice and the Rust-only results.
fn add_python(results: &mut [ClaimResult], scale: f64) {
    let Some(python) = claims::python::find_python() else {
        eprintln!("note: no python3 on PATH: the Python column is left out");
        return;
    };
    let ids: Vec<&str> = results.iter().map(|r| r.id.as_str()).collect();
    let mut columns = claims::python::measure(&python, &ids, scale, PYTHON_TIMEOUT);
    for r in results.iter_mut() {
        r.python = columns.remove(&r.id);
    }
}

/// Each Python script's time limit (they take well under a minute at the default scale).
const PYTHON_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// After the quick suite: every claim at the default scale, claims.json beside the suite's
/// files, and the verdicts in a short table.
pub fn after_suite(args: &super::RunArgs, machine: &Machine, dir: &Path) -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("locating the rtbench binary to run cells in")?;
    let lab = Lab {
        iso: Isolation {
            exe,
            timeout: args.cell_timeout,
        },
        workers: args.workers.unwrap_or_else(available_cores),
        scale: DEFAULT_SCALE,
    };
    eprintln!("checking the notes' claims (rtbench claims for the details) ...");
    let results = run_selected(&claims::all(), &lab, dir, machine.clone(), false)?;
    let mut out = io::stdout().lock();
    writeln!(out)?;
    crate::report::write_verdicts(&mut out, &results)?;
    eprintln!("claims: {}", dir.join("claims.json").display());
    Ok(())
}

/// The notes' 1 s runs as 20 ms.
pub const DEFAULT_SCALE: f64 = 0.02;
