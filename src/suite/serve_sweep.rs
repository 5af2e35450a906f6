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
use crate::measure::affinity;
use crate::measure::memory::children_of;
use crate::measure::priority::{FIFO_PRIORITY, RealtimeGuard};
use crate::measure::process_tree::{OthersSample, TreeSample, reset_peaks, sample_tree};
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
    /// How many times each model is swept, every model once before any is swept again, so
    /// each meets the machine's slower and faster spells alike; its knee is read across them.
    pub repetitions: u32,
}

/// The server's niceness when it shares CPUs with the generator and the generator's thread
/// may not take the real-time policy (no CAP_SYS_NICE or RLIMIT_RTPRIO). Measured on 2
/// shared CPUs, thread per connection, 512 connections: at niceness 0 the server's threads
/// waking together held the generator's thread off a CPU (lag p99 14 ms at 4,500/s, 32 ms
/// at 6,400/s), invalidating rates the server met; at +5, 8.7 and 36 ms (the kernel's
/// autogroup puts both in one group, where +5 weighs little); at +19, 0.48 and 2.5 ms. But
/// +19 raises the server's own tail (threads at 6,000/s: p99 10.3 ms at 0, 31-55 ms at
/// +19), so it is the fallback only, and the record says which was used.
pub const SHARED_SERVER_NICE: i32 = 19;

/// CPUs the rest of the machine may keep busy during a rate before the rate is invalid:
/// their CPU is taken from the server, and its knee would measure them. (Measured: two
/// quick sweeps with a compiler building beside them put tokio's knee at 1,600 and
/// 3,200/s against 6,979/s alone.) The kernel's interrupt and softirq time is not counted:
/// on loopback it is mostly the sweep's own packets.
pub const MAX_BACKGROUND_CORES: f64 = 0.25;

/// Where the server and the generator go: pinned apart (the generator on the last CPU)
/// with four CPUs or more. On fewer, both share them, as pinning would leave the server
/// too few; the generator's thread then takes the real-time policy (SCHED_FIFO, lowest
/// priority) where the OS allows, so it gets a CPU first when both want one and the server
/// runs as it would alone; else the server is niced ([`SHARED_SERVER_NICE`]). Either way
/// the generator's CPU and lag are recorded at every rate.
pub fn placement() -> Placement {
    let cpus = affinity::allowed_cpus().unwrap_or_default();
    if cpus.len() >= 4 {
        let (server, generator) = cpus.split_at(cpus.len() - 1);
        return Placement {
            server_cpus: server.to_vec(),
            generator_cpus: generator.to_vec(),
            pinned: true,
            server_nice: 0,
            generator_realtime: false,
            why: format!(
                "{} CPUs: the generator pinned to the last, the server to the rest, so neither takes the other's time",
                cpus.len()
            ),
        };
    }
    let shared = format!(
        "{} CPUs: pinning apart would leave the server {}; both share them",
        cpus.len(),
        cpus.len().saturating_sub(1)
    );
    // Tried and given back at once: the sweep takes it again around each run.
    match RealtimeGuard::enter() {
        Ok(_) => Placement {
            server_cpus: cpus.clone(),
            generator_cpus: cpus,
            pinned: false,
            server_nice: 0,
            generator_realtime: true,
            why: format!(
                "{shared}, the generator's thread under SCHED_FIFO (priority {FIFO_PRIORITY}) so it gets a CPU first when both want one while the server runs at niceness 0, as alone; the generator's CPU and lag are recorded at every rate (a rate it could not drive is invalid)"
            ),
        },
        Err(e) => Placement {
            server_cpus: cpus.clone(),
            generator_cpus: cpus,
            pinned: false,
            server_nice: SHARED_SERVER_NICE,
            generator_realtime: false,
            why: format!(
                "{shared}; the OS refused the generator the real-time policy ({e}; it needs CAP_SYS_NICE or an RLIMIT_RTPRIO above 0), so the server runs at niceness +{SHARED_SERVER_NICE} for the generator's thread to get a CPU first, which lengthens the server's own tail; the generator's CPU and lag are recorded at every rate (a rate it could not drive is invalid)"
            ),
        },
    }
}

/// Samples the server around each rate and passes progress on.
struct Sampler<'a> {
    pid: u32,
    before: Option<TreeSample>,
    /// Every other process's CPU when the rate started.
    others_before: Option<OthersSample>,
    server: Vec<TreeSample>,
    background: Vec<f64>,
    progress: &'a mut dyn FnMut(&str),
    label: String,
}

impl Sampler<'_> {
    /// This process and the server's tree: what the background leaves out.
    fn measured(&self) -> Vec<u32> {
        let mut pids = vec![std::process::id(), self.pid];
        pids.extend(children_of(self.pid));
        pids
    }
}

impl LoadObserver for Sampler<'_> {
    fn before_rate(&mut self, _offered: f64) {
        reset_peaks(self.pid);
        self.before = sample_tree(self.pid);
        self.others_before = Some(OthersSample::now(&self.measured()));
    }

    fn after_rate(&mut self, r: &mut RateResult) {
        let after = sample_tree(self.pid).unwrap_or_default();
        let over = after.since(self.before.take().unwrap_or(after));
        self.server.push(over);
        // What the rest of the machine used meanwhile: every process but this one (the
        // generator's) and the server's tree, each read itself.
        let others = OthersSample::now(&self.measured());
        let (background, busiest) = match self.others_before.take() {
            Some(before) if over.wall_seconds > 0.0 => (
                others.since(&before) / over.wall_seconds,
                others.busiest(&before),
            ),
            _ => (0.0, Vec::new()),
        };
        self.background.push(background);
        if background > MAX_BACKGROUND_CORES {
            let named: Vec<String> = busiest
                .iter()
                .take(3)
                .map(|(name, s)| format!("{name} {:.2}", s / over.wall_seconds))
                .collect();
            r.invalidate(format!(
                "other processes kept {background:.2} CPUs busy during the rate (limit {MAX_BACKGROUND_CORES}; busiest: {}): the server's knee would measure them",
                named.join(", ")
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
    repetition: u32,
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
        repetition,
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
    // Taken before anything else changes, so a refusal leaves the thread as it was.
    let realtime = match placement
        .generator_realtime
        .then(RealtimeGuard::enter)
        .transpose()
    {
        Ok(guard) => guard,
        Err(e) => {
            record.error = Some(format!(
                "the generator's thread could not take the real-time policy it was placed with: {e}"
            ));
            return record;
        }
    };
    let allowed = affinity::allowed_cpus().unwrap_or_default();
    if placement.pinned {
        let _ = affinity::pin(&placement.generator_cpus);
    }
    let mut sampler = Sampler {
        pid: server.pid(),
        before: None,
        others_before: None,
        server: Vec::new(),
        background: Vec::new(),
        progress,
        label: if sweep.repetitions > 1 {
            format!(
                "serve {} ({backend_name}, sweep {}/{})",
                model.name(),
                repetition + 1,
                sweep.repetitions
            )
        } else {
            format!("serve {} ({backend_name})", model.name())
        },
    };
    let result = load::run(&spec, &mut sampler);
    drop(realtime);
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
