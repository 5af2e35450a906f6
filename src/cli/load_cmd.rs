//! `rtbench load`: the open-loop HTTP load generator's flags, progress on stderr, the
//! results on stdout (a table or JSON) and, with `--out DIR`, DIR/load.json with this
//! machine beside the server's `/rtbench/info`. The work is in `crate::load`.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use super::EXIT_VERIFICATION;
use super::args::bad_input;
use crate::SpecError;
use crate::load::{
    self, Arrivals, LoadError, LoadObserver, LoadReport, LoadSpec, RateResult, Rates, TargetUrl,
};
use crate::report::load::{progress_line, write_load_table};
use crate::results::{Machine, write_atomic};
use crate::workload::latency::parse_duration;

/// Output format of `rtbench load`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LoadFormat {
    /// A line per rate and the knee.
    Table,
    /// The whole result as JSON.
    Json,
}

/// Flags of `rtbench load`.
#[derive(Debug, Clone, Args)]
pub struct LoadArgs {
    /// The server: http://HOST:PORT[/path] [default path: /task?wait=10ms&compute=1000&calls=1].
    #[arg(long, value_name = "URL", value_parser = parse_target)]
    pub target: TargetUrl,
    /// Offered rates in requests per second, comma-separated, or `auto` (x2 from 50/s until
    /// one fails, then bisected to within 10%).
    #[arg(long, value_name = "R[,R..]|auto", value_parser = parse_rates, allow_hyphen_values = true)]
    pub rate: Rates,
    /// The measured window of each rate.
    #[arg(long, value_name = "DUR", default_value = "10s", value_parser = parse_positive)]
    pub duration: Duration,
    /// Keep-alive connections.
    #[arg(long, value_name = "N", default_value = "16", value_parser = parse_connections, allow_hyphen_values = true)]
    pub connections: usize,
    /// The latency objective: corrected p99 at most this.
    #[arg(long, value_name = "DUR", default_value = "50ms", value_parser = parse_positive)]
    pub slo: Duration,
    /// How sends are spaced: uniform (k/R) or poisson (seeded exponential gaps).
    #[arg(long, value_name = "A", default_value = "uniform", value_parser = parse_arrivals)]
    pub arrivals: Arrivals,
    /// Sent before each window, not recorded.
    #[arg(long, value_name = "DUR", default_value = "2s", value_parser = parse_duration_flag)]
    pub warmup: Duration,
    /// A request unanswered this long counts a timeout and its connection is reopened.
    #[arg(long, value_name = "DUR", default_value = "2s", value_parser = parse_positive)]
    pub timeout: Duration,
    /// Output on stdout (progress goes to stderr).
    #[arg(long, value_enum, default_value = "table")]
    pub format: LoadFormat,
    /// Write DIR/load.json: the result, this machine and the server's /rtbench/info.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

fn parse_target(s: &str) -> Result<TargetUrl, LoadError> {
    s.parse()
}

fn parse_rates(s: &str) -> Result<Rates, LoadError> {
    s.parse()
}

fn parse_arrivals(s: &str) -> Result<Arrivals, LoadError> {
    s.parse()
}

fn parse_duration_flag(s: &str) -> Result<Duration, SpecError> {
    parse_duration(s)
}

fn parse_positive(s: &str) -> Result<Duration, SpecError> {
    match parse_duration(s)? {
        d if d.is_zero() => Err(SpecError::new(format!(
            "'{s}' not accepted; accepted: a duration above 0 (e.g. 10s, 50ms)"
        ))),
        d => Ok(d),
    }
}

fn parse_connections(s: &str) -> Result<usize, SpecError> {
    match s.parse::<usize>() {
        Ok(n) if (1..=load::MAX_CONNECTIONS).contains(&n) => Ok(n),
        _ => Err(SpecError::new(format!(
            "'{s}' not accepted; accepted: a whole number of connections from 1 to {}",
            load::MAX_CONNECTIONS
        ))),
    }
}

impl LoadArgs {
    /// The run the flags describe.
    pub fn spec(&self) -> LoadSpec {
        LoadSpec {
            duration: self.duration,
            warmup: self.warmup,
            connections: self.connections,
            slo: self.slo,
            arrivals: self.arrivals,
            timeout: self.timeout,
            ..LoadSpec::new(self.target.clone(), self.rate.clone())
        }
    }
}

/// Progress lines on stderr, one per rate.
struct Progress;

impl LoadObserver for Progress {
    fn before_rate(&mut self, offered: f64) {
        eprintln!("rate {offered}/s: running");
    }

    fn after_rate(&mut self, r: &mut RateResult) {
        eprintln!("{}", progress_line(r));
    }

    fn progress(&mut self, line: &str) {
        eprintln!("{line}");
    }
}

/// What DIR/load.json holds.
#[derive(Serialize)]
struct LoadFile<'a> {
    /// The machine the generator ran on (the server's is in `load.server`).
    machine: &'a Machine,
    load: &'a LoadReport,
}

/// Runs the sweep, prints it, writes DIR/load.json; a wrong checksum exits 1.
pub fn run(args: &LoadArgs, command_line: Vec<String>) -> anyhow::Result<ExitCode> {
    let spec = args.spec();
    let report = load::run(&spec, &mut Progress).map_err(|e| {
        if e.is_bad_input() {
            anyhow::Error::new(bad_input(e.to_string()))
        } else {
            anyhow::Error::new(e)
        }
    })?;
    let mut out = io::stdout().lock();
    match args.format {
        LoadFormat::Table => write_load_table(&mut out, &report),
        LoadFormat::Json => serde_json::to_writer_pretty(&mut out, &report)
            .map_err(io::Error::other)
            .and_then(|()| writeln!(out)),
    }
    .context("writing results to stdout")?;
    drop(out);
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let file = LoadFile {
            machine: &Machine::collect(command_line),
            load: &report,
        };
        let path = dir.join("load.json");
        let json = serde_json::to_vec_pretty(&file).context("serialising load.json")?;
        write_atomic(&path, &json).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("results: {}", path.display());
    }
    let wrong = report.wrong_checksums();
    if wrong > 0 {
        eprintln!(
            "error: {wrong} responses carried a checksum that is not their request's: the server \
             at {} did not do the work asked",
            report.addr
        );
        return Ok(ExitCode::from(EXIT_VERIFICATION));
    }
    Ok(ExitCode::SUCCESS)
}
