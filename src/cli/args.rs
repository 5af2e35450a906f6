//! Flag definitions and the parsers that turn each into a checked value.
//!
//! The doc comments on flags are clap's `--help` text, written for a terminal
//! (`<YYYY-MM-DD>`, `[:MEDIAN]`), not for rustdoc.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

pub use super::parse::{RuntimeSel, ServeSel, Steps, WorkloadSel};
use super::parse::{
    parse_count, parse_count_u32, parse_payload, parse_repeat, parse_rounds, parse_runtimes,
    parse_scale, parse_steps, parse_sweeps, parse_timeout, parse_warmup, parse_whole,
    parse_workloads, workload_help,
};
use crate::limit::Limit;
use crate::measure::available_cores;
pub use crate::report::export::Format;
use crate::runtime::Variant;
use crate::suite::{Fault, Isolation, Profile, RunConfig, SessionSpec};
use crate::workload::{Latency, WorkloadKind, WorkloadSpec};

#[derive(Debug, Parser)]
#[command(
    name = "rtbench",
    version,
    about = "Threads vs async vs processes, measured on this machine",
    long_about = "Runs one workload model (simulated I/O waits, factorial computation, or both) on \
                  every common Rust concurrency model and measures wall time against the ideal, \
                  throughput, CPU time and context switches, each cell in its own process. \
                  With no command: `run --profile quick`."
)]
/// The command line.
pub struct Cli {
    /// The command; none runs the quick profile and the claims.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run workloads on runtimes, one cell per runtime x workload, and print the results.
    Run(Box<RunArgs>),
    /// Check the notes' claims (C01-C17) on this machine: each gets measured numbers and a verdict.
    Claims(ClaimsArgs),
    /// Charts (and BENCHMARK.md sections) from a results folder; reads it, never runs work.
    Report(ReportArgs),
    /// An HTTP/1.1 server in one concurrency model, for `rtbench load` or any HTTP load tool.
    Serve(super::serve_cmd::ServeArgs),
    /// Open-loop HTTP/1.1 load on a server at offered rates: corrected and uncorrected latency, the knee.
    Load(Box<super::load_cmd::LoadArgs>),
    /// Two or more results folders cell by cell: B/A of the medians with intervals, faster/slower/same, machine differences.
    Compare(super::compare_cmd::CompareArgs),
}

