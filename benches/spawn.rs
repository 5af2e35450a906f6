//! Run with: cargo bench --bench spawn
//!
//! The same two figures as `rtbench run --probes`, through the same adapter calls:
//! - `start/<runtime>`: the cost to start and join a unit that does nothing, each a real
//!   unit of the runtime's own kind (a task, an OS thread, `rayon::spawn`, a process
//!   spawned and reaped); 10,000 per iteration (1,000 threads, 50 processes).
//! - `job/<runtime>`: an empty job handed to a pool already running (rayon, crossbeam-pool,
//!   the process pool) and collected; no unit is started.
//!
//! Throughput is units (or jobs). Sequential starts nothing and has neither.
//! Does NOT show: memory per unit (see `rtbench run --memory`) or the cost of a unit that
//! waits (see the io bench).

mod common;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rtbench::limit::Limit;
use rtbench::runtime::{REGISTRY, Setup, SpawnKind, Variant};
use rtbench::suite::probes::spawn_units;

fn spawn(c: &mut Criterion) {
    common::prepare();
    let mut group = c.benchmark_group("spawn");
    common::configure(&mut group);
    for kind in SpawnKind::ALL {
        for &rt in REGISTRY {
            if !rt.spawn_kinds().contains(&kind) {
                continue;
            }
            let units = spawn_units(rt, kind);
            let setup = Setup {
                workers: common::workers(),
                limit: match kind {
                    SpawnKind::Start => Limit::Unbounded,
                    SpawnKind::Job => Limit::Pool(common::workers()),
                },
                tasks: units,
                variant: Variant::Normal,
            };
            group.throughput(Throughput::Elements(units as u64));
            group.bench_with_input(
                BenchmarkId::new(format!("{kind}/{}", rt.name()), units),
                &setup,
                |b, setup| {
                    b.iter_custom(|iters| {
                        common::timed_iters(rt, setup, iters, |instance| {
                            let spawned = match kind {
                                SpawnKind::Start => instance.start_units(units),
                                SpawnKind::Job => instance.submit_jobs(units),
                            }
                            .unwrap_or_else(|e| panic!("{kind}/{}: {e}", rt.name()));
                            assert_eq!(spawned.ran, units, "{kind}/{}: every unit ran", rt.name());
                            if let Some(distinct) = spawned.distinct {
                                assert_eq!(
                                    distinct,
                                    units,
                                    "{kind}/{}: one thread or process each",
                                    rt.name()
                                );
                            }
                            std::time::Duration::from_secs_f64(spawned.wall_seconds)
                        })
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, spawn);
criterion_main!(benches);
