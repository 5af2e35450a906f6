//! The open-loop HTTP/1.1 load generator (`rtbench load`), as wrk2 but on one global
//! schedule: intended send times at the offered rate, each request sent at its time on an
//! idle keep-alive connection or, when none is idle (the server is behind), on the first one
//! freed; latency from the intended time (corrected for coordinated omission) and from the
//! actual send (uncorrected) in HDR histograms; the generator's own lag and CPU, which
//! invalidate a rate it could not drive; rates swept (a list, or the auto search) to the
//! knee. Layer "runtime, load": it uses units, measure, netserver (the timerfd), workload
//! and http, never a runtime.
//!
//! - `target`: the URL; `info`: `/rtbench/info` and the reachability check; `request`: the
//!   requests and how an answer is checked
//! - `schedule`: intended send times; `engine`: the event loop; `conn`: one connection;
//!   `tally`: one rate's bookkeeping; `record`: [`RateResult`] and the validity thresholds
//! - `sweep`: rates, the auto search, the knee; `observer`: [`LoadObserver`]; `run`: a whole
//!   run, [`LoadReport`]; `error`: [`LoadError`]

mod conn;
mod engine;
mod error;
mod info;
mod observer;
mod record;
mod request;
mod run;
mod schedule;
mod sweep;
mod tally;
mod target;

pub use engine::{Generator, RateSpec};
pub use error::LoadError;
pub use info::ServerInfo;
pub use observer::{LoadObserver, Silent};
pub use record::{
    CPU_SHARE_LIMIT, KEPT_UP, LAG_SHARE_OF_SLO, Lag, Percentiles, RateResult, lag_limit,
};
pub use request::{Check, Requests};
pub use run::{LoadReport, LoadSpec, MAX_CONNECTIONS, run};
pub use schedule::{Arrivals, Schedule};
pub use sweep::{AutoSearch, MAX_RATE, Rates, knee, sweep};
pub use target::{DEFAULT_PATH, TargetUrl};
