//! The memory pass: for each model, park N idle units in a fresh process at several N,
//! and report resident, heap and virtual bytes per unit as slopes over N. Sizes grow until
//! the largest one or the first failure (for threads: the OS limit), which is recorded.

use super::isolate::{Isolation, run_isolated};
use super::protocol::CellRequest;
use crate::results::{MemoryModel, MemoryRecord, RuntimeFacts};
use crate::runtime::{Model, Runtime};

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

/// Parks one size in a child process.
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
    let reply = run_isolated(&req, iso);
    let per = |a: f64, b: f64| (b - a) / units as f64;
    let facts = RuntimeFacts::of(runtime);
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
        error: reply.error.as_ref().map(|e| e.message.clone()),
        error_kind: reply.error.as_ref().map(|e| e.kind.clone()),
    };
    if let (None, Some(m)) = (&reply.error, reply.memory) {
        r.rss_before_bytes = m.rss_before_bytes;
        r.rss_after_bytes = m.rss_after_bytes;
        // Worker processes: their resident (and proportional) memory plus what this process
        // grew by. Everything else: this process's growth.
        let own = m.rss_after_bytes as f64 - m.rss_before_bytes as f64;
        r.rss_per_unit_bytes = (own + m.children_rss_bytes as f64) / units as f64;
        if m.children_pss_bytes > 0 {
            r.pss_per_unit_bytes = Some((own + m.children_pss_bytes as f64) / units as f64);
        }
        r.heap_per_unit_bytes = m.heap_bytes as f64 / units as f64;
        r.virtual_per_unit_bytes = per(m.virtual_before_bytes as f64, m.virtual_after_bytes as f64)
            + m.children_virtual_bytes as f64 / units as f64;
    } else if r.error.is_none() {
        r.error = Some("the cell answered without a memory sample".into());
        r.error_kind = Some("protocol".into());
    }
    r
}

/// One model's summary from its sizes.
pub fn model(runtime: &dyn Runtime, records: &[MemoryRecord]) -> MemoryModel {
    let ok: Vec<&MemoryRecord> = records.iter().filter(|r| r.error.is_none()).collect();
    let fit = |y: fn(&MemoryRecord) -> f64| {
        slope(
            &ok.iter()
                .map(|r| (r.units as f64, y(r) * r.units as f64))
                .collect::<Vec<_>>(),
        )
    };
    let facts = RuntimeFacts::of(runtime);
    MemoryModel {
        runtime: facts.name.into(),
        legacy: facts.legacy,
        model: facts.model,
        unit: facts.unit,
        sizes: ok.iter().map(|r| r.units).collect(),
        rss_per_unit_bytes: fit(|r| r.rss_per_unit_bytes),
        pss_per_unit_bytes: if ok.iter().all(|r| r.pss_per_unit_bytes.is_some()) {
            fit(|r| r.pss_per_unit_bytes.unwrap_or(0.0))
        } else {
            None
        },
        heap_per_unit_bytes: fit(|r| r.heap_per_unit_bytes),
        virtual_per_unit_bytes: fit(|r| r.virtual_per_unit_bytes),
        max_units: ok.iter().map(|r| r.units).max().unwrap_or(0),
        stopped_by: records
            .iter()
            .find_map(|r| r.error.as_ref().map(|e| format!("{} units: {e}", r.units))),
    }
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

#[cfg(test)]
mod tests {
    use super::slope;

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
    }
}
