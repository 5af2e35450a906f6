//! Run with: cargo bench --bench net   (one runtime: cargo bench --bench net -- 'net/tokio')
//!
//! Real I/O: every task opens a TCP connection to the latency server (its own process, on
//! 127.0.0.1), makes one request answered after 10 ms, checks the reply and closes: the
//! runtime's reactor on async runtimes (tokio::net, async-net, async_std::net), blocking
//! std::net on threads, pools and processes. 100 and 1,000 tasks, everything in flight
//! (pools sized to the task count; processes: one per task). Sequential only at 100.
//! The same waits as the `io` bench, so the two side by side show timer waits against
//! socket waits. Does NOT show: memory (see `rtbench run --memory`), the server's own
//! accuracy (see the probe `rtbench run --workload net` prints), or behaviour under a limit.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use rtbench::workload::WorkloadSpec;

fn net(c: &mut Criterion) {
    common::waits_group(c, "net", WorkloadSpec::net);
}

criterion_group!(benches, net);
criterion_main!(benches);
