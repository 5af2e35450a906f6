//! Row "short, precise sleeps": the timer probe's smallest overshoot of the shortest sleep,
//! the sleep timed inside the unit (start and join apart) wherever the folder has that.

use super::rank::{Candidate, Ranked};
use super::{NotMeasured, RowBody};
use crate::results::{Loaded, TimerProbe};
use crate::runtime::Model;

/// The rule, as the row states it.
pub const RULE: &str =
    "smallest overshoot of the shortest sleep probed; tied with it (min..max overlap), the faster";

/// The row's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct TimerRow<'a> {
    /// The shortest sleep probed.
    pub sleep: f64,
    /// Each runtime's probe of that sleep, smallest overshoot first.
    pub ranked: Ranked<&'a TimerProbe>,
    /// Whether every compared sleep was timed inside its unit (false for older files, which
    /// timed a whole one-unit cell: start and join inside the overshoot).
    pub inside_unit: bool,
}

/// Decides the row from a loaded folder.
pub fn decide(loaded: &Loaded) -> Result<RowBody<'_>, NotMeasured<'_>> {
    let probes: Vec<&TimerProbe> = loaded
        .summary
        .timers
        .iter()
        .filter(|p| p.error.is_none() && !p.legacy && p.model != Model::Sequential)
        .collect();
    let shortest = probes
        .iter()
        .map(|p| p.requested_seconds)
        .min_by(f64::total_cmp)
        .ok_or(NotMeasured::NoProbe)?;
    let mut candidates: Vec<Candidate<&TimerProbe>> = probes
        .into_iter()
        .filter(|p| p.requested_seconds == shortest)
        .map(|p| Candidate {
            item: p,
            time: p.overshoot_seconds,
            interval: (
                p.min_seconds - p.requested_seconds,
                p.max_seconds - p.requested_seconds,
            ),
            memory: None,
        })
        .collect();
    candidates.sort_by(|a, b| a.time.total_cmp(&b.time));
    let inside_unit = candidates.iter().all(|c| c.item.inside_unit);
    let ranked = Ranked::new(candidates).ok_or(NotMeasured::NoProbe)?;
    Ok(RowBody::Timer(TimerRow {
        sleep: shortest,
        ranked,
        inside_unit,
    }))
}
