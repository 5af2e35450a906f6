//! Counts tasks in flight and remembers the most seen at once: the evidence that a
//! concurrency limit holds. Only instrumented runs carry one.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Tasks in flight now and at most (instrumented test runs only).
#[derive(Debug, Default)]
pub struct Gauge {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl Gauge {
    /// Marks a task as started; the returned guard marks it finished when dropped.
    pub fn enter(&self) -> GaugeGuard<'_> {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        GaugeGuard(self)
    }

    /// The most tasks in flight at once.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// Starts counting afresh.
    pub fn reset(&self) {
        self.now.store(0, Ordering::SeqCst);
        self.peak.store(0, Ordering::SeqCst);
    }
}

/// One task in flight; leaving drops it.
pub struct GaugeGuard<'a>(&'a Gauge);

impl Drop for GaugeGuard<'_> {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}
