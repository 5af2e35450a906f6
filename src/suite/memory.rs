//! The memory pass: for each model, park N idle units in a fresh process at several N,
//! and report resident, heap, virtual and kernel bytes per unit as slopes over N. Sizes
//! grow until the largest one or the first failure (for threads: the OS limit), which is
//! recorded. Each size is parked [`REPEATS`] times, each in a fresh process, and every figure
//! is the median: the kernel's counters are system-wide and move with other processes.

use super::isolate::{Isolation, run_isolated};
use super::protocol::{CellRequest, MemorySample};
use super::stats::Stat;
use crate::results::{MemoryModel, MemoryRecord, RuntimeFacts};
use crate::runtime::{Model, Runtime};
use crate::units::bytes;

/// Fresh processes each size is parked in; every figure is their median.
pub const REPEATS: usize = 3;

/// The kernel figure is flagged noisy when the slopes its repeats allow lie further apart
/// than this share of the slope ...
pub const KERNEL_NOISE: f64 = 0.25;

/// ... and further apart than this many bytes per unit (an async task's kernel memory is
/// about 0, so a share of it would flag every wobble).
pub const KERNEL_NOISE_FLOOR_BYTES: f64 = 64.0;

/// The sizes each model is parked at. Threads go past the usual OS limit (about 16k with
/// vm.max_map_count 65530) so the limit shows as a failed size. A pool's unit is a thread
/// and sequential has no unit of its own: None.
pub fn sizes(runtime: &dyn Runtime) -> Option<&'static [usize]> {
    match runtime.model() {
        Model::Async => Some(&[10_000, 100_000, 1_000_000]),
        Model::Threads => Some(&[1_000, 5_000, 10_000, 15_000, 20_000, 30_000]),
        Model::Processes => Some(&[8, 32, 64, 256]),
        Model::ThreadPool | Model::Sequential => None,
    }
}

/// A step of the memory pass, for whoever follows it (progress, saving).
#[derive(Debug)]
pub enum Parking<'a> {
    /// A size is about to be parked.
    Starting(usize),
    /// A size has been measured.
    Parked(&'a MemoryRecord),
}

/// The memory pass of one model: every size of [`sizes`], in order, until the largest or
/// the first failure; `follow` hears of each step. The one source of the per-unit figures
/// that the memory table, the claims and the decision rows publish.
pub fn pass<E>(
    runtime: &dyn Runtime,
    workers: usize,
    iso: &Isolation,
    mut follow: impl FnMut(Parking<'_>) -> Result<(), E>,
) -> Result<MemoryModel, E> {
    let mut records = Vec::new();
    for &units in sizes(runtime).unwrap_or(&[]) {
        follow(Parking::Starting(units))?;
        let r = measure(runtime, units, workers, iso);
        follow(Parking::Parked(&r))?;
        let failed = r.error.is_some();
        records.push(r);
        if failed {
            break;
        }
    }
    Ok(model(runtime, &records))
}

/// Parks one size [`REPEATS`] times, each in a fresh child process; the record holds the
/// medians. A failed repeat fails the size.
pub fn measure(
    runtime: &dyn Runtime,
    units: usize,
    workers: usize,
    iso: &Isolation,
) -> MemoryRecord {
    let req = CellRequest {
        tasks: units,
        park: Some(units),
        ..CellRequest::small(runtime.name(), workers)
    };
    let mut runs = Vec::with_capacity(REPEATS);
    let mut failure = None;
    for repeat in 1..=REPEATS {
        let reply = run_isolated(&req, iso);
        match (reply.error, reply.memory) {
            (None, Some(m)) => runs.push(Once::of(&m)),
            (Some(e), _) if repeat == 1 => failure = Some((e.message, e.kind)),
            (Some(e), _) => {
                let why = format!("{} (in repeat {repeat} of {REPEATS})", e.message);
                failure = Some((why, e.kind));
            }
            (None, None) => {
                let why = "the cell answered without a memory sample";
                failure = Some((why.into(), "protocol".into()));
            }
        }
        if failure.is_some() {
            break;
        }
    }
    record(RuntimeFacts::of(runtime), units, &runs, failure)
}

/// What one fresh process measured for one size, per unit (resident and PSS include the
/// worker processes, for the processes model).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Once {
    rss_before: u64,
    rss_after: u64,
    rss: f64,
    pss: Option<f64>,
    heap: f64,
    virtual_: f64,
    /// Kernel stacks, page tables, unreclaimable slab: the system's growth per unit.
    kernel: Option<[f64; 3]>,
}

