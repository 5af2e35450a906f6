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
    let results = run_selected(&selected, &lab, &dir, machine)?;
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
        let mut json = serde_json::to_vec_pretty(&file)?;
        json.push(b'\n');
        write_atomic(&path, &json).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(file.claims)
}

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
    let results = run_selected(&claims::all(), &lab, dir, machine.clone())?;
    let mut out = io::stdout().lock();
    writeln!(out)?;
    crate::report::write_verdicts(&mut out, &results)?;
    eprintln!("claims: {}", dir.join("claims.json").display());
    Ok(())
}

/// The notes' 1 s runs as 20 ms.
pub const DEFAULT_SCALE: f64 = 0.02;
