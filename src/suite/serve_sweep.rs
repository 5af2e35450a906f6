//! `run --workload serve`: for each model (and backend), `rtbench serve` started in a
//! process of its own, the load generator on a thread of this one, an offered-rate sweep to
//! the knee, and the server process sampled around each rate. Each model's record is handed
//! on as soon as it is measured (the session saves it), and its server is killed whatever
//! happened.

use std::path::Path;
use std::time::Duration;

use super::serve::{BackendKind, ServerProcess};
use crate::http::TaskQuery;
use crate::load::{self, AutoSearch, LoadObserver, LoadSpec, RateResult, Rates, TargetUrl};
use crate::measure::Usage;
use crate::measure::affinity;
use crate::measure::process_tree::{TreeSample, machine_busy_seconds, reset_peaks, sample_tree};
use crate::results::{Placement, ServeRecord};
use crate::runtime::{Model, Runtime};
use crate::units;

/// What a serve sweep measures.
#[derive(Clone)]
pub struct ServeSweep {
    /// The models, in order (runtimes that can serve).
    pub models: Vec<&'static dyn Runtime>,
    /// The backends, each model swept on each.
    pub backends: Vec<BackendKind>,
    /// Every request's query (each gets its own id).
    pub handler: TaskQuery,
    /// The generator's keep-alive connections; also the blocking pool's and pre-forked
    /// processes' workers, so no connection waits unserved behind another.
    pub connections: usize,
    /// The async runtimes' worker threads.
    pub async_workers: usize,
    /// Each rate's measured window.
    pub duration: Duration,
    /// Each rate's warm-up.
    pub warmup: Duration,
    /// The latency objective on corrected p99.
    pub slo: Duration,
    /// The auto search's steps.
    pub search: AutoSearch,
}

/// The server's niceness when it shares CPUs with the generator. Measured on 2 shared CPUs,
/// thread per connection, 512 connections: at niceness 0 the server's threads waking
/// together held the generator's thread off a CPU for lag p99 of 14 ms at 4,500/s and
/// 32 ms at 6,400/s, invalidating rates the server met (the async runtimes were hardly
/// touched, so the blocking models' knees were the generator's); at +5, 8.7 and 36 ms (the
/// kernel's autogroup puts both in one group, where +5 weighs little); at +19, 0.48 and
/// 2.5 ms, with the server's own p99 as before (30-37 ms). The server keeps every cycle
/// the generator does not use (it used under a quarter of one CPU).
///
/// Open (issue 15): those niceness-0 figures were the first windows after 512 connections
/// opened; inside one load run the lag fell to 12-29 µs by the third window, and +19
/// itself raised the server's p99 (threads at 6,000/s: 10.3 ms at 0, 31-55 ms at +19).
/// The knee's run-to-run spread on this machine likely comes from here; to be measured
/// again before this value is kept.
pub const SHARED_SERVER_NICE: i32 = 19;

/// CPUs the rest of the machine may keep busy during a rate before the rate is invalid:
/// with the server niced below every other process, their CPU is taken from the server
/// first, and its knee would measure them. (Measured: two quick sweeps with a compiler
/// building beside them put tokio's knee at 1,600 and 3,200/s against 6,979/s alone.)
pub const MAX_BACKGROUND_CORES: f64 = 0.25;

/// Where the server and the generator go: pinned apart (the generator on the last CPU)
/// with four CPUs or more; on fewer, both share them, as pinning would leave the server
/// too few, the server niced ([`SHARED_SERVER_NICE`]), and the generator's CPU and lag
/// are recorded at every rate.
pub fn placement() -> Placement {
    let cpus = affinity::allowed_cpus().unwrap_or_default();
    if cpus.len() >= 4 {
        let (server, generator) = cpus.split_at(cpus.len() - 1);
        Placement {
            server_cpus: server.to_vec(),
            generator_cpus: generator.to_vec(),
            pinned: true,
            server_nice: 0,
            why: format!(
                "{} CPUs: the generator pinned to the last, the server to the rest, so neither takes the other's time",
                cpus.len()
            ),
        }
    } else {
        Placement {
            server_cpus: cpus.clone(),
            generator_cpus: cpus.clone(),
            pinned: false,
            server_nice: SHARED_SERVER_NICE,
            why: format!(
                "{} CPUs: pinning apart would leave the server {}; both share them, the server at niceness +{SHARED_SERVER_NICE} so the generator's thread gets a CPU first when both want one, and the generator's CPU and lag are recorded at every rate (a rate it could not drive is invalid)",
                cpus.len(),
                cpus.len().saturating_sub(1)
            ),
        }
    }
}

/// Samples the server around each rate and passes progress on.
struct Sampler<'a> {
    pid: u32,
    before: Option<TreeSample>,
    /// The machine's busy CPU and this process's CPU when the rate started.
    busy_before: Option<(f64, f64)>,
    server: Vec<TreeSample>,
    background: Vec<f64>,
    progress: &'a mut dyn FnMut(&str),
    label: String,
}

