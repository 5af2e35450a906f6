//! Runtime adapters: how tasks are scheduled. One file per runtime, one line each in
//! [`REGISTRY`]. An adapter is started once per cell (outside the timed region) and then
//! runs the same [`Work`] as every other adapter, timing only spawn-to-last-join.

mod async_driver;
#[cfg(feature = "async-std")]
mod async_std;
pub mod brigade;
pub mod brigade_io;
mod crossbeam_pool;
mod family;
mod model;
pub mod net;
mod probe;
pub mod processes;
mod rayon;
mod sequential;
pub mod serve;
mod service;
mod smol;
mod threads;
mod tokio;
mod tokio_current_thread;

use std::any::Any;
use std::sync::Arc;

use thiserror::Error;

use crate::SpecError;
use crate::limit::Limit;
use crate::measure::Measured;
use crate::measure::memory::Snapshot;
use crate::workload::service::{ServiceOutcome, ServiceSpec};
use crate::workload::{Tally, Work};

use family::{Async, WorkerPool};
pub use model::{Model, SpawnKind, Unit};
pub use probe::{SleepTimes, Spawned, Stamping, empty_jobs};

/// Every runtime, in the order results are shown. Adding one: a file and a line here.
pub static REGISTRY: &[&dyn Runtime] = &[
    &sequential::Sequential,
    &Async(tokio::Tokio),
    &Async(tokio_current_thread::TokioCurrentThread),
    &Async(smol::Smol),
    #[cfg(feature = "async-std")]
    &Async(async_std::AsyncStd),
    &threads::Threads,
    &crossbeam_pool::CrossbeamPool,
    &rayon::Rayon,
    &processes::Processes,
];

/// A labelled way of (mis)using an async runtime, for the claims that are about it. Only
/// async runtimes accept anything but `Normal`; results carry the label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Spawn every task, then join them.
    #[default]
    Normal,
    /// Anti-pattern (C02): no spawn; `for f in futures { f.await }`, one after another.
    AwaitEach,
    /// Anti-pattern (C03): a blocking `std::thread::sleep` inside each task instead of the
    /// runtime's timer; it holds a worker thread for the whole wait.
    BlockingSleep,
    /// The fix (C17): the same blocking call moved to the runtime's blocking pool
    /// (`spawn_blocking`, `smol::unblock`).
    SpawnBlocking,
}

impl Variant {
    /// Every variant.
    pub const ALL: [Variant; 4] = [
        Variant::Normal,
        Variant::AwaitEach,
        Variant::BlockingSleep,
        Variant::SpawnBlocking,
    ];

    /// As users type it.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Normal => "normal",
            Variant::AwaitEach => "await-each",
            Variant::BlockingSleep => "blocking-sleep",
            Variant::SpawnBlocking => "spawn-blocking",
        }
    }
}

impl std::fmt::Display for Variant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

crate::serde_as_text!(Variant);

impl std::str::FromStr for Variant {
    type Err = SpecError;

    fn from_str(s: &str) -> Result<Self, SpecError> {
        Self::ALL.into_iter().find(|v| v.name() == s).ok_or_else(|| {
            SpecError::new(format!(
                "unknown variant '{s}'; accepted: normal, await-each, blocking-sleep, spawn-blocking"
            ))
        })
    }
}

/// What a cell asks of a runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setup {
    /// Worker threads for runtimes that have a pool of them (`--workers`).
    pub workers: usize,
    /// The concurrency limit.
    pub limit: Limit,
    /// Tasks per run.
    pub tasks: usize,
    /// A labelled variant (async runtimes only).
    pub variant: Variant,
}

/// How a runtime will run a cell: OS threads running tasks, and tasks in flight at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// OS threads running tasks.
    pub workers: usize,
    /// Tasks in flight at once.
    pub concurrency: usize,
}

/// A result of one timed run.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// Tasks completed and their checksum.
    pub tally: Tally,
    /// Wall time, and CPU and switches of this process plus any worker processes.
    pub measured: Measured,
    /// Worker processes' memory, for runtimes that have them.
    pub children: Option<ChildMemory>,
}