/// Flags of `rtbench run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Runtimes, comma-separated, or `all`.
    #[arg(long, value_name = "R[,R..]|all", default_value = "all", value_parser = parse_runtimes)]
    pub runtime: RuntimeSel,
    /// Workloads, comma-separated, or `all`; the help lists each from the registry.
    #[arg(
        long,
        value_name = "W[,W..]|all",
        default_value = "all",
        value_parser = parse_workloads,
        help = workload_help()
    )]
    pub workload: WorkloadSel,
    /// Tasks per cell.
    #[arg(long, value_name = "N", default_value = "100", value_parser = parse_count)]
    pub tasks: usize,
    /// Calls per task: simulated waits for `io`, requests to the latency server for `net`.
    #[arg(long, value_name = "N", default_value = "1", value_parser = parse_count_u32)]
    pub calls: u32,
    /// Bytes of each reply of the latency server, for `net` (8 to 65536).
    #[arg(long, value_name = "BYTES", default_value = "16", value_parser = parse_payload)]
    pub payload: usize,
    /// Latency of each wait: 10ms (or fixed:10ms), uniform:5ms..15ms or longtail[:MEDIAN].
    #[arg(long, value_name = "SPEC", default_value = "10ms")]
    pub latency: Latency,
    /// n of the factorial each `cpu` task (and each `mixed` step) computes.
    #[arg(long, value_name = "N", default_value = "3000", value_parser = parse_count_u32)]
    pub compute: u32,
    /// Steps per `mixed` task, cycled over tasks (the notes' example: 10,4,6).
    #[arg(long, value_name = "N[,N..]", default_value = "10,4,6", value_parser = parse_steps)]
    pub steps: Steps,
    /// A labelled variant on the async runtimes: the anti-patterns await-each (no spawn,
    /// awaited one by one) and blocking-sleep (std::thread::sleep inside tasks), and the fix
    /// spawn-blocking (the blocking call on the runtime's blocking pool).
    #[arg(long, value_name = "V", default_value = "normal")]
    pub variant: Variant,
    /// Concurrency limit: unbounded, semaphore:N, batches:N or pool:N.
    #[arg(long, value_name = "SPEC", default_value = "unbounded")]
    pub limit: Limit,
    /// Worker threads for runtimes with a pool [default: available parallelism].
    #[arg(long, value_name = "N", value_parser = parse_count)]
    pub workers: Option<usize>,
    /// Seed for the plans (latency draws).
    #[arg(long, value_name = "N", default_value = "42", value_parser = parse_whole)]
    pub seed: u64,
    /// Untimed runs before the measured one, on the same started runtime.
    #[arg(long, value_name = "N", default_value = "1", value_parser = parse_warmup, allow_hyphen_values = true)]
    pub warmup: usize,
    /// Measured runs per cell, each in a process of its own, the cells of a group taking
    /// turns in a shuffled order: median, min, max and a 95% interval are reported (6 runs
    /// or more give the interval its 95%).
    #[arg(long, value_name = "N", default_value = "6", value_parser = parse_repeat)]
    pub repeat: usize,
    /// Sweeps of each model for `--workload serve` [default: the profile's: quick 1, full 3],
    /// every model swept once before any is swept again; the knee is their median, its
    /// interval from the lowest knee to the highest rate above one that failed.
    #[arg(long, value_name = "N", value_parser = parse_sweeps)]
    pub serve_sweeps: Option<u32>,
    /// Walk a sweep matrix instead of one parameter set (quick: ~11 min, full: ~30 min on 2 cores, serve sweep included).
    #[arg(long, value_enum, conflicts_with_all = ["tasks", "limit", "workers", "latency", "compute", "steps", "calls"])]
    pub profile: Option<Profile>,
    /// A cell that runs longer is killed and fails (e.g. 120s, 500ms).
    #[arg(long, value_name = "DUR", default_value = "120s", value_parser = parse_timeout)]
    pub cell_timeout: Duration,
    /// Memory pass instead of workloads: park idle units (async tasks 10k..1M, threads 1k..
    /// the OS limit) and report resident, heap and virtual bytes per unit.
    #[arg(long, conflicts_with_all = ["profile", "workload", "tasks", "limit"])]
    pub memory: bool,
    /// Only the timer and spawn probes of the chosen runtimes: no cells, no memory pass
    /// (the probes a profile runs first, in seconds).
    #[arg(long, conflicts_with_all = ["profile", "memory", "workload", "tasks", "limit"])]
    pub probes: bool,
    /// Results folder [default: results/<YYYY-MM-DD>-<host>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Output format on stdout (progress goes to stderr).
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Make every cell fail this way (tests of cell isolation).
    #[arg(long, value_enum, hide = true)]
    pub fault: Option<Fault>,
    /// Check the claims after the cells (what a bare `rtbench` does).
    #[arg(skip)]
    pub then_claims: bool,
}

impl RunArgs {
    /// `run --profile quick`, as `rtbench` alone runs it.
    pub fn defaults() -> RunArgs {
        match Cli::parse_from(["rtbench", "run", "--profile", "quick"]).command {
            Some(Command::Run(args)) => RunArgs {
                then_claims: true,
                ..*args
            },
            _ => unreachable!("`run` was given"),
        }
    }

    /// The one run configuration the flags describe.
    pub fn resolve(&self) -> RunConfig {
        RunConfig {
            runtimes: self.runtime.runtimes.clone(),
            runtimes_explicit: !self.runtime.all,
            workloads: self.workload.0.clone(),
            spec: WorkloadSpec {
                kind: WorkloadKind::Io,
                tasks: self.tasks,
                calls: self.calls,
                latency: self.latency,
                compute: self.compute,
                steps: self.steps.0.clone(),
                seed: self.seed,
                payload: self.payload,
            },
            limit: self.limit,
            workers: self.workers.unwrap_or_else(available_cores),
            warmup: self.warmup,
            repeat: self.repeat,
            fault: self.fault,
            max_ideal_seconds: None,
            variant: self.variant,
        }
    }

