//! Running one cell in this process: what the child process of an isolated cell does.
//! Start the runtime, warm up, run the measured repetitions, and answer with the samples.

use std::sync::Arc;

use hdrhistogram::Histogram;

use super::protocol::{
    CellReply, CellRequest, Experiment, ExperimentOutcome, Fault, MemorySample, Percentiles,
    ReplyError, Sample,
};
use crate::SpecError;
use crate::limit::Limit;
use crate::measure::{Span, affinity, heap, memory, netstat};
use crate::netserver;
use crate::results::ServerProbe;
use crate::runtime::brigade::Link;
use crate::runtime::{self, Outcome, RuntimeError, Setup, Variant, brigade_io};
use crate::workload::compute_costs;

/// Runs the request now, on a thread of its own: every runtime's driving thread, and the
/// one `sequential` computes on, is then a spawned thread like a pool's workers, never the
/// process's main thread (whose malloc arena grows and trims differently). Never panics on
/// a runtime's failure: it becomes the reply's error; a panic of the cell itself (an
/// injected fault) is the process's panic.
pub fn execute(req: &CellRequest) -> CellReply {
    let req = req.clone();
    let cell = std::thread::Builder::new()
        .name("cell".into())
        .spawn(move || execute_here(&req));
    match cell.map(|handle| handle.join()) {
        Ok(Ok(reply)) => reply,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(e) => CellReply {
            samples: Vec::new(),
            latency: Percentiles::default(),
            peak_rss_bytes: memory::peak_rss_bytes().unwrap_or(0),
            memory: None,
            experiment: None,
            error: Some(ReplyError {
                kind: "start".into(),
                message: format!("could not start the cell's thread: {e}"),
            }),
            live: None,
        },
    }
}

fn execute_here(req: &CellRequest) -> CellReply {
    let mut reply = CellReply {
        samples: Vec::new(),
        latency: Percentiles::default(),
        peak_rss_bytes: 0,
        memory: None,
        experiment: None,
        error: None,
        live: None,
    };
    let outcome = pin(req).and_then(|()| match (req.park, req.experiment) {
        (_, Some(e)) => experiment(req, e).map(|o| reply.experiment = Some(o)),
        (Some(units), None) => park(req, units).map(|m| reply.memory = Some(m)),
        (None, None) => run(req).map(|(samples, latency)| {
            reply.samples = samples;
            reply.latency = latency;
        }),
    });
    reply.error = outcome.err().map(|e| ReplyError {
        kind: e.kind().into(),
        message: e.to_string(),
    });
    reply.peak_rss_bytes = memory::peak_rss_bytes().unwrap_or(0);
    reply
}

/// Pins this cell's thread, before any runtime starts (so every thread it starts inherits
/// the CPU), to the request's `pin`, or for a pinned brigade to the first CPU allowed.
fn pin(req: &CellRequest) -> Result<(), RuntimeError> {
    let cpu = match (req.pin, req.experiment) {
        (Some(cpu), _) => cpu,
        (None, Some(Experiment::Brigade { pin: true, .. })) => affinity::first_allowed()?,
        _ => return Ok(()),
    };
    Ok(affinity::pin_to(cpu)?)
}