impl Outcome {
    /// An outcome without worker processes.
    pub fn of(tally: Tally, measured: Measured) -> Outcome {
        Outcome {
            tally,
            measured,
            children: None,
        }
    }
}

/// A run's worker processes, as the process that started them knows them. What they held
/// at once is read from outside, by the parent of the cell's process (`suite`'s watch).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ChildMemory {
    /// Worker processes the run started.
    pub processes: usize,
    /// Each child's own peak resident set (wait4's maxrss, or VmHWM of a live pool worker),
    /// summed: workers of different batches that never lived at once included.
    pub maxrss_sum_bytes: u64,
}

/// A runtime adapter: how it schedules tasks, and the facts results record about it.
pub trait Runtime: Sync {
    /// The name users type and results carry.
    fn name(&self) -> &'static str;

    /// The concurrency model it belongs to; records carry it, so readers never look at
    /// the name to find it.
    fn model(&self) -> Model;

    /// What one of its units is.
    fn unit(&self) -> Unit {
        self.model().unit()
    }

    /// Kept for comparison but discontinued upstream.
    fn legacy(&self) -> bool {
        false
    }

    /// Why this runtime cannot apply `limit`, if it cannot.
    fn refusal(&self, limit: Limit) -> Option<String> {
        let _ = limit;
        None
    }

    /// The unit [`Instance::start_units`] really starts, the spawn probe's `start` figure:
    /// by default the runtime's own unit; none for `sequential` (it starts nothing) and for
    /// a pool that only takes jobs (a job handed to running threads is not a start).
    fn start_unit(&self) -> Option<Unit> {
        match self.model() {
            Model::Sequential | Model::ThreadPool => None,
            model => Some(model.unit()),
        }
    }

    /// Whether it runs jobs on a pool already running ([`Instance::submit_jobs`], started
    /// under `pool:N`), the spawn probe's `job` figure: the thread pools do.
    fn takes_jobs(&self) -> bool {
        self.model() == Model::ThreadPool
    }

    /// The spawn probe's figures this runtime has: `start` if it starts units, `job` if it
    /// takes jobs.
    fn spawn_kinds(&self) -> Vec<SpawnKind> {
        let has = |kind| match kind {
            SpawnKind::Start => self.start_unit().is_some(),
            SpawnKind::Job => self.takes_jobs(),
        };
        SpawnKind::ALL.into_iter().filter(|&k| has(k)).collect()
    }

    /// Whether this runtime has the labelled variants (async runtimes do).
    fn has_variants(&self) -> bool {
        false
    }

    /// Workers and concurrency for this setup (a limit this runtime refuses is never asked).
    fn shape(&self, setup: &Setup) -> Shape;

    /// A one-line note on how `--workers` and the limit map onto this runtime.
    fn note(&self, setup: &Setup) -> Option<String> {
        let _ = setup;
        None
    }

    /// Builds the runtime (thread pools, executors) for this setup; not timed.
    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, RuntimeError>;

    /// Why this runtime makes no sense as a server (`rtbench serve`), if it does not.
    fn serve_refusal(&self) -> Option<String> {
        None
    }
}

/// A started runtime: can run the same work several times (warm-up, repetitions).
pub trait Instance {
    /// Runs the work once, timing spawn to last join: what an adapter writes. Callers use
    /// [`Instance::run`], which also reports a task's failure.
    fn run_work(&mut self, work: &Arc<Work>) -> Result<Outcome, RuntimeError>;

    /// Runs the work once, timing spawn to last join; a task's failure (an OS refusal, the
    /// latency server gone) is the run's error, named, not a wrong checksum.
    fn run(&mut self, work: &Arc<Work>) -> Result<Outcome, RuntimeError> {
        let outcome = self.run_work(work);
        match work.take_failure() {
            Some(failure) => Err(RuntimeError::Task(failure)),
            None => outcome,
        }
    }

