//! The decision rules on typed values: the fixture folder (a real quick-profile run of
//! sequential, tokio, threads and processes with probes, memory pass and claims) and
//! variations of it, asserted on the rows' records and numbers, not on rendered text.

use std::path::Path;

use super::*;
use crate::limit::Limit;
use crate::results::{self, CellRecord, Loaded, MemoryKind, SpawnProbe};
use crate::runtime::{Model, SpawnKind, Unit};
use crate::workload::WorkloadKind;

pub(crate) mod claimed;
pub(crate) mod cpu_row;
mod serve_row;

fn folder(rel: &str) -> Loaded {
    results::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).expect("the folder loads")
}

/// The fixture folder, loaded.
pub(crate) fn fixture() -> Loaded {
    folder("tests/fixtures/results-small")
}

pub(crate) fn row<'a>(d: &'a Decisions, kind: RowKind) -> &'a RowBody<'a> {
    let r = d
        .rows
        .iter()
        .find(|r| r.kind == kind)
        .expect("every kind has a row");
    r.body
        .as_ref()
        .unwrap_or_else(|e| panic!("{kind:?}: {e:?}"))
}

#[test]
fn every_family_decides_the_fixture() {
    let loaded = fixture();
    let d = decide(&loaded);
    let kinds: Vec<RowKind> = d.rows.iter().map(|r| r.kind).collect();
    let families: Vec<RowKind> = FAMILIES.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, families);
    assert!(d.rows.iter().all(|r| r.body.is_ok()), "{:?}", d.rows);
    assert!(d.failed.is_empty());
}

#[test]
fn io_picks_the_fastest_model_at_the_largest_size_and_lists_smaller_ones() {
    let loaded = fixture();
    let d = decide(&loaded);
    let RowBody::Io(io) = row(&d, RowKind::Io) else {
        panic!("not an io row");
    };
    assert_eq!(io.tasks, 10_000);
    let models: Vec<Model> = io
        .ranked
        .candidates
        .iter()
        .map(|c| c.item.cell.model)
        .collect();
    assert_eq!(
        models,
        [Model::Async, Model::Threads],
        "sorted by wall time"
    );
    assert_eq!(io.ranked.picked().item.cell.runtime, "tokio");
    let times: Vec<f64> = io.ranked.candidates.iter().map(|c| c.time).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    // A process per task ran only up to 1,000 in the quick profile.
    assert_eq!(io.smaller.len(), 1);
    assert_eq!(io.smaller[0].cell.model, Model::Processes);
    assert_eq!(io.smaller[0].cell.tasks, 1_000);
    let mem = io
        .ranked
        .picked()
        .item
        .unit_memory
        .expect("the memory pass ran");
    assert_eq!(mem.kind, MemoryKind::Resident);
    assert!(mem.bytes > 100.0 && mem.bytes < 10_000.0, "{mem:?}");
}

/// The row "many concurrent waits" on io's timer waits: beside the net row when the folder
/// has net cells (the fixture does), else the row itself.
fn timer_row<'a>(d: &'a Decisions) -> &'a crate::analysis::io::IoRow<'a> {
    let RowBody::Io(io) = row(d, RowKind::Io) else {
        panic!("not an io row");
    };
    io.timer.as_deref().unwrap_or(io)
}

#[test]
fn the_waits_row_decides_on_net_with_io_beside_it() {
    let loaded = fixture();
    let d = decide(&loaded);
    let RowBody::Io(net) = row(&d, RowKind::Io) else {
        panic!("not an io row");
    };
    assert_eq!(net.workload, WorkloadKind::Net);
    assert!(
        net.ranked
            .candidates
            .iter()
            .all(|c| c.item.cell.workload == WorkloadKind::Net && c.item.timing.is_none())
    );
    let io = net.timer.as_deref().expect("io beside net");
    assert_eq!(io.workload, WorkloadKind::Io);
    assert!(io.timer.is_none());
    // Without net cells, the row is io's.
    let mut older = fixture();
    older
        .summary
        .cells
        .retain(|c| c.workload != WorkloadKind::Net);
    let d = decide(&older);
    let RowBody::Io(io) = row(&d, RowKind::Io) else {
        panic!("not an io row");
    };
    assert_eq!(io.workload, WorkloadKind::Io);
}

/// The fixture with tokio's io cell at the largest size failed by the OS.
pub(crate) fn fixture_with_tokio_io_failed() -> Loaded {
    let mut loaded = fixture();
    let cell = loaded
        .summary
        .cells
        .iter_mut()
        .find(|c| {
            c.runtime == "tokio"
                && c.workload == WorkloadKind::Io
                && c.tasks == 10_000
                && c.limit == Limit::Unbounded
        })
        .expect("the fixture has tokio io x10000 unbounded");
    cell.error = Some("the OS refused".into());
    cell.error_kind = Some("os-limit".into());
    loaded
}