/// A claims experiment or a probe on the requested runtime, under the request's limit.
fn experiment(req: &CellRequest, e: Experiment) -> Result<ExperimentOutcome, RuntimeError> {
    let rt = runtime::find(&req.runtime).map_err(|e| RuntimeError::Unsupported(e.to_string()))?;
    // A pinned brigade has one CPU: one worker, so a task hop cannot wake an idle sibling
    // worker that has no core of its own to run on.
    let workers = match e {
        Experiment::Brigade { pin: true, .. } => 1,
        _ => req.workers,
    };
    let mut instance = rt.start(&Setup {
        workers,
        limit: req.limit,
        tasks: 1,
        variant: Variant::Normal,
    })?;
    inject(req.fault);
    match e {
        Experiment::Service(spec) => {
            runtime::net::service(instance.as_mut(), &spec).map(ExperimentOutcome::Service)
        }
        Experiment::Brigade {
            units, hops, link, ..
        } => {
            // A first, shorter run warms the code paths and the allocator up (threads are
            // started anew by each run).
            instance.brigade(units, hops / 10 + 1, link)?;
            // The socket I/O alone, on this (the cell's) thread, pinned as the brigade is:
            // warmed up, then half its hops just before the brigade and half just after,
            // so it is timed over the same stretch of a drifting host.
            let pipe = |hops: usize| match link {
                Link::Channel => Ok(None),
                Link::Socket => brigade_io::pipe_cost(units, hops.div_ceil(2)).map(Some),
            };
            pipe(hops / 10 + 1)?;
            let before = pipe(hops)?;
            // The units' own switches where they count them (threads); otherwise the
            // process's: this child runs nothing but the brigade (tasks share their
            // runtime's worker threads, whose switches are the tasks' hops).
            let span = Span::start();
            let run = instance.brigade(units, hops, link)?;
            let usage = run.unit_switches.unwrap_or(span.stop().usage);
            let pipe = before.zip(pipe(hops)?).map(|(a, b)| (a + b) / 2.0);
            let hops = hops.max(1) as f64;
            Ok(ExperimentOutcome::Brigade {
                seconds_per_hop: run.seconds_per_hop,
                voluntary_per_hop: usage.voluntary_switches as f64 / hops,
                involuntary_per_hop: usage.involuntary_switches as f64 / hops,
                pipe_seconds_per_hop: pipe,
            })
        }
        Experiment::StartUnits { units } => {
            probe_runs(req, || instance.start_units(units)).map(ExperimentOutcome::Spawned)
        }
        Experiment::SubmitJobs { jobs } => {
            probe_runs(req, || instance.submit_jobs(jobs)).map(ExperimentOutcome::Spawned)
        }
        Experiment::SleepInUnit { sleep } => {
            probe_runs(req, || instance.sleep_in_unit(sleep)).map(ExperimentOutcome::Slept)
        }
        Experiment::ServerProbe { payload, samples } => {
            server_probe(payload, samples).map(ExperimentOutcome::ServerProbe)
        }
    }
}

/// The latency server's accuracy: a server of its own, then at each probed delay
/// `samples` requests from one blocking client and the server's lateness over them.
fn server_probe(payload: usize, samples: usize) -> Result<Vec<ServerProbe>, RuntimeError> {
    let mut server = runtime::net::start_server(netserver::Options {
        payload,
        ..netserver::Options::default()
    })?;
    let addr = server.addr();
    // A first pass, not kept: connection, caches and the server's heap warm.
    netserver::probe_added_delay(addr, payload, &netserver::PROBE_DELAYS, 5)
        .map_err(RuntimeError::Server)?;
    server.lateness().map_err(RuntimeError::Server)?;
    let mut probes = Vec::new();
    for delay in netserver::PROBE_DELAYS {
        let added = netserver::probe_added_delay(addr, payload, &[delay], samples)
            .map_err(RuntimeError::Server)?;
        let late = server.lateness().map_err(RuntimeError::Server)?;
        let added = added.first().ok_or_else(|| {
            RuntimeError::Verification("the latency probe answered nothing".into())
        })?;
        probes.push(ServerProbe {
            delay_seconds: delay.as_secs_f64(),
            samples: added.samples,
            added_median_seconds: added.median_seconds,
            added_p99_seconds: added.p99_seconds,
            server_late_median_seconds: late.median_seconds,
            server_late_p99_seconds: late.p99_seconds,
            error: None,
        });
    }
    Ok(probes)
}

/// A probe's `warmup` untimed runs, then its `repeat` measured ones, on one started instance.
fn probe_runs<T>(
    req: &CellRequest,
    mut run: impl FnMut() -> Result<T, RuntimeError>,
) -> Result<Vec<T>, RuntimeError> {
    for _ in 0..req.warmup {
        run()?;
    }
    (0..req.repeat.max(1)).map(|_| run()).collect()
}