    /// `rtbench serve`: serves HTTP on `listener` ([`serve`]) until the process ends,
    /// calling `ready` once it can take connections (every pre-forked worker in its accept
    /// loop); returns only with the error that stopped it. A runtime with no server says why
    /// ([`Runtime::serve_refusal`]) before it is started.
    fn serve(
        &mut self,
        listener: std::net::TcpListener,
        ctx: Arc<crate::http::ServeCtx>,
        ready: serve::Ready,
    ) -> Result<(), RuntimeError> {
        let _ = (listener, ctx, ready);
        Err(RuntimeError::Unsupported(
            "this runtime has no server".into(),
        ))
    }

    /// Claims C06/C15: calls against the rate-limited service behind a client limiter: the
    /// in-process model, or with `server` the latency server in capacity mode over TCP
    /// (callers go through [`net::service`], which starts it and checks its counts).
    fn service(
        &mut self,
        spec: &ServiceSpec,
        server: Option<crate::workload::NetTarget>,
    ) -> Result<ServiceOutcome, RuntimeError> {
        let _ = (spec, server);
        Err(RuntimeError::Unsupported(
            "this runtime has no service experiment".into(),
        ))
    }

    /// Claim C13: a ring of `units` tasks (or threads) passing one token `hops` times
    /// ([`brigade`]), linked by `link`; seconds per hop, and the units' own switches where
    /// they count them.
    fn brigade(
        &mut self,
        units: usize,
        hops: usize,
        link: brigade::Link,
    ) -> Result<brigade::Hopped, RuntimeError> {
        let _ = (units, hops, link);
        Err(RuntimeError::Unsupported(
            "this runtime has no brigade experiment (no units to switch between)".into(),
        ))
    }

    /// Spawn probe, `start`: starts `units` units that do nothing but report to their join,
    /// each a real unit of [`Runtime::start_unit`] (a task spawned from inside the runtime,
    /// an OS thread, a rayon task, a process spawned and reaped), all first, then joins
    /// them; timed from the first start to the last join.
    fn start_units(&mut self, units: usize) -> Result<Spawned, RuntimeError> {
        let _ = units;
        Err(RuntimeError::Unsupported(
            "this runtime starts no unit of its own (a pool takes jobs: see submit_jobs)".into(),
        ))
    }

    /// Spawn probe, `job`: hands `jobs` empty jobs to the pool already running (started
    /// under `pool:N`) and collects them; timed from the first submission to the last result.
    fn submit_jobs(&mut self, jobs: usize) -> Result<Spawned, RuntimeError> {
        let _ = jobs;
        Err(RuntimeError::Unsupported(
            "this runtime has no running pool to hand jobs to".into(),
        ))
    }

    /// Timer probe: one unit sleeping `d` on the runtime's own timer (a blocking sleep for
    /// threads, pools and processes), timestamped inside the unit around the sleep; the
    /// unit's start and join are figures of their own.
    fn sleep_in_unit(&mut self, d: std::time::Duration) -> Result<SleepTimes, RuntimeError> {
        let _ = d;
        Err(RuntimeError::Unsupported(
            "this runtime has no timer probe".into(),
        ))
    }

    /// Memory pass: starts `units` idle units (tasks or threads waiting on the runtime's
    /// timer), waits until every one is parked, and returns `probe()` taken before the
    /// first and after the last. The units stay parked: the process is expected to exit.
    fn park(
        &mut self,
        units: usize,
        probe: fn() -> Snapshot,
    ) -> Result<(Snapshot, Snapshot), RuntimeError> {
        let _ = (units, probe);
        Err(RuntimeError::Unsupported(
            "this runtime has no idle unit of its own to measure (a pool's unit is a thread: see threads)".into(),
        ))
    }
}