impl Once {
    fn of(m: &MemorySample) -> Once {
        let n = m.units as f64;
        let per = |a: u64, b: u64| (b as f64 - a as f64) / n;
        // Worker processes: their resident (and proportional) memory plus what this process
        // grew by. Everything else: this process's growth.
        let own = m.rss_after_bytes as f64 - m.rss_before_bytes as f64;
        Once {
            rss_before: m.rss_before_bytes,
            rss_after: m.rss_after_bytes,
            rss: (own + m.children_rss_bytes as f64) / n,
            pss: (m.children_pss_bytes > 0).then(|| (own + m.children_pss_bytes as f64) / n),
            heap: m.heap_bytes as f64 / n,
            virtual_: per(m.virtual_before_bytes, m.virtual_after_bytes)
                + m.children_virtual_bytes as f64 / n,
            kernel: m.kernel_before.zip(m.kernel_after).map(|(b, a)| {
                [
                    per(b.stack_bytes, a.stack_bytes),
                    per(b.page_tables_bytes, a.page_tables_bytes),
                    per(b.slab_unreclaimable_bytes, a.slab_unreclaimable_bytes),
                ]
            }),
        }
    }

    fn kernel_total(&self) -> Option<f64> {
        self.kernel.map(|k| k.iter().sum())
    }
}

/// One size's record from its repeats: the median of each figure, the kernel's lowest and
/// highest beside it; zeros and the reason when a repeat failed.
fn record(
    facts: RuntimeFacts,
    units: usize,
    runs: &[Once],
    failure: Option<(String, String)>,
) -> MemoryRecord {
    let mut r = MemoryRecord {
        runtime: facts.name.into(),
        legacy: facts.legacy,
        model: facts.model,
        unit: facts.unit,
        units,
        rss_before_bytes: 0,
        rss_after_bytes: 0,
        rss_per_unit_bytes: 0.0,
        pss_per_unit_bytes: None,
        heap_per_unit_bytes: 0.0,
        virtual_per_unit_bytes: 0.0,
        error: None,
        error_kind: None,
        repeats: runs.len(),
        kernel_per_unit_bytes: None,
        kernel_min_per_unit_bytes: None,
        kernel_max_per_unit_bytes: None,
        kernel_stack_per_unit_bytes: None,
        page_tables_per_unit_bytes: None,
        slab_per_unit_bytes: None,
    };
    if let Some((message, kind)) = failure {
        r.error = Some(message);
        r.error_kind = Some(kind);
        return r;
    }
    let median = |f: &dyn Fn(&Once) -> f64| Stat::of(runs.iter().map(f)).map_or(0.0, |s| s.median);
    // Every repeat or none: a figure some repeats lack is not measured.
    let all = |f: &dyn Fn(&Once) -> Option<f64>| {
        let v: Option<Vec<f64>> = runs.iter().map(f).collect();
        Stat::of(v?)
    };
    r.rss_before_bytes = median(&|o| o.rss_before as f64) as u64;
    r.rss_after_bytes = median(&|o| o.rss_after as f64) as u64;
    r.rss_per_unit_bytes = median(&|o| o.rss);
    r.pss_per_unit_bytes = all(&|o| o.pss).map(|s| s.median);
    r.heap_per_unit_bytes = median(&|o| o.heap);
    r.virtual_per_unit_bytes = median(&|o| o.virtual_);
    if let Some(k) = all(&|o| o.kernel_total()) {
        r.kernel_per_unit_bytes = Some(k.median);
        r.kernel_min_per_unit_bytes = Some(k.min);
        r.kernel_max_per_unit_bytes = Some(k.max);
    }
    let part = |i: usize| all(&|o| o.kernel.map(|k| k[i])).map(|s| s.median);
    r.kernel_stack_per_unit_bytes = part(0);
    r.page_tables_per_unit_bytes = part(1);
    r.slab_per_unit_bytes = part(2);
    r
}

