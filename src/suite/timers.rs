//! Timer probe: how long each runtime's `sleep(1ms)` and `sleep(10ms)` really take (median of
//! single-task runs), so nobody mistakes timer granularity for scheduler speed. tokio's
//! timer works in whole milliseconds and rounds up; async-io's (smol) does not.

use std::time::Duration;

use super::isolate::{Isolation, run_isolated};
use super::protocol::CellRequest;
use super::stats::Stat;
use crate::results::TimerProbe;
use crate::runtime::Runtime;

/// The sleeps probed.
pub const PROBED: [Duration; 2] = [Duration::from_millis(1), Duration::from_millis(10)];
/// Measured sleeps per probe (one task each, one after another).
const SAMPLES: usize = 21;

pub fn probe(
    runtime: &dyn Runtime,
    requested: Duration,
    workers: usize,
    iso: &Isolation,
) -> TimerProbe {
    let req = CellRequest {
        runtime: runtime.name().into(),
        workload: "io".into(),
        tasks: 1,
        calls: 1,
        latency: crate::workload::latency::format_duration(requested),
        compute: 1,
        steps: vec![1],
        seed: 0,
        limit: "unbounded".into(),
        workers,
        warmup: 2,
        repeat: SAMPLES,
        fault: None,
        park: None,
    };
    let reply = run_isolated(&req, iso);
    let wall = Stat::of(reply.samples.iter().map(|s| s.wall_seconds)).unwrap_or_default();
    let ok = reply.error.is_none() && !reply.samples.is_empty();
    TimerProbe {
        runtime: runtime.name().into(),
        legacy: runtime.legacy(),
        requested_seconds: requested.as_secs_f64(),
        median_seconds: wall.median,
        min_seconds: wall.min,
        max_seconds: wall.max,
        overshoot_seconds: if ok {
            wall.median - requested.as_secs_f64()
        } else {
            0.0
        },
        error: reply.error.map(|e| e.message),
    }
}