/// How long a parked unit waits: far longer than any memory pass.
pub(crate) const PARK_FOR: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Why a runtime could not run a cell.
#[derive(Debug, Error)]
pub enum RuntimeError {
    /// Its threads or executor could not be built.
    #[error("could not start {runtime}: {source}")]
    Start {
        /// The runtime.
        runtime: &'static str,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the OS refused to start another thread after {started} were running ({source}); limits: {limits}"
    )]
    /// The OS refused a thread.
    ThreadSpawn {
        /// Threads running when it refused.
        started: usize,
        /// What the OS said.
        #[source]
        source: std::io::Error,
        /// The limits in force, named.
        limits: String,
    },
    /// A task panicked, with its message.
    #[error("a task panicked: {0}")]
    TaskPanicked(String),
    /// The runtime has no such experiment or unit.
    #[error("{0}")]
    Unsupported(String),
    /// The work done differs from the work given.
    #[error("verification failed: {0}")]
    Verification(String),
    #[error(
        "the OS refused to start another process after {started} were running ({source}); limits: {limits}"
    )]
    /// The OS refused a process.
    ProcessSpawn {
        /// Worker processes running when it refused.
        started: usize,
        /// What the OS said.
        #[source]
        source: std::io::Error,
        /// The limits in force, named.
        limits: String,
    },
    /// A worker process failed (crashed, or answered garbage).
    #[error("{0}")]
    Worker(String),
    /// The cell's threads could not be pinned to the CPU asked for.
    #[error(transparent)]
    Pin(#[from] crate::measure::affinity::AffinityError),
    /// A task could not do its work: an OS refusal (named with its limit) or the latency
    /// server gone.
    #[error("{0}")]
    Task(crate::workload::TaskFailure),
    /// The latency server of a `net` run could not be started or asked.
    #[error("latency server: {0}")]
    Server(crate::netserver::Error),
    /// `rtbench serve`: the model's server could not go on (its listener failed).
    #[error("http server: {0}")]
    Http(String),
}

impl RuntimeError {
    /// A short machine-readable class for records: `start`, `os-limit`, `worker`, `io`,
    /// `panic`, `unsupported` or `verification`.
    pub fn kind(&self) -> &'static str {
        match self {
            RuntimeError::Start { .. } | RuntimeError::Pin(_) | RuntimeError::Server(_) => "start",
            RuntimeError::ThreadSpawn { .. } | RuntimeError::ProcessSpawn { .. } => "os-limit",
            RuntimeError::Task(f) => match f.kind {
                crate::workload::FailureKind::OsLimit => "os-limit",
                crate::workload::FailureKind::Io => "io",
            },
            RuntimeError::Worker(_) => "worker",
            RuntimeError::Http(_) => "io",
            RuntimeError::TaskPanicked(_) => "panic",
            RuntimeError::Unsupported(_) => "unsupported",
            RuntimeError::Verification(_) => "verification",
        }
    }
}

/// The text of a panic payload, for the cell's error.
pub(crate) fn panic_message(payload: Box<dyn Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-text panic payload".into())
}

/// The usual name of a signal number, for messages.
pub fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGABRT => "SIGABRT",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGBUS => "SIGBUS",
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        _ => "signal",
    }
}

/// Looks a runtime up by the name users type.
pub fn find(name: &str) -> Result<&'static dyn Runtime, SpecError> {
    REGISTRY
        .iter()
        .copied()
        .find(|r| r.name() == name)
        .ok_or_else(|| {
            SpecError::new(format!(
                "unknown runtime '{name}'; accepted: {}, all",
                names().join(", ")
            ))
        })
}

/// The names of every runtime of this build, in registry order.
pub fn names() -> Vec<&'static str> {
    REGISTRY.iter().map(|r| r.name()).collect()
}

/// The runtimes of this build of `model`, in registry order.
pub fn of_model(model: Model) -> Vec<&'static dyn Runtime> {
    REGISTRY
        .iter()
        .copied()
        .filter(|r| r.model() == model)
        .collect()
}

/// Whether `rt` runs `tasks` tasks under `limit` on as many threads as `--workers` asks
/// (tokio's pool does; a thread per task or a single thread does not).
pub fn follows_workers(rt: &dyn Runtime, limit: Limit, tasks: usize) -> bool {
    let setup = |workers| Setup {
        workers,
        limit,
        tasks,
        variant: Variant::Normal,
    };
    rt.refusal(limit).is_none() && rt.shape(&setup(1)).workers != rt.shape(&setup(2)).workers
}
