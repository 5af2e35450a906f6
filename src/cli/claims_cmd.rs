//! `rtbench claims`: the selected claims measured and judged by the library, their results
//! printed in the format asked for, claims.json written into the results folder.

use std::io;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use super::args::{ClaimsArgs, RunArgs, bad_input};
use crate::claims::{self, DEFAULT_SCALE, Lab, Progress};
use crate::measure::available_cores;
use crate::results::Machine;
use crate::suite::session::default_dir;

/// Runs the claims `--only` names (all by default).
pub fn run(args: &ClaimsArgs, command_line: Vec<String>) -> anyhow::Result<ExitCode> {
    let selected = claims::select(&args.only).map_err(|e| bad_input(e.to_string()))?;
    let mut lab = lab(args.cell_timeout, args.workers, args.scale)?;
    lab.rounds = args.rounds;
    let machine = Machine::collect(command_line);
    let dir = args.out.clone().unwrap_or_else(|| default_dir(&machine));
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("creating the results folder {}", dir.display()))?;
    // Into a run's folder: the run's memory pass is the one every memory figure quotes.
    if let Ok(run) = crate::results::load(&dir) {
        eprintln!(
            "memory figures from the run's memory pass in {} ({} runtimes)",
            dir.display(),
            run.summary.memory_models.len()
        );
        lab.seed_memory(run.summary.memory_models);
    }
    let results = claims::run_all(&selected, &lab, &dir, machine, args.python, &mut Progress)?;
    args.format
        .exporter()
        .claims(&mut io::stdout().lock(), &results)
        .context("writing the claims to stdout")?;
    eprintln!("claims: {}", dir.join("claims.json").display());
    if !dir.join("summary.json").is_file() {
        eprintln!(
            "note: no index.html: {} holds no run (summary.json); `rtbench run --out {}` \
             then `rtbench report {}` gives the page",
            dir.display(),
            dir.display(),
            dir.display()
        );
    } else if let Some(loaded) = super::finish::reload(&dir)
        && let Some(page) = super::finish::page(&dir, &loaded)
    {
        eprintln!("page: {}", page.display());
    }
    let failed = results.iter().filter(|r| r.error.is_some()).count();
    Ok(if failed > 0 {
        eprintln!("{failed} claims could not be measured");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn lab(timeout: std::time::Duration, workers: Option<usize>, scale: f64) -> anyhow::Result<Lab> {
    Ok(Lab::new(
        super::isolation(timeout)?,
        workers.unwrap_or_else(available_cores),
        scale,
    ))
}

/// After the quick suite: every claim at the default scale, claims.json beside the suite's
/// files (the verdicts are printed with the answer at the end).
pub fn after_suite(args: &RunArgs, machine: &Machine, dir: &Path) -> anyhow::Result<()> {
    let lab = lab(args.cell_timeout, args.workers, DEFAULT_SCALE)?;
    if let Ok(run) = crate::results::load(dir) {
        lab.seed_memory(run.summary.memory_models);
    }
    eprintln!("checking the notes' claims (rtbench claims for the details) ...");
    claims::run_all(
        &claims::all(),
        &lab,
        dir,
        machine.clone(),
        false,
        &mut Progress,
    )?;
    eprintln!("claims: {}", dir.join("claims.json").display());
    Ok(())
}