/// One model's summary from its sizes: least-squares slopes over the sizes that parked.
pub fn model(runtime: &dyn Runtime, records: &[MemoryRecord]) -> MemoryModel {
    let ok: Vec<&MemoryRecord> = records.iter().filter(|r| r.error.is_none()).collect();
    // A figure some size lacks is not measured.
    let fit = |y: fn(&MemoryRecord) -> Option<f64>| {
        let points: Option<Vec<(f64, f64)>> = ok
            .iter()
            .map(|r| Some((r.units as f64, y(r)? * r.units as f64)))
            .collect();
        slope(&points?)
    };
    let facts = RuntimeFacts::of(runtime);
    let kernel = fit(|r| r.kernel_per_unit_bytes);
    let noise = kernel_noise(&ok, kernel);
    let mut m = MemoryModel {
        runtime: facts.name.into(),
        legacy: facts.legacy,
        model: facts.model,
        unit: facts.unit,
        sizes: ok.iter().map(|r| r.units).collect(),
        rss_per_unit_bytes: fit(|r| Some(r.rss_per_unit_bytes)),
        pss_per_unit_bytes: fit(|r| r.pss_per_unit_bytes),
        heap_per_unit_bytes: fit(|r| Some(r.heap_per_unit_bytes)),
        virtual_per_unit_bytes: fit(|r| Some(r.virtual_per_unit_bytes)),
        max_units: ok.iter().map(|r| r.units).max().unwrap_or(0),
        stopped_by: records
            .iter()
            .find_map(|r| r.error.as_ref().map(|e| format!("{} units: {e}", r.units))),
        repeats: ok.iter().map(|r| r.repeats).min().unwrap_or(REPEATS),
        kernel_per_unit_bytes: kernel,
        kernel_stack_per_unit_bytes: fit(|r| r.kernel_stack_per_unit_bytes),
        page_tables_per_unit_bytes: fit(|r| r.page_tables_per_unit_bytes),
        slab_per_unit_bytes: fit(|r| r.slab_per_unit_bytes),
        total_per_unit_bytes: None,
        kernel_noisy: noise.is_some(),
        kernel_noise: noise,
    };
    m.total_per_unit_bytes = m.own_per_unit().zip(kernel).map(|((own, _), k)| own + k);
    m
}

/// Why the kernel slope is not to be trusted, if it is not: with each size anywhere between
/// its lowest and highest repeat, the slopes lie further apart than [`KERNEL_NOISE`] of the
/// slope and [`KERNEL_NOISE_FLOOR_BYTES`].
fn kernel_noise(ok: &[&MemoryRecord], kernel: Option<f64>) -> Option<String> {
    let kernel = kernel?;
    let ranges: Option<Vec<(f64, f64, f64)>> = ok
        .iter()
        .map(|r| {
            let (lo, hi) = (r.kernel_min_per_unit_bytes?, r.kernel_max_per_unit_bytes?);
            Some((r.units as f64, lo, hi))
        })
        .collect();
    let (low, high) = slope_range(&ranges?)?;
    let allowed = (KERNEL_NOISE * kernel.abs()).max(KERNEL_NOISE_FLOOR_BYTES);
    (high - low > allowed).then(|| {
        format!(
            "the repeats put kernel memory anywhere from {} to {} per unit around {}, more than {} apart: \
             other processes moved the system's counters",
            bytes(Some(low)),
            bytes(Some(high)),
            bytes(Some(kernel)),
            bytes(Some(allowed))
        )
    })
}