#[test]
fn a_failed_cell_is_never_a_candidate() {
    let loaded = fixture_with_tokio_io_failed();
    let d = decide(&loaded);
    let io = timer_row(&d);
    assert_eq!(io.ranked.picked().item.cell.model, Model::Threads);
    assert!(io.ranked.candidates.iter().all(|c| c.item.cell.ok()));
    assert_eq!(d.failed.len(), 1);
    assert_eq!(d.failed[0].runtime, "tokio");
}

#[test]
fn a_suspect_cell_is_shown_apart_and_never_a_candidate() {
    let mut loaded = fixture();
    let cell = loaded
        .summary
        .cells
        .iter_mut()
        .find(|c| c.runtime == "tokio" && c.workload == WorkloadKind::Io && c.tasks == 10_000)
        .expect("the fixture has tokio io x10000");
    cell.suspect = Some("median wall below its ideal".into());
    let d = decide(&loaded);
    let io = timer_row(&d);
    assert!(
        io.ranked
            .candidates
            .iter()
            .all(|c| c.item.cell.suspect.is_none())
    );
    assert_eq!(d.suspect.len(), 1);
    assert!(d.failed.is_empty(), "suspect is not failed");
}

#[test]
fn candidates_whose_intervals_overlap_tie_and_memory_decides() {
    let mut loaded = fixture();
    // Make threads' interval at the largest io size reach tokio's: a tie, and tokio's task
    // needs less memory than a thread.
    for c in loaded.summary.cells.iter_mut() {
        if c.workload == WorkloadKind::Io && c.tasks == 10_000 && c.limit == Limit::Unbounded {
            c.wall_ci_low_seconds = Some(0.010);
            c.wall_ci_high_seconds = Some(1.0);
        }
    }
    let d = decide(&loaded);
    let io = timer_row(&d);
    assert!(io.ranked.tied.len() >= 2, "{:?}", io.ranked.tied);
    assert_eq!(
        io.ranked.picked().item.cell.model,
        Model::Async,
        "less memory per unit"
    );
    assert!(
        io.ranked
            .tied_with_pick()
            .any(|c| c.item.cell.model == Model::Threads)
    );
}

#[test]
fn cpu_speedups_are_over_the_fastest_baseline_and_bounded_by_the_cores() {
    let loaded = fixture();
    let d = decide(&loaded);
    let RowBody::Cpu(cpu) = row(&d, RowKind::Cpu) else {
        panic!("not a cpu row");
    };
    assert_eq!((cpu.tasks, cpu.compute), (16, 5_000));
    assert_eq!(cpu.baselines, 2);
    assert_eq!(cpu.bound, cpu.cores.min(cpu.tasks) as f64);
    for c in &cpu.ranked.candidates {
        assert!((c.item.speedup - cpu.baseline / c.item.cell.wall_seconds).abs() < 1e-12);
        assert_ne!(c.item.cell.model, Model::Sequential);
        assert_eq!(c.memory, Some(c.item.cell.footprint_bytes() as f64));
    }
}

#[test]
fn process_memory_is_the_peak_with_workers_alive_at_once_where_it_was_read() {
    let mut loaded = fixture();
    let is_cpu_process =
        |c: &&mut CellRecord| c.model == Model::Processes && c.workload == WorkloadKind::Cpu;
    // The fixture predates the live peak: its file called the per-worker sum
    // children_peak_rss_bytes, and its cells add it to their own peak.
    let old = loaded
        .summary
        .cells
        .iter_mut()
        .find(is_cpu_process)
        .unwrap();
    let summed = old
        .workers_maxrss_sum_bytes
        .expect("read from its old name");
    assert_eq!(old.live_peak_bytes(), None);
    assert_eq!(old.footprint_bytes(), old.peak_rss_bytes + summed);
    // A live peak below the process's own (read between two batches) never hides it.
    let mut early = old.clone();
    early.live_peak_rss_bytes = Some(1);
    assert_eq!(early.footprint_bytes(), early.peak_rss_bytes);
    for c in loaded.summary.cells.iter_mut().filter(is_cpu_process) {
        c.live_peak_rss_bytes = Some(c.peak_rss_bytes * 3);
        c.live_peak_pss_bytes = Some(c.peak_rss_bytes * 2);
    }
    let d = decide(&loaded);
    let RowBody::Cpu(cpu) = row(&d, RowKind::Cpu) else {
        panic!("not a cpu row");
    };
    let processes = cpu
        .ranked
        .candidates
        .iter()
        .find(|c| c.item.cell.model == Model::Processes)
        .expect("the fixture's cpu row has processes");
    // Proportional bytes where they were read: DESIGN.md's figure for processes.
    let own = processes.item.cell.peak_rss_bytes as f64;
    assert_eq!(processes.memory, Some(2.0 * own));
}