/// The memory pass: park `units` idle units and read what they cost. The units are never
/// released: the cell's process exits right after answering.
fn park(req: &CellRequest, units: usize) -> Result<MemorySample, RuntimeError> {
    let rt = runtime::find(&req.runtime).map_err(|e| RuntimeError::Unsupported(e.to_string()))?;
    let mut instance = rt.start(&Setup {
        workers: req.workers,
        limit: Limit::Unbounded,
        tasks: units,
        variant: Variant::Normal,
    })?;
    inject(req.fault);
    heap::start_counting();
    let parked = instance.park(units, memory::snapshot);
    heap::stop_counting();
    let (before, after) = parked?;
    std::mem::forget(instance); // tearing down a million parked tasks would only cost time
    Ok(MemorySample {
        units,
        rss_before_bytes: before.rss_bytes,
        rss_after_bytes: after.rss_bytes,
        virtual_before_bytes: before.virtual_bytes,
        virtual_after_bytes: after.virtual_bytes,
        heap_bytes: after.heap_bytes - before.heap_bytes,
        children_rss_bytes: after
            .children_rss_bytes
            .saturating_sub(before.children_rss_bytes),
        children_pss_bytes: after
            .children_pss_bytes
            .saturating_sub(before.children_pss_bytes),
        children_virtual_bytes: after
            .children_virtual_bytes
            .saturating_sub(before.children_virtual_bytes),
        kernel_before: before.kernel,
        kernel_after: after.kernel,
    })
}

fn run(req: &CellRequest) -> Result<(Vec<Sample>, Percentiles), RuntimeError> {
    let bad = |e: SpecError| RuntimeError::Unsupported(e.to_string());
    let rt = runtime::find(&req.runtime).map_err(bad)?;
    let spec = req.spec();
    inject(req.fault);
    // A `net` cell's server: its own process, started before the runtime, killed and
    // reaped when the cell ends; its CPU read around each repetition, outside the timing.
    let mut server = runtime::net::server_for(&spec)?;
    let work = Arc::new(runtime::net::work_for(&spec, server.as_ref()));
    let mut server_cpu = || -> Result<Option<f64>, RuntimeError> {
        server
            .as_mut()
            .map(|s| s.cpu_seconds().map_err(RuntimeError::Server))
            .transpose()
    };
    let mut instance = rt.start(&Setup {
        workers: req.workers,
        limit: req.limit,
        tasks: spec.tasks,
        variant: req.variant,
    })?;
    for _ in 0..req.warmup {
        instance.run(&work)?;
    }
    // Bounds fixed up front: `saturating_record` clamps to the range, it does not grow it.
    let mut completions = Histogram::<u64>::new_with_bounds(1, 3_600_000_000_000, 3)
        .expect("1 ns to 1 h at 3 significant figures is a valid range");
    let mut samples = Vec::with_capacity(req.repeat);
    for _ in 0..req.repeat.max(1) {
        let costs = compute_costs(work.plans());
        let server_before = server_cpu()?;
        let overflows_before = server_before.and(netstat::listen_overflows());
        let outcome = instance.run(&work)?;
        let server_after = server_cpu()?;
        let overflows_after = server_after.and(netstat::listen_overflows());
        samples.push(Sample {
            compute_seconds: costs,
            server_cpu_seconds: server_before.zip(server_after).map(|(a, b)| b - a),
            listen_overflows: overflows_before
                .zip(overflows_after)
                .map(|(a, b)| b.saturating_sub(a)),
            ..sample(outcome)
        });
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
        child_processes: o.children.map_or(0, |c| c.processes),
        workers_maxrss_sum_bytes: o.children.map_or(0, |c| c.maxrss_sum_bytes),
        compute_seconds: Default::default(),
        server_cpu_seconds: None,
        listen_overflows: None,
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