/// Least-squares slope of y over x; with one point, y / x; None without points.
pub fn slope(points: &[(f64, f64)]) -> Option<f64> {
    match points {
        [] => None,
        [(x, y)] => Some(y / x),
        _ => {
            let n = points.len() as f64;
            let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
            let my = points.iter().map(|p| p.1).sum::<f64>() / n;
            let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
            let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
            Some(sxy / sxx)
        }
    }
}

/// The lowest and highest slope (see [`slope`]) of points `(x, low, high)` whose per-unit y
/// lies anywhere in `[low, high]` at x units. The slope grows with y at an x above the mean
/// and falls with it below, so the extremes take each point at one end of its range.
pub fn slope_range(points: &[(f64, f64, f64)]) -> Option<(f64, f64)> {
    let mean = points.iter().map(|p| p.0).sum::<f64>() / points.len() as f64;
    let pick = |lowest: bool| -> Vec<(f64, f64)> {
        points
            .iter()
            .map(|&(x, lo, hi)| (x, x * if (x >= mean) == lowest { lo } else { hi }))
            .collect()
    };
    Some((slope(&pick(true))?, slope(&pick(false))?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::memory::KernelMemory;

    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;

    /// A thread-like sample: a fixed cost plus 9.5 KiB resident and 16 + 4 + 8 KiB of kernel
    /// per unit, and `burst` bytes of slab another process took meanwhile.
    fn sample(units: usize, burst: u64) -> Once {
        let n = units as u64;
        let kernel = |stack, tables, slab| KernelMemory {
            stack_bytes: stack,
            page_tables_bytes: tables,
            slab_unreclaimable_bytes: slab,
        };
        Once::of(&MemorySample {
            units,
            rss_before_bytes: 3 * MIB,
            rss_after_bytes: 3 * MIB + MIB + n * 9728,
            virtual_before_bytes: 100 * MIB,
            virtual_after_bytes: 100 * MIB + n * 2 * MIB,
            heap_bytes: (n * 187) as i64,
            children_rss_bytes: 0,
            children_pss_bytes: 0,
            children_virtual_bytes: 0,
            kernel_before: Some(kernel(MIB, 5 * MIB, 40 * MIB)),
            kernel_after: Some(kernel(
                MIB + n * 16 * KIB,
                5 * MIB + 64 * KIB + n * 4 * KIB,
                40 * MIB + 2 * MIB + n * 8 * KIB + burst,
            )),
        })
    }

    fn sizes_with_burst(at: usize, burst: u64) -> Vec<MemoryRecord> {
        let threads = crate::runtime::find("threads").unwrap();
        [1_000, 5_000, 10_000]
            .into_iter()
            .map(|units| {
                let noisy = if units == at { burst } else { 0 };
                let runs = [sample(units, 0), sample(units, noisy), sample(units, 0)];
                record(RuntimeFacts::of(threads), units, &runs, None)
            })
            .collect()
    }

    #[test]
    fn the_median_drops_a_noisy_repeat_and_the_slope_a_fixed_cost() {
        let threads = crate::runtime::find("threads").unwrap();
        let records = sizes_with_burst(5_000, 50 * MIB);
        let mid = &records[1];
        assert_eq!(mid.repeats, REPEATS);
        // The burst is the highest repeat's alone; the median is the quiet repeats' figure.
        let quiet = 28.0 * 1024.0 + (64.0 * 1024.0 + 2.0 * 1024.0 * 1024.0) / 5000.0;
        assert!(
            (mid.kernel_per_unit_bytes.unwrap() - quiet).abs() < 1e-6,
            "{mid:?}"
        );
        let burst = 50.0 * 1024.0 * 1024.0 / 5000.0;
        assert!((mid.kernel_max_per_unit_bytes.unwrap() - quiet - burst).abs() < 1e-6);
        assert_eq!(mid.kernel_stack_per_unit_bytes, Some(16384.0));
        let m = model(threads, &records);
        let near = |v: Option<f64>, want: f64| (v.unwrap() - want).abs() < 1e-6;
        // Fixed costs (1 MiB resident, 2 MiB slab, 64 KiB of page tables) drop out.
        assert!(near(m.rss_per_unit_bytes, 9728.0), "{m:?}");
        assert!(near(m.kernel_per_unit_bytes, 28.0 * 1024.0), "{m:?}");
        assert!(near(m.kernel_stack_per_unit_bytes, 16384.0), "{m:?}");
        assert!(near(m.page_tables_per_unit_bytes, 4096.0), "{m:?}");
        assert!(near(m.slab_per_unit_bytes, 8192.0), "{m:?}");
        assert!(
            near(m.total_per_unit_bytes, 9728.0 + 28.0 * 1024.0),
            "{m:?}"
        );
        assert!(near(m.heap_per_unit_bytes, 187.0), "{m:?}");
        assert_eq!(
            m.own_per_unit().unwrap().1,
            crate::results::MemoryKind::Resident
        );
        // A burst at a middle size barely moves the slope: not noisy.
        assert!(!m.kernel_noisy, "{:?}", m.kernel_noise);
    }

    #[test]
    fn repeats_that_disagree_at_a_size_that_sets_the_slope_flag_the_kernel_noisy() {
        let threads = crate::runtime::find("threads").unwrap();
        let m = model(threads, &sizes_with_burst(10_000, 200 * MIB));
        // The median is still right; the flag says how far the repeats let it stray.
        assert!((m.kernel_per_unit_bytes.unwrap() - 28.0 * 1024.0).abs() < 1e-6);
        assert!(m.kernel_noisy, "{m:?}");
        assert!(
            m.kernel_noise.as_deref().unwrap().contains("per unit"),
            "{m:?}"
        );
    }

    #[test]
    fn a_failed_repeat_fails_the_size_and_a_missing_counter_measures_nothing() {
        let threads = crate::runtime::find("threads").unwrap();
        let facts = RuntimeFacts::of(threads);
        let why = Some(("refused (in repeat 2 of 3)".into(), "os-limit".into()));
        let failed = record(facts, 20_000, &[sample(20_000, 0)], why);
        assert_eq!(failed.error_kind.as_deref(), Some("os-limit"));
        assert_eq!(failed.kernel_per_unit_bytes, None);
        let mut blind = sample(1_000, 0);
        blind.kernel = None;
        let r = record(facts, 1_000, &[sample(1_000, 0), blind], None);
        assert_eq!(r.kernel_per_unit_bytes, None);
        let m = model(threads, &[r, failed]);
        assert_eq!(
            (m.kernel_per_unit_bytes, m.total_per_unit_bytes),
            (None, None)
        );
        assert!(!m.kernel_noisy);
        assert!(m.stopped_by.unwrap().starts_with("20000 units: refused"));
    }

    #[test]
    fn slope_ignores_a_fixed_cost() {
        let pts = [
            (10.0, 1000.0 + 10.0 * 450.0),
            (100.0, 1000.0 + 100.0 * 450.0),
            (1000.0, 1000.0 + 1000.0 * 450.0),
        ];
        assert!((slope(&pts).unwrap() - 450.0).abs() < 1e-9);
        assert_eq!(slope(&[(4.0, 8.0)]), Some(2.0));
        assert_eq!(slope(&[]), None);
        // One point: the range is its own; two: each end pulls the slope its way.
        assert_eq!(slope_range(&[(4.0, 1.0, 3.0)]), Some((1.0, 3.0)));
        let (lo, hi) = slope_range(&[(1.0, 10.0, 10.0), (3.0, 9.0, 11.0)]).unwrap();
        assert!(
            (lo - 8.5).abs() < 1e-9 && (hi - 11.5).abs() < 1e-9,
            "{lo} {hi}"
        );
    }
}
