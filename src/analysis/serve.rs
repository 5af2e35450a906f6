//! Row "a server under steady load": per backend, the model whose server kept the highest
//! offered rate within the SLO (its knee) under the open-loop generator. A knee is known
//! only to its bracket in the sweep, from the knee up to the lowest rate above it that was
//! run and not good; brackets that overlap are a tie, and the least peak RSS at the knee
//! wins it (through [`rank`](super::rank), the knee negated so that lower is better). A
//! knee whose half-knee rate missed the SLO is unstable: it wins only tied with a stable
//! one. Legacy runtimes are shown, never ranked.

use super::rank::{Candidate, Ranked, pick};
use super::{NotMeasured, RowBody};
use crate::results::{Loaded, ServeRecord};

/// The rule, as the row states it.
pub const RULE: &str = "per backend, the highest knee (the highest offered rate valid and within \
     the SLO); a knee's interval is its bracket in the sweep, [knee, lowest rate run above it and \
     not good) (open-ended if none): brackets overlapping the highest's are a tie, and the least \
     peak RSS at the knee wins it; a knee whose half-knee rate missed the SLO is unstable and wins \
     only tied with a stable knee (else the best stable knee wins); legacy runtimes shown, not ranked";

/// One model's server on one backend, at its knee.
#[derive(Debug, Clone, PartialEq)]
pub struct ServeItem<'a> {
    /// The record.
    pub record: &'a ServeRecord,
    /// The knee, requests/s offered.
    pub knee: f64,
    /// The lowest rate run above the knee that was not good (invalid or missing the SLO);
    /// None when every rate above it was good or none ran: the bracket is open-ended.
    pub above: Option<f64>,
    /// The half-knee rate was run and missed the SLO (or was invalid).
    pub unstable: bool,
    /// Corrected p99 at the knee, seconds.
    pub p99: f64,
    /// Corrected p99 at the half-knee rate (its last run), if it was run.
    pub half_p99: Option<f64>,
    /// The server's CPU over the knee's rate, in cores busy.
    pub cores: Option<f64>,
    /// The server's peak resident memory by the end of the knee's rate, bytes.
    pub peak_rss: Option<f64>,
    /// Its context switches per second over the knee's rate.
    pub switches_per_second: Option<f64>,
}

impl<'a> ServeItem<'a> {
    /// The record at its knee; None without a knee (no rate met the SLO, or no sweep).
    pub fn of(record: &'a ServeRecord) -> Option<ServeItem<'a>> {
        let (at, server) = record.at_knee()?;
        let knee = at.offered;
        let above = record
            .rates()
            .map(|(r, _)| r)
            .filter(|r| r.offered > knee && !r.good())
            .map(|r| r.offered)
            .min_by(f64::total_cmp);
        let half = record.load.as_ref().and_then(|l| l.half_knee);
        // The half-knee rate's last run: the one made after the search (the search may
        // have run that rate before, on its way up).
        let half_rate = half.and_then(|h| record.rates().filter(|(r, _)| r.offered == h).last());
        Some(ServeItem {
            record,
            knee,
            above,
            unstable: half_rate.is_some_and(|(r, _)| !r.good()),
            p99: at.corrected.p99,
            half_p99: half_rate.map(|(r, _)| r.corrected.p99),
            cores: server.map(|s| s.cores_busy()),
            peak_rss: server.map(|s| s.peak_rss_bytes as f64),
            switches_per_second: server.map(|s| s.switches_per_second()),
        })
    }

    /// As a candidate: lower is better, so the knee negated; its bracket negated, the upper
    /// end excluded (the rate above failed, so it is not in the bracket).
    pub fn candidate(self) -> Candidate<ServeItem<'a>> {
        let top = self.above.map_or(f64::INFINITY, f64::next_down);
        Candidate {
            time: -self.knee,
            interval: (-top, -self.knee),
            memory: self.peak_rss,
            item: self,
        }
    }
}

/// One backend's models.
#[derive(Debug, Clone, PartialEq)]
pub struct BackendRow<'a> {
    /// `timer` or `socket`.
    pub backend: &'a str,
    /// The ranked models, highest knee first; None when no non-legacy model has a knee.
    pub ranked: Option<Ranked<ServeItem<'a>>>,
    /// Legacy runtimes at their knee: shown, never candidates.
    pub legacy: Vec<ServeItem<'a>>,
    /// Models with no knee (failed, or no rate met the SLO), in run order.
    pub no_knee: Vec<&'a ServeRecord>,
}

/// The row's numbers: one entry per backend, in the order first met.
#[derive(Debug, Clone, PartialEq)]
pub struct ServeRow<'a> {
    /// Each backend's ranking.
    pub backends: Vec<BackendRow<'a>>,
}

/// Ranks candidates by their knees' brackets; an unstable pick not tied with a stable knee
/// gives way to the best stable knee (when there is one).
pub fn rank(mut candidates: Vec<Candidate<ServeItem<'_>>>) -> Option<Ranked<ServeItem<'_>>> {
    candidates.sort_by(|a, b| a.time.total_cmp(&b.time));
    let (mut chosen, mut tied) = pick(&candidates)?;
    let stable = |i: &usize| !candidates[*i].item.unstable;
    if !stable(&chosen) && !tied.iter().any(stable) {
        let stable_ones: Vec<usize> = (0..candidates.len()).filter(stable).collect();
        let subset: Vec<Candidate<ServeItem>> =
            stable_ones.iter().map(|&i| candidates[i].clone()).collect();
        if let Some((p, t)) = pick(&subset) {
            chosen = stable_ones[p];
            tied = t.into_iter().map(|i| stable_ones[i]).collect();
        }
    }
    Some(Ranked {
        candidates,
        pick: chosen,
        tied,
    })
}

/// The backends of `records`, in the order first met: the order rows, tables and panels
/// show them in.
pub fn backends<'a>(records: impl IntoIterator<Item = &'a ServeRecord>) -> Vec<&'a str> {
    let mut backends: Vec<&str> = Vec::new();
    for r in records {
        if !backends.contains(&r.backend.as_str()) {
            backends.push(&r.backend);
        }
    }
    backends
}

/// Decides the row from a loaded folder.
pub fn decide(loaded: &Loaded) -> Result<RowBody<'_>, NotMeasured<'_>> {
    let records = &loaded.summary.serve;
    if records.is_empty() {
        return Err(NotMeasured::NoCells);
    }
    let rows = backends(records)
        .into_iter()
        .map(|backend| {
            let of_backend = || records.iter().filter(move |r| r.backend == backend);
            let at_knee = |legacy: bool| {
                of_backend()
                    .filter(move |r| r.ok() && r.legacy == legacy)
                    .filter_map(ServeItem::of)
            };
            BackendRow {
                backend,
                ranked: rank(at_knee(false).map(ServeItem::candidate).collect()),
                legacy: at_knee(true).collect(),
                no_knee: of_backend()
                    .filter(|r| !r.ok() || r.knee().is_none())
                    .collect(),
            }
        })
        .collect();
    Ok(RowBody::Serve(ServeRow { backends: rows }))
}