impl LoadObserver for Sampler<'_> {
    fn before_rate(&mut self, _offered: f64) {
        reset_peaks(self.pid);
        self.before = sample_tree(self.pid);
        self.busy_before = machine_busy_seconds().map(|b| {
            (b, {
                let u = Usage::now();
                u.user_seconds + u.sys_seconds
            })
        });
    }

    fn after_rate(&mut self, r: &mut RateResult) {
        let after = sample_tree(self.pid).unwrap_or_default();
        let over = after.since(self.before.take().unwrap_or(after));
        self.server.push(over);
        // What the rest of the machine used meanwhile: every CPU's busy time less the
        // server's and this process's (the generator's).
        let background = match (self.busy_before.take(), machine_busy_seconds()) {
            (Some((busy, mine)), Some(busy_now)) if over.wall_seconds > 0.0 => {
                let others = busy_now
                    - busy
                    - over.cpu_seconds
                    - ({
                        let u = Usage::now();
                        u.user_seconds + u.sys_seconds
                    } - mine);
                (others / over.wall_seconds).max(0.0)
            }
            _ => 0.0,
        };
        self.background.push(background);
        if background > MAX_BACKGROUND_CORES {
            r.invalidate(format!(
                "other processes kept {background:.2} CPUs busy during the rate (limit {MAX_BACKGROUND_CORES}): the server, niced below them, measured them"
            ));
        }
        let line = format!(
            "{}: {} offered, {} achieved, p99 {} corrected / {} uncorrected, server {:.0}% of a core, {}",
            self.label,
            units::per_second(r.offered),
            units::per_second(r.achieved),
            units::seconds(r.corrected.p99),
            units::seconds(r.uncorrected.p99),
            100.0 * over.cores_busy(),
            r.status()
        );
        (self.progress)(&line);
    }

    fn progress(&mut self, line: &str) {
        let line = format!("{}: {line}", self.label);
        (self.progress)(&line);
    }
}

/// The workers `model` is started with.
fn workers(sweep: &ServeSweep, model: &dyn Runtime) -> Option<usize> {
    match model.model() {
        Model::Threads => None,
        Model::Async => Some(sweep.async_workers),
        _ => Some(sweep.connections),
    }
}

/// Sweeps one model on one backend; never fails: a failure is the record's `error`.
pub fn sweep_model(
    exe: &Path,
    sweep: &ServeSweep,
    model: &'static dyn Runtime,
    backend: BackendKind,
    progress: &mut dyn FnMut(&str),
) -> ServeRecord {
    let placement = placement();
    let workers = super::serve::workers_for(model, workers(sweep, model));
    let backend_name = match backend {
        BackendKind::Timer => "timer",
        BackendKind::Socket => "socket",
    };
    let mut record = ServeRecord {
        model: model.name().into(),
        kind: model.model(),
        legacy: model.legacy(),
        workers,
        backend: backend_name.into(),
        handler: sweep
            .handler
            .target()
            .split("&id=")
            .next()
            .unwrap_or_default()
            .into(),
        placement: placement.clone(),
        idle: None,
        load: None,
        server: Vec::new(),
        background_cores: Vec::new(),
        error: None,
    };
    let mut extra = vec!["--backend".to_string(), backend_name.to_string()];
    if let Some(n) = workers.filter(|_| model.model() != Model::Threads) {
        extra.extend(["--workers".to_string(), n.to_string()]);
    }
    if placement.server_nice != 0 {
        extra.extend(["--nice".to_string(), placement.server_nice.to_string()]);
    }
    if placement.pinned {
        let cpus: Vec<String> = placement
            .server_cpus
            .iter()
            .map(|c| c.to_string())
            .collect();
        extra.extend(["--cpus".to_string(), cpus.join(",")]);
    }
    let server = match ServerProcess::start(exe, model.name(), &extra) {
        Ok(s) => s,
        Err(e) => {
            record.error = Some(e.to_string());
            return record;
        }
    };
    record.idle = sample_tree(server.pid());
    let target: TargetUrl = match format!("http://{}{}", server.addr(), record.handler).parse() {
        Ok(t) => t,
        Err(e) => {
            record.error = Some(e.to_string());
            return record;
        }
    };
    let mut spec = LoadSpec::new(target, Rates::Auto);
    spec.duration = sweep.duration;
    spec.warmup = sweep.warmup;
    spec.connections = sweep.connections;
    spec.slo = sweep.slo;
    spec.search = sweep.search;
    let allowed = affinity::allowed_cpus().unwrap_or_default();
    if placement.pinned {
        let _ = affinity::pin(&placement.generator_cpus);
    }
    let mut sampler = Sampler {
        pid: server.pid(),
        before: None,
        busy_before: None,
        server: Vec::new(),
        background: Vec::new(),
        progress,
        label: format!("serve {} ({backend_name})", model.name()),
    };
    let result = load::run(&spec, &mut sampler);
    if placement.pinned {
        let _ = affinity::pin(&allowed);
    }
    record.server = sampler.server;
    record.background_cores = sampler.background;
    let busiest = record.background_cores.iter().copied().fold(0.0, f64::max);
    match result {
        Ok(report) => {
            if report.wrong_checksums() > 0 {
                record.error = Some(format!(
                    "{} answers carried a checksum that is not their request's: the server did not do the work",
                    report.wrong_checksums()
                ));
            } else if busiest > MAX_BACKGROUND_CORES {
                // A search steered by rates the machine spoiled finds a knee of its own
                // making: the sweep fails, loudly, rather than publish it.
                record.error = Some(format!(
                    "the machine was busy: other processes kept up to {busiest:.2} CPUs busy during a rate (limit {MAX_BACKGROUND_CORES}); rerun on an idle machine"
                ));
            }
            record.load = Some(report);
        }
        Err(e) => record.error = Some(e.to_string()),
    }
    drop(server);
    record
}
