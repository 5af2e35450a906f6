//! The service experiment (claims C06, C15) on every async runtime, against the in-process
//! model and over TCP against the latency server in capacity mode, as a cell runs it
//! (`net::service`, which also fails the run if the client's counts and the server's
//! differ): the same counts wherever the arrivals leave no doubt. One test per runtime, so
//! a failure names it, as in tests/runtimes.rs.

use std::time::Duration;

use rtbench::limit::Limit;
use rtbench::runtime::{Model, Setup, Variant, net};
use rtbench::workload::service::{ClientLimit, ServiceSpec, Transport};

fn body(name: &str) {
    let rt = rtbench::runtime::find(name).unwrap_or_else(|e| panic!("{e}"));
    let setup = Setup {
        workers: 2,
        limit: Limit::Unbounded,
        tasks: 1,
        variant: Variant::Normal,
    };
    let mut instance = rt
        .start(&setup)
        .unwrap_or_else(|e| panic!("{name}: start: {e}"));
    // 200 ms: far longer than sending 30 requests takes, so all arrive while 5 wait.
    let base = ServiceSpec::at_once(30, 5, Duration::from_millis(200));
    let short = Duration::from_millis(20);
    for transport in Transport::ALL {
        let mut run = |spec: ServiceSpec| {
            let spec = ServiceSpec { transport, ..spec };
            net::service(instance.as_mut(), &spec)
                .unwrap_or_else(|e| panic!("{name} {transport:?} {:?}: {e}", spec.limit))
        };
        let o = run(base);
        assert_eq!(
            (o.accepted, o.rejected, o.completed),
            (5, 25, 5),
            "{name} {transport:?}: released at once, {o:?}"
        );
        // A semaphore of the capacity: a place is free before the next call is sent.
        let o = run(ServiceSpec {
            limit: ClientLimit::Semaphore(5),
            latency: short,
            ..base
        });
        assert_eq!(
            (o.accepted, o.rejected, o.completed),
            (30, 0, 30),
            "{name} {transport:?}: semaphore(5), {o:?}"
        );
        // Adaptive, retried: every call done in the end, the limit within its bounds.
        let o = run(ServiceSpec {
            limit: ClientLimit::Adaptive { start: 1, max: 20 },
            latency: short,
            retry_after: Some(short / 2),
            ..base
        });
        assert_eq!(
            (o.accepted, o.completed),
            (30, 30),
            "{name} {transport:?}: adaptive, {o:?}"
        );
        assert!(
            (1..=20).contains(&o.final_limit),
            "{name} {transport:?}: {o:?}"
        );
    }
}

/// The runtimes tested below: every async runtime of this build.
const ASYNC_RUNTIMES: &[&str] = &[
    "tokio",
    "tokio-current-thread",
    "smol",
    #[cfg(feature = "async-std")]
    "async-std",
];

#[test]
fn every_async_runtime_is_tested() {
    let asyncs: Vec<&str> = rtbench::runtime::of_model(Model::Async)
        .iter()
        .map(|r| r.name())
        .collect();
    assert_eq!(asyncs, ASYNC_RUNTIMES);
}

#[test]
fn tokio() {
    body("tokio");
}

#[test]
fn tokio_current_thread() {
    body("tokio-current-thread");
}

#[test]
fn smol() {
    body("smol");
}

#[cfg(feature = "async-std")]
#[test]
fn async_std() {
    body("async-std");
}
