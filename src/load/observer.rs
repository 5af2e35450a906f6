//! What a caller sees of a sweep while it runs: each rate's start and end (to sample the
//! server process around it) and progress lines. Every method does nothing by default.

use super::record::RateResult;

/// Told about a sweep as it goes.
pub trait LoadObserver {
    /// A rate is about to start (its warm-up first).
    fn before_rate(&mut self, _offered: f64) {}
    /// A rate ended, its in-flight requests finished or timed out. The observer may find it
    /// invalid for a reason the generator cannot see ([`RateResult::invalidate`]), before
    /// the search judges it.
    fn after_rate(&mut self, _result: &mut RateResult) {}
    /// A line of progress for a person (the auto search's steps).
    fn progress(&mut self, _line: &str) {}
}

/// Tells nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl LoadObserver for Silent {}