#[test]
fn spawn_and_timer_rank_one_runtime_per_model() {
    let loaded = fixture();
    let d = decide(&loaded);
    let RowBody::Spawn(s) = row(&d, RowKind::Spawn) else {
        panic!("not a spawn row");
    };
    let mut models: Vec<Model> = s
        .starts
        .candidates
        .iter()
        .map(|c| c.item.probe.model)
        .collect();
    let n = models.len();
    models.dedup();
    assert_eq!(models.len(), n);
    assert!(!models.contains(&Model::Sequential));
    let RowBody::Timer(t) = row(&d, RowKind::Timer) else {
        panic!("not a timer row");
    };
    assert_eq!(t.sleep, 0.001);
    assert!(
        !t.inside_unit,
        "the fixture predates sleeps timed inside the unit"
    );
    let over: Vec<f64> = t.ranked.candidates.iter().map(|c| c.time).collect();
    assert!(over.windows(2).all(|w| w[0] <= w[1]), "{over:?}");
}

/// A spawn probe of `runtime` costing `per_unit` seconds per item.
fn spawn_probe(
    runtime: &str,
    model: Model,
    unit: Unit,
    kind: Option<SpawnKind>,
    per_unit: f64,
) -> SpawnProbe {
    SpawnProbe {
        runtime: runtime.into(),
        legacy: false,
        model,
        unit,
        kind,
        units: 1000,
        spawn_seconds_per_unit: per_unit,
        min_seconds_per_unit: per_unit,
        max_seconds_per_unit: per_unit,
        error: None,
    }
}

#[test]
fn spawn_row_compares_unit_starts_and_keeps_pool_jobs_apart() {
    use SpawnKind::{Job, Start};
    let mut loaded = fixture();
    loaded.summary.spawn = vec![
        spawn_probe("tokio", Model::Async, Unit::Task, Some(Start), 700e-9),
        spawn_probe("threads", Model::Threads, Unit::Thread, Some(Start), 20e-6),
        spawn_probe("rayon", Model::ThreadPool, Unit::Task, Some(Start), 300e-9),
        // The cheapest figure of all, but a job on running threads: never a candidate.
        spawn_probe("rayon", Model::ThreadPool, Unit::Job, Some(Job), 30e-9),
        spawn_probe(
            "crossbeam-pool",
            Model::ThreadPool,
            Unit::Job,
            Some(Job),
            200e-9,
        ),
        spawn_probe(
            "processes",
            Model::Processes,
            Unit::Process,
            Some(Start),
            800e-6,
        ),
        spawn_probe("processes", Model::Processes, Unit::Job, Some(Job), 25e-6),
    ];
    let d = decide(&loaded);
    let RowBody::Spawn(s) = row(&d, RowKind::Spawn) else {
        panic!("not a spawn row");
    };
    let starts: Vec<(&str, SpawnKind)> = s
        .starts
        .candidates
        .iter()
        .map(|c| (c.item.probe.runtime.as_str(), c.item.probe.kind()))
        .collect();
    assert_eq!(
        starts,
        [
            ("rayon", Start),
            ("tokio", Start),
            ("threads", Start),
            ("processes", Start)
        ]
    );
    let picked = s.starts.picked();
    assert_eq!(picked.item.probe.kind(), Start);
    assert_eq!(picked.time, 300e-9, "rayon's start, not its job");
    let jobs: Vec<(&str, SpawnKind)> = s
        .jobs
        .iter()
        .map(|p| (p.runtime.as_str(), p.kind()))
        .collect();
    assert_eq!(
        jobs,
        [("rayon", Job), ("crossbeam-pool", Job), ("processes", Job)]
    );
}

#[test]
fn an_older_spawn_probe_is_a_job_when_its_unit_was_a_job() {
    let mut loaded = fixture();
    loaded.summary.spawn = vec![
        spawn_probe("tokio", Model::Async, Unit::Task, None, 700e-9),
        spawn_probe("rayon", Model::ThreadPool, Unit::Job, None, 30e-9),
    ];
    let d = decide(&loaded);
    let RowBody::Spawn(s) = row(&d, RowKind::Spawn) else {
        panic!("not a spawn row");
    };
    assert_eq!(s.starts.candidates.len(), 1);
    assert_eq!(s.starts.picked().item.probe.runtime, "tokio");
    assert_eq!(s.jobs.len(), 1);
    assert_eq!(s.jobs[0].runtime, "rayon");
    // Only jobs: nothing to compare.
    loaded.summary.spawn.remove(0);
    let d = decide(&loaded);
    let r = d.rows.iter().find(|r| r.kind == RowKind::Spawn).unwrap();
    assert_eq!(r.body, Err(NotMeasured::NoProbe));
}
