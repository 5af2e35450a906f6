//! Row "a server under steady load": per backend, the model whose server kept the highest
//! offered rate within the SLO (its knee) under the open-loop generator. A knee is known
//! only to its bracket in the sweep, from the knee up to the lowest rate above it that was
//! run and not good. A model swept several times has the median of its sweeps' knees, and
//! an interval from the lowest knee to the highest bracket's top: the spread from one
//! sweep to the next is part of what is known. Intervals that overlap are a tie, and the
//! least memory at the knee (PSS) wins it (through [`rank`](super::rank), the knee negated so
//! that lower is better). A knee whose half-knee rate missed the SLO is unstable: it wins
//! only tied with a stable one. Legacy runtimes are shown, never ranked.

use super::rank::{Candidate, Ranked, pick};
use super::{NotMeasured, RowBody};
use crate::results::{Loaded, ServeRecord};

/// The rule, as the row states it.
pub const RULE: &str = "per backend, the highest knee (the highest offered rate valid and within \
     the SLO; with several sweeps of a model, the median of their knees); a knee's interval is \
     its bracket in the sweep, [knee, lowest rate run above it and not good) (open-ended if \
     none), over several sweeps from the lowest knee to the highest bracket's top: intervals \
     overlapping the highest's are a tie, and the least memory at the knee (PSS, which counts \
     pages pre-forked workers share once; peak RSS where PSS was not recorded) wins it; a knee \
     whose half-knee rate missed the SLO is unstable and wins only tied with a stable knee \
     (else the best stable knee wins); legacy runtimes shown, not ranked";

/// One model's server on one backend, at its knee.
#[derive(Debug, Clone, PartialEq)]
pub struct ServeItem<'a> {
    /// The record: with several sweeps, the one whose knee is their median (the lower of
    /// the two middle ones for an even count), whose figures the others' follow.
    pub record: &'a ServeRecord,
    /// The knee, requests/s offered.
    pub knee: f64,
    /// The lowest rate run above the knee that was not good (invalid or missing the SLO);
    /// None when every rate above it was good or none ran: the bracket is open-ended. With
    /// several sweeps, the highest such rate of any sweep (None if any is open-ended).
    pub above: Option<f64>,
    /// Every sweep's knee, ascending (one for a single sweep); the interval starts at the
    /// first.
    pub knees: Vec<f64>,
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
    /// Its proportional set size at the end of the knee's rate, bytes (None where not
    /// recorded): what a tie is decided on, as resident bytes summed over pre-forked
    /// workers count the pages they share once per worker.
    pub pss: Option<f64>,
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
            knees: vec![knee],
            unstable: half_rate.is_some_and(|(r, _)| !r.good()),
            p99: at.corrected.p99,
            half_p99: half_rate.map(|(r, _)| r.corrected.p99),
            cores: server.map(|s| s.cores_busy()),
            peak_rss: server.map(|s| s.peak_rss_bytes as f64),
            pss: server.map(|s| s.pss_bytes as f64).filter(|&p| p > 0.0),
            switches_per_second: server.map(|s| s.switches_per_second()),
        })
    }

    /// One model's sweeps (on one backend) read together: the median sweep's figures, the
    /// knees of all, and the interval's top from the highest bracket. Sweeps without a knee
    /// are left out; None if none has one.
    pub fn of_sweeps(records: &[&'a ServeRecord]) -> Option<ServeItem<'a>> {
        let mut items: Vec<ServeItem<'a>> = records.iter().filter_map(|r| Self::of(r)).collect();
        items.sort_by(|a, b| a.knee.total_cmp(&b.knee));
        let knees: Vec<f64> = items.iter().map(|i| i.knee).collect();
        let above = items
            .iter()
            .map(|i| i.above)
            .try_fold(0.0, |top: f64, a| a.map(|a| top.max(a)));
        let mut median = items.get(items.len().checked_sub(1)? / 2)?.clone();
        median.above = above;
        median.knees = knees;
        Some(median)
    }

    /// The memory a tie is decided on: PSS, or peak RSS where PSS was not recorded.
    pub fn memory(&self) -> Option<f64> {
        self.pss.or(self.peak_rss)
    }

    /// The lowest knee of its sweeps: the interval's start.
    pub fn low(&self) -> f64 {
        self.knees.first().copied().unwrap_or(self.knee)
    }

    /// As a candidate: lower is better, so the knee negated; its interval negated, the
    /// upper end excluded (the rate above failed, so it is not in the bracket).
    pub fn candidate(self) -> Candidate<ServeItem<'a>> {
        let top = self.above.map_or(f64::INFINITY, f64::next_down);
        Candidate {
            time: -self.knee,
            interval: (-top, -self.low()),
            memory: self.memory(),
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
    /// Sweeps with no knee (failed, or no rate met the SLO), in run order.
    pub no_knee: Vec<&'a ServeRecord>,
    /// Sweeps of each model on this backend (the most any model had).
    pub sweeps: usize,
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

/// `records` grouped by model, in the order first met, each group's sweeps in run order.
pub fn models<'a>(records: impl IntoIterator<Item = &'a ServeRecord>) -> Vec<Vec<&'a ServeRecord>> {
    let mut groups: Vec<Vec<&ServeRecord>> = Vec::new();
    for r in records {
        match groups.iter_mut().find(|g| g[0].model == r.model) {
            Some(g) => g.push(r),
            None => groups.push(vec![r]),
        }
    }
    groups
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
                models(of_backend()).into_iter().filter_map(move |sweeps| {
                    let ok: Vec<&ServeRecord> = sweeps
                        .into_iter()
                        .filter(|r| r.ok() && r.legacy == legacy)
                        .collect();
                    ServeItem::of_sweeps(&ok)
                })
            };
            BackendRow {
                backend,
                ranked: rank(at_knee(false).map(ServeItem::candidate).collect()),
                legacy: at_knee(true).collect(),
                no_knee: of_backend()
                    .filter(|r| !r.ok() || r.knee().is_none())
                    .collect(),
                sweeps: models(of_backend()).iter().map(Vec::len).max().unwrap_or(0),
            }
        })
        .collect();
    Ok(RowBody::Serve(ServeRow { backends: rows }))
}
