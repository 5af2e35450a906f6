//! `run --workload serve`: one model's server under steady load, as summary.json keeps it:
//! the load generator's report (every offered rate, both latency views, the knee) beside
//! the server process seen at each rate (its CPU, switches, memory), and where each ran.

use serde::{Deserialize, Serialize};

use crate::load::{LoadReport, RateResult};
use crate::measure::process_tree::TreeSample;
use crate::runtime::Model;

/// Where the server and the generator ran, and why there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// The CPUs the server process may run on.
    pub server_cpus: Vec<usize>,
    /// The CPUs the generator's thread may run on.
    pub generator_cpus: Vec<usize>,
    /// Whether the two were pinned apart.
    pub pinned: bool,
    /// The server's niceness (0: as the generator's): above 0, the scheduler gives the
    /// generator's thread the CPU first when both want it.
    #[serde(default)]
    pub server_nice: i32,
    /// Whether the generator's thread ran under the real-time policy (SCHED_FIFO), so it
    /// got a CPU first without the server being niced.
    #[serde(default)]
    pub generator_realtime: bool,
    /// Why so.
    pub why: String,
}

/// One model's server swept over offered rates on one backend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServeRecord {
    /// The model: its runtime's name.
    pub model: String,
    /// Its concurrency model.
    pub kind: Model,
    /// A legacy runtime (shown, not ranked).
    #[serde(default)]
    pub legacy: bool,
    /// Worker threads or processes; None for a thread per connection.
    pub workers: Option<usize>,
    /// `timer` or `socket`: where the handler's waits go.
    pub backend: String,
    /// The request every rate sends (before each request's id).
    pub handler: String,
    /// Which of the sweep's repetitions this is (0 for the first): each model is swept
    /// again, after every other model's sweep of the same repetition, and its knee is
    /// read across them.
    #[serde(default)]
    pub repetition: u32,
    /// Where each side ran.
    pub placement: Placement,
    /// The server before the first rate (idle, its workers started).
    pub idle: Option<TreeSample>,
    /// The generator's report; None when the server could not be started or measured.
    pub load: Option<LoadReport>,
    /// The server over each rate, in the order of `load.rates`: CPU and switches over the
    /// rate, resident memory and its peak at its end.
    pub server: Vec<TreeSample>,
    /// CPUs the rest of the machine kept busy over each rate (all CPUs' busy time less the
    /// server's and the generator process's), in the order of `load.rates`; a rate over
    /// the sweep's limit is invalid.
    #[serde(default)]
    pub background_cores: Vec<f64>,
    /// Why the sweep failed, if it did.
    pub error: Option<String>,
}

impl ServeRecord {
    /// The knee: the highest valid rate meeting the SLO.
    pub fn knee(&self) -> Option<f64> {
        self.load.as_ref()?.knee
    }

    /// Each rate with the server's figures over it.
    pub fn rates(&self) -> impl Iterator<Item = (&RateResult, Option<&TreeSample>)> {
        self.load
            .iter()
            .flat_map(|l| l.rates.iter())
            .enumerate()
            .map(|(i, r)| (r, self.server.get(i)))
    }

    /// The knee's rate and the server at it.
    pub fn at_knee(&self) -> Option<(&RateResult, Option<&TreeSample>)> {
        let knee = self.knee()?;
        self.rates().find(|(r, _)| r.offered == knee)
    }

    /// Whether the sweep ran and no answer was wrong.
    pub fn ok(&self) -> bool {
        self.error.is_none() && self.load.as_ref().is_some_and(|l| l.wrong_checksums() == 0)
    }
}
