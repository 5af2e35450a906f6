//! How a task's steps reach the world outside the thread, one trait per runtime family. A
//! `Wait` is the runtime family's business (an async timer, a blocking sleep; later a
//! socket call); a `Compute` is the same factorial on the current thread for every runtime,
//! so it stays in the shared task body.

use std::future::Future;
use std::time::Duration;

/// How an async task waits: an adapter's timer, or a labelled variant's blocking call.
pub trait AsyncSteps: Copy + Send + Sync + 'static {
    /// Waits `d` inside an async task.
    fn wait(self, d: Duration) -> impl Future<Output = ()> + Send + 'static;
}

/// How a blocking unit (a thread, a pool job, a worker process) waits.
pub trait BlockingSteps {
    /// Waits `d`, blocking this thread; by default `std::thread::sleep`.
    fn wait(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// The standard library's blocking steps: what threads, pools, `sequential` and worker
/// processes use, and what an async task's labelled blocking variants call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StdSteps;

impl BlockingSteps for StdSteps {}
