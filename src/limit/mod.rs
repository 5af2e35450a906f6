//! Concurrency control: how many tasks a run lets be in flight, and how.
//!
//! Each runtime applies a limit in its own idiom (tokio's Semaphore, async-lock's for smol
//! and async-std, a pool of N for threads and pools); this module names the strategies.

mod blocking_semaphore;

use std::fmt;
use std::str::FromStr;

pub use blocking_semaphore::BlockingSemaphore;

use crate::SpecError;

/// How many tasks a run lets be in flight, and how it holds the rest back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Limit {
    /// Everything in flight at once (for pools: as many as the pool has workers).
    Unbounded,
    /// All tasks started; each waits for one of N permits before it works.
    Semaphore(usize),
    /// The notes' for-loop of gathers: start N, wait for all N, start the next N.
    Batches(usize),
    /// N workers, each taking the next task when it finishes one.
    Pool(usize),
}

impl Limit {
    /// The most tasks this limit lets be in flight, for `tasks` tasks.
    pub fn bound(self, tasks: usize) -> usize {
        match self {
            Limit::Unbounded => tasks,
            Limit::Semaphore(n) | Limit::Batches(n) | Limit::Pool(n) => n.min(tasks),
        }
    }

    /// N of `semaphore:N`, `batches:N` and `pool:N`; None for `unbounded`.
    pub fn size(self) -> Option<usize> {
        match self {
            Limit::Unbounded => None,
            Limit::Semaphore(n) | Limit::Batches(n) | Limit::Pool(n) => Some(n),
        }
    }

    /// The strategy name without its number: `unbounded`, `semaphore`, `batches`, `pool`.
    pub fn kind(self) -> &'static str {
        match self {
            Limit::Unbounded => "unbounded",
            Limit::Semaphore(_) => "semaphore",
            Limit::Batches(_) => "batches",
            Limit::Pool(_) => "pool",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // `pad`, so a table's `{:<13}` lines columns up.
            Limit::Unbounded => f.pad("unbounded"),
            Limit::Semaphore(n) | Limit::Batches(n) | Limit::Pool(n) => {
                f.pad(&format!("{}:{n}", self.kind()))
            }
        }
    }
}

crate::serde_as_text!(Limit);

const LIMIT_FORMS: &str = "unbounded, semaphore:N, batches:N or pool:N (N >= 1)";

impl FromStr for Limit {
    type Err = SpecError;

    fn from_str(s: &str) -> Result<Self, SpecError> {
        let bad =
            |why: &str| SpecError::new(format!("limit '{s}': {why}; accepted: {LIMIT_FORMS}"));
        if s == "unbounded" {
            return Ok(Limit::Unbounded);
        }
        let (kind, n) = s.split_once(':').ok_or_else(|| bad("malformed"))?;
        let n: usize = n.parse().map_err(|_| bad("N is not a whole number"))?;
        if n == 0 {
            return Err(bad("N must be at least 1"));
        }
        match kind {
            "semaphore" => Ok(Limit::Semaphore(n)),
            "batches" => Ok(Limit::Batches(n)),
            "pool" => Ok(Limit::Pool(n)),
            _ => Err(bad("unknown strategy")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_round_trip() {
        for s in ["unbounded", "semaphore:5", "batches:10", "pool:3"] {
            assert_eq!(s.parse::<Limit>().unwrap().to_string(), s);
        }
        for bad in [
            "semaphore",
            "semaphore:0",
            "pool:x",
            "gate:3",
            "",
            "unbounded:2",
        ] {
            let e = bad.parse::<Limit>().unwrap_err().to_string();
            assert!(e.contains("accepted"), "{e}");
        }
    }
}
