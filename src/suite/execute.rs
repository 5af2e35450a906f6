//! Running one cell in this process: what the child process of an isolated cell does.
//! Start the runtime, warm up, run the measured repetitions, and answer with the samples.

use std::sync::Arc;

use hdrhistogram::Histogram;

use super::protocol::{CellReply, CellRequest, Fault, Percentiles, ReplyError, Sample};
use crate::SpecError;
use crate::limit::Limit;
use crate::measure::memory;
use crate::runtime::{self, Outcome, RuntimeError, Setup};
use crate::workload::{Latency, Work, WorkloadKind, WorkloadSpec};

impl CellRequest {
    pub fn spec(&self) -> Result<(WorkloadSpec, Limit), SpecError> {
        let spec = WorkloadSpec {
            kind: self.workload.parse::<WorkloadKind>()?,
            tasks: self.tasks,
            calls: self.calls,
            latency: self.latency.parse::<Latency>()?,
            compute: self.compute,
            steps: self.steps.clone(),
            seed: self.seed,
        };
        Ok((spec, self.limit.parse()?))
    }
}

/// Runs the request here and now. Never panics on a runtime's failure: it becomes the reply's error.
pub fn execute(req: &CellRequest) -> CellReply {
    let (samples, latency, error) = match run(req) {
        Ok((samples, latency)) => (samples, latency, None),
        Err(e) => (
            Vec::new(),
            Percentiles::default(),
            Some(ReplyError {
                kind: e.kind().into(),
                message: e.to_string(),
            }),
        ),
    };
    CellReply {
        samples,
        latency,
        peak_rss_bytes: memory::peak_rss_bytes().unwrap_or(0),
        error,
    }
}

fn run(req: &CellRequest) -> Result<(Vec<Sample>, Percentiles), RuntimeError> {
    let bad = |e: SpecError| RuntimeError::Unsupported(e.to_string());
    let rt = runtime::find(&req.runtime).map_err(bad)?;
    let (spec, limit) = req.spec().map_err(bad)?;
    inject(req.fault);
    let work = Arc::new(Work::new(spec.plans()));
    let mut instance = rt.start(&Setup {
        workers: req.workers,
        limit,
        tasks: spec.tasks,
    })?;
    for _ in 0..req.warmup {
        instance.run(&work)?;
    }
    let mut completions =
        Histogram::<u64>::new(3).expect("3 significant figures is a valid precision");
    let mut samples = Vec::with_capacity(req.repeat);
    for _ in 0..req.repeat.max(1) {
        samples.push(sample(instance.run(&work)?));
        for nanos in work.completion_nanos() {
            completions.saturating_record(nanos.max(1));
        }
    }
    Ok((samples, percentiles(&completions)))
}

fn sample(o: Outcome) -> Sample {
    Sample {
        wall_seconds: o.measured.wall.as_secs_f64(),
        cpu_user_seconds: o.measured.usage.user_seconds,
        cpu_sys_seconds: o.measured.usage.sys_seconds,
        voluntary_switches: o.measured.usage.voluntary_switches,
        involuntary_switches: o.measured.usage.involuntary_switches,
        completed: o.tally.completed,
        checksum: o.tally.checksum,
    }
}

fn percentiles(h: &Histogram<u64>) -> Percentiles {
    let s = |nanos: u64| nanos as f64 * 1e-9;
    Percentiles {
        p50_seconds: s(h.value_at_quantile(0.50)),
        p90_seconds: s(h.value_at_quantile(0.90)),
        p99_seconds: s(h.value_at_quantile(0.99)),
        max_seconds: s(h.max()),
    }
}

/// Test hook: fail the way a broken cell would.
fn inject(fault: Option<Fault>) {
    match fault {
        None => {}
        Some(Fault::Panic) => panic!("injected fault: panic"),
        Some(Fault::Abort) => std::process::abort(),
        Some(Fault::Hang) => loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        },
    }
}
