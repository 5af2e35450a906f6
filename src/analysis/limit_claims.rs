//! The limits row's parts read from claims C06 (rejections at a rate-limited server) and
//! C15 (an adaptive limit), each measured on the in-process model and over TCP against the
//! latency server in capacity mode. A folder written before the claims ran over TCP holds
//! the in-process figures alone: its TCP part is the key it lacks, shown as not measured.

use super::{Lookup, lookup};
use crate::results::{C15_ADAPTIVE, C15_FIXED, ClaimResult, FigureId, FigureKey, Verdict};

/// The figures over TCP the row reads; the fixture's claims predate them.
pub const TCP: [FigureId; 4] = [
    FigureId::C06RejectedNoLimitTcp,
    FigureId::C06RejectedSemaphoreTcp,
    FigureId::C15CallsPerSecondTcp,
    FigureId::C15RejectedTcp,
];

/// C06's rejections on one transport, over the runtimes it ran on.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejections {
    /// Calls rejected with no client limit, one per runtime.
    pub no_limit: Vec<f64>,
    /// Calls rejected under semaphore(10), one per runtime.
    pub semaphore: Vec<f64>,
}

/// Claim C06's rejections, in-process and over TCP.
#[derive(Debug, Clone, PartialEq)]
pub struct C06Part {
    /// Against the in-process model.
    pub in_process: Rejections,
    /// Over TCP, or the key of the figure the folder lacks.
    pub tcp: Result<Rejections, FigureKey>,
    /// C06's verdict.
    pub verdict: Option<Verdict>,
}

/// Claim C15's limiters on one transport: calls per second and rejections.
#[derive(Debug, Clone, PartialEq)]
pub struct C15Limits {
    /// The adaptive limiter: calls per second and rejections.
    pub adaptive: (f64, f64),
    /// Each fixed limit: its name, calls per second and rejections.
    pub fixed: Vec<(&'static str, Lookup, Lookup)>,
}

/// Claim C15's limiters, in-process and over TCP.
#[derive(Debug, Clone, PartialEq)]
pub struct C15Part {
    /// Against the in-process model.
    pub in_process: C15Limits,
    /// Over TCP, or the key of the adaptive figure the folder lacks.
    pub tcp: Result<C15Limits, FigureKey>,
    /// C15's verdict.
    pub verdict: Option<Verdict>,
}

/// C06's rejections of the figures `[no limit, semaphore]`; the key of the first when the
/// claim wrote none of it.
fn rejections(
    c: &ClaimResult,
    [no_limit, semaphore]: [FigureId; 2],
) -> Result<Rejections, FigureKey> {
    let values = |id| c.each(id).map(|(_, f)| f.value).collect::<Vec<f64>>();
    let no_limit_values = values(no_limit);
    if no_limit_values.is_empty() {
        return Err(FigureKey::of(no_limit));
    }
    Ok(Rejections {
        no_limit: no_limit_values,
        semaphore: values(semaphore),
    })
}

/// C06's part, if it measured rejections in-process.
pub fn c06_part(c: &ClaimResult) -> Option<C06Part> {
    Some(C06Part {
        in_process: rejections(
            c,
            [FigureId::C06RejectedNoLimit, FigureId::C06RejectedSemaphore],
        )
        .ok()?,
        tcp: rejections(
            c,
            [
                FigureId::C06RejectedNoLimitTcp,
                FigureId::C06RejectedSemaphoreTcp,
            ],
        ),
        verdict: c.verdict,
    })
}

/// C15's limiters of the figures `[calls per second, rejected]`; the key of the adaptive
/// limiter's first figure the claim did not write.
fn limits(c: &ClaimResult, [rate_id, rejected_id]: [FigureId; 2]) -> Result<C15Limits, FigureKey> {
    let rate = |l: &str| lookup(c, FigureKey::about(rate_id, l));
    let rejected = |l: &str| lookup(c, FigureKey::about(rejected_id, l));
    Ok(C15Limits {
        adaptive: (rate(C15_ADAPTIVE)?, rejected(C15_ADAPTIVE)?),
        fixed: C15_FIXED
            .iter()
            .map(|&l| (l, rate(l), rejected(l)))
            .collect(),
    })
}

/// C15's part, if it measured the adaptive limiter in-process.
pub fn c15_part(c: &ClaimResult) -> Option<C15Part> {
    Some(C15Part {
        in_process: limits(c, [FigureId::C15CallsPerSecond, FigureId::C15Rejected]).ok()?,
        tcp: limits(
            c,
            [FigureId::C15CallsPerSecondTcp, FigureId::C15RejectedTcp],
        ),
        verdict: c.verdict,
    })
}
