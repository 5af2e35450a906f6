//! `rtbench serve`: one model's HTTP server, for `rtbench load` or any HTTP load tool.
//! Prints `listening http://ADDR` on stdout once it listens, then serves until stopped.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::args::bad_input;
use super::parse::{parse_count, parse_payload};
use crate::suite::ConfigError;
use crate::suite::serve::{BackendKind, ServeConfig, ServeError, run_server};
use crate::workload::latency::parse_duration;

/// `--backend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendArg {
    /// The model's own timer.
    Timer,
    /// A call to the latency server over TCP (started beside the server).
    Socket,
}

/// Flags of `rtbench serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The concurrency model: tokio, tokio-current-thread, smol, async-std, threads (a thread
    /// per connection), crossbeam-pool (a bounded blocking pool), processes (pre-forked workers).
    #[arg(long, value_name = "MODEL")]
    pub model: String,
    /// Where to listen; port 0 picks a free one (printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Worker threads (async runtimes, default: the cores), pool threads or pre-forked
    /// processes (default 256); threads takes none.
    #[arg(long, value_name = "N", value_parser = parse_count)]
    pub workers: Option<usize>,
    /// Where /task's waits go: the model's timer, or a call to the latency server over TCP.
    #[arg(long, value_enum, default_value = "timer")]
    pub backend: BackendArg,
    /// Bytes of each latency server reply (--backend socket), 8 to 65536.
    #[arg(long, value_name = "BYTES", default_value = "16", value_parser = parse_payload)]
    pub payload: usize,
    /// Self-check only: hold every /task arriving in a window opening this long after start.
    #[arg(long, hide = true, value_name = "D", value_parser = parse_duration, requires = "stall_for")]
    pub stall_after: Option<Duration>,
    /// Self-check only: how long that window stays open.
    #[arg(long, hide = true, value_name = "D", value_parser = parse_duration, requires = "stall_after")]
    pub stall_for: Option<Duration>,
    /// Pin the server (and every thread and process it starts) to these CPUs.
    #[arg(long, hide = true, value_name = "CPU[,CPU..]", value_delimiter = ',')]
    pub cpus: Vec<usize>,
    /// Run the server at this niceness (0 to 19), every thread and process it starts too.
    #[arg(long, hide = true, value_name = "N", value_parser = clap::value_parser!(i32).range(0..=19))]
    pub nice: Option<i32>,
    /// Die with this process (the harness that started the server).
    #[arg(long, hide = true, value_name = "PID")]
    pub parent: Option<i32>,
}

/// Serves until the process is stopped; an error only if it could not start or went down.
pub fn run(args: &ServeArgs, command_line: Vec<String>) -> anyhow::Result<ExitCode> {
    if let Some(parent) = args.parent {
        if !crate::runtime::processes::die_with_parent(parent)? {
            return Ok(ExitCode::FAILURE);
        }
    }
    if let Some(n) = args.nice {
        // SAFETY: sets this process's own niceness; threads and children started after
        // inherit it.
        if unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, n) } != 0 {
            anyhow::bail!("setting niceness {n}: {}", std::io::Error::last_os_error());
        }
    }
    if !args.cpus.is_empty() {
        crate::measure::affinity::pin(&args.cpus)?;
    }
    let cfg = ServeConfig {
        model: args.model.clone(),
        listen: args.listen,
        workers: args.workers,
        backend: match args.backend {
            BackendArg::Timer => BackendKind::Timer,
            BackendArg::Socket => BackendKind::Socket,
        },
        payload: args.payload,
        stall: args.stall_after.zip(args.stall_for),
        command_line,
    };
    let harnessed = args.parent.is_some();
    let waits_on = match cfg.backend {
        BackendKind::Timer => "timer",
        BackendKind::Socket => "latency server over TCP",
    };
    let announce = Box::new(move |addr: SocketAddr, how: String| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening http://{addr}");
        let _ = out.flush();
        // Started by a harness (`--parent`): its address line is all it asked for.
        if !harnessed {
            eprintln!(
                "rtbench serve: {how}, waits on the {waits_on}; try  curl 'http://{addr}/task?wait=10ms&compute=1000&calls=1'  or  http://{addr}/rtbench/info"
            );
        }
    });
    let result = run_server(&cfg, announce);
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(ServeError::Config(ConfigError::Refused(m))) => Err(bad_input(m).into()),
        Err(e) => Err(e.into()),
    }
}