    /// What the session runs: the memory pass alone (`--memory`), the probes alone
    /// (`--probes`), or the cells, with the probes and the memory pass when a profile is walked.
    pub fn session(&self, iso: Isolation, command_line: Vec<String>) -> SessionSpec {
        let base = self.resolve();
        let (configs, profile) = match (self.memory, self.probes, self.profile) {
            (true, _, _) => (Vec::new(), "memory"),
            (false, true, _) => (Vec::new(), "probes"),
            (false, false, Some(p)) => (self.configs(), p.name()),
            (false, false, None) => (self.configs(), "custom"),
        };
        // A profile's probes and memory pass go with its cells: `--workload serve` alone
        // runs the serve sweep only.
        let cells = !self.workload.0.is_empty();
        let sweep = self.profile.is_some() && !self.memory && cells;
        let serving = self.workload.1 != ServeSel::No && !self.memory && !self.probes;
        let serve = serving.then(|| {
            // Named both ways, a model that cannot serve stays, for the session to refuse
            // with its reason; else such models are left out.
            let keep_refused = self.workload.1 == ServeSel::Named && !self.runtime.all;
            let models = self
                .runtime
                .runtimes
                .iter()
                .copied()
                .filter(|r| keep_refused || r.serve_refusal().is_none())
                .collect();
            let mut sweep = self
                .profile
                .unwrap_or(Profile::Quick)
                .serve_sweep(models, base.workers);
            if let Some(n) = self.serve_sweeps {
                sweep.repetitions = n;
            }
            sweep
        });
        SessionSpec {
            configs: if cells { configs } else { Vec::new() },
            profile: profile.into(),
            probes: (sweep || self.probes).then(|| base.clone()),
            serve,
            memory: (sweep || self.memory).then_some(base),
            iso,
            out: self.out.clone(),
            command_line,
        }
    }

    /// The run configurations: the profile's sweep groups, or the one the flags describe.
    pub fn configs(&self) -> Vec<RunConfig> {
        let base = self.resolve();
        match self.profile {
            None => vec![base],
            Some(p) => p
                .groups(&base)
                .into_iter()
                .map(|mut g| {
                    g.runtimes_explicit = false;
                    g.max_ideal_seconds = Some(p.max_ideal_seconds());
                    g
                })
                .collect(),
        }
    }
}

/// Flags of `rtbench claims`.
#[derive(Debug, Clone, Args)]
pub struct ClaimsArgs {
    /// Only these claims, comma-separated (e.g. C04,C06).
    #[arg(long, value_name = "ID[,ID..]", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Factor on the notes' durations: 0.02 runs 1 s as 20 ms.
    #[arg(long, value_name = "X", default_value = "0.02", value_parser = parse_scale)]
    pub scale: f64,
    /// Rounds of each experiment (each cell once per round, interleaved); verdicts are
    /// judged on the interval of the rounds' median.
    #[arg(long, value_name = "N", default_value_t = crate::claims::ROUNDS, value_parser = parse_rounds)]
    pub rounds: usize,
    /// Worker threads for the runtimes that have a pool [default: available parallelism].
    #[arg(long, value_name = "N", value_parser = parse_count)]
    pub workers: Option<usize>,
    /// A cell that runs longer is killed and fails.
    #[arg(long, value_name = "DUR", default_value = "120s", value_parser = parse_timeout)]
    pub cell_timeout: Duration,
    /// Also measure the notes' patterns in CPython (scripts/python) and add a Python column.
    #[arg(long)]
    pub python: bool,
    /// Folder for claims.json [default: results/<YYYY-MM-DD>-<host>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Output format on stdout (progress goes to stderr).
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// A bad-input error (exit code 2) for values checked after parsing.
pub fn bad_input(message: String) -> crate::suite::ConfigError {
    crate::suite::ConfigError::Refused(message)
}

/// Flags of `rtbench report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Results folders written by `rtbench run` (summary.json; claims.json if `rtbench claims`
    /// ran). With several (e.g. one per machine), the decision and machine sections show a
    /// column per folder and a chart compares them; the other sections are the first's.
    #[arg(value_name = "RESULTS_DIR", num_args = 1.., required = true)]
    pub dirs: Vec<PathBuf>,
    /// With several folders: where the chart across them is written (default: an
    /// `across-machines` folder beside the first).
    #[arg(long, value_name = "DIR")]
    pub across_dir: Option<PathBuf>,
    /// Also write each chart as PNG beside its SVG.
    #[arg(long)]
    pub png: bool,
    /// Rewrite the generated sections of BENCHMARK.md (between its rtbench markers) from this folder.
    #[arg(long)]
    pub update_benchmark: bool,
    /// The BENCHMARK.md to update.
    #[arg(long, value_name = "FILE", default_value = "BENCHMARK.md")]
    pub benchmark: PathBuf,
}
