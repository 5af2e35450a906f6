//! What kind of concurrency a runtime is, what one of its units is called, and what a spawn
//! probe figure is: facts every record carries, so no reader has to re-derive them from a
//! runtime's name.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The concurrency model a runtime belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    /// One task after another on one thread: the baseline.
    Sequential,
    /// Tasks on an async executor (one or several threads).
    Async,
    /// One OS thread per task.
    Threads,
    /// A fixed pool of OS threads taking jobs.
    ThreadPool,
    /// Worker processes.
    Processes,
}

impl Model {
    /// As tables write it: `async`, `thread pool`.
    pub fn name(self) -> &'static str {
        match self {
            Model::Sequential => "sequential",
            Model::Async => "async",
            Model::Threads => "threads",
            Model::ThreadPool => "thread pool",
            Model::Processes => "processes",
        }
    }

    /// What one unit of work of this model is.
    pub fn unit(self) -> Unit {
        match self {
            Model::Threads => Unit::Thread,
            Model::Processes => Unit::Process,
            Model::ThreadPool => Unit::Job,
            Model::Async | Model::Sequential => Unit::Task,
        }
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// One unit of a runtime, for "per task", "per thread" and the like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    /// An async task, a rayon task (`scope.spawn`, the spawn probe's start on rayon), or a
    /// task run in turn by `sequential`.
    Task,
    /// An OS thread started for the task.
    Thread,
    /// A job submitted to a running pool (no unit is started).
    Job,
    /// An OS process.
    Process,
}

impl Unit {
    /// The noun: `task`, `thread`, `job`, `process`.
    pub fn noun(self) -> &'static str {
        match self {
            Unit::Task => "task",
            Unit::Thread => "thread",
            Unit::Job => "job",
            Unit::Process => "process",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.noun())
    }
}

/// What a spawn probe figure is: units really started, or jobs handed to a pool already
/// running. The two are never compared with each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpawnKind {
    /// One unit started and joined per item: an async task, an OS thread, a rayon task, a
    /// process (spawned and reaped).
    Start,
    /// One job per item through a pool whose threads or processes are already running
    /// (rayon's parallel iterator, the crossbeam pool's channel, the process pool's round
    /// trip): nothing is started.
    Job,
}

impl SpawnKind {
    /// Both kinds, starts first.
    pub const ALL: [SpawnKind; 2] = [SpawnKind::Start, SpawnKind::Job];

    /// As records write it: `start`, `job`.
    pub fn name(self) -> &'static str {
        match self {
            SpawnKind::Start => "start",
            SpawnKind::Job => "job",
        }
    }
}

impl fmt::Display for SpawnKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}
