//! Row "bounding concurrency against a rate-limited API": a semaphore, a pool or batches of
//! the same size, compared over claim C05's task orders when the claims ran (so no pick rests
//! on one lucky order), else in the io cells; and claims C06 (rejections) and C15 (an
//! adaptive limit), in-process and over TCP (`limit_claims.rs`).
//!
//! Over C05's orders the styles are compared by their time over the semaphore's in the same
//! order (C05's paired ratios): every style runs the same order in a round, so the ratio
//! cancels the order, whose spread would otherwise make every unpaired interval overlap.
//! A folder written before C05 published the pool's ratio compares the unpaired intervals
//! and names the ratio it lacks.

use super::limit_claims::{C06Part, C15Part, c06_part, c15_part};
use super::rank::overlap;
use super::select::usable;
use super::{NotMeasured, RowBody};
use crate::claims::C05_LIMIT;
use crate::limit::Limit;
use crate::results::{CellRecord, ClaimResult, FigureId, FigureKey, Loaded, Verdict};
use crate::workload::{Latency, WorkloadKind};

/// The rule, as the row states it.
pub const RULE: &str = "every limit style tied with the fastest (intervals overlap, or it is not surely \
                        more than 2% slower) under each latency spread, over claim C05's task orders when \
                        it ran (each style's time over the semaphore's in the same order: tied when that \
                        ratio's interval holds 1), else in the io cells; rejections from C06 and C15's \
                        limits, in-process and over TCP; the adaptive limit when C15 holds";

/// A style no more than this fraction slower than the fastest is tied with it, however
/// narrow the intervals: paired over C05's orders they are a few tenths of a percent wide,
/// and a pick should not rest on a 0.1% difference (measured: pool 0.999x the semaphore).
pub const NEGLIGIBLE: f64 = 0.02;

/// C05's ratios over the semaphore, paired order by order, that the row compares the styles
/// on; a folder without them compares the unpaired intervals.
pub const PAIRED: [FigureId; 2] = [
    FigureId::C05PoolOverSemaphore,
    FigureId::C05BatchesOverSemaphore,
];

/// The figures this row reads: C05's paired ratios, and C06's and C15's in-process and
/// over TCP ([`limit_claims::TCP`]).
pub const READS: [FigureId; 10] = [
    FigureId::C05PoolOverSemaphore,
    FigureId::C05BatchesOverSemaphore,
    FigureId::C06RejectedNoLimit,
    FigureId::C06RejectedSemaphore,
    FigureId::C15CallsPerSecond,
    FigureId::C15Rejected,
    FigureId::C06RejectedNoLimitTcp,
    FigureId::C06RejectedSemaphoreTcp,
    FigureId::C15CallsPerSecondTcp,
    FigureId::C15RejectedTcp,
];

/// A way of limiting, in the order the row compares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `semaphore:N`.
    Semaphore,
    /// `pool:N`.
    Pool,
    /// `batches:N`.
    Batches,
}

impl Style {
    /// Every style, in the row's order.
    pub const ALL: [Style; 3] = [Style::Semaphore, Style::Pool, Style::Batches];

    /// The style of a limit and its size; None for `unbounded`.
    pub fn of(limit: Limit) -> Option<(Style, usize)> {
        match limit {
            Limit::Semaphore(n) => Some((Style::Semaphore, n)),
            Limit::Pool(n) => Some((Style::Pool, n)),
            Limit::Batches(n) => Some((Style::Batches, n)),
            Limit::Unbounded => None,
        }
    }

    /// As limits are written: `semaphore`.
    pub fn name(self) -> &'static str {
        match self {
            Style::Semaphore => "semaphore",
            Style::Pool => "pool",
            Style::Batches => "batches",
        }
    }
}

/// What a group compares: io cells of one size and latency, or one of claim C05's spreads
/// run over several task orders.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupOf {
    /// The suite's io cells: tasks (calls) per run and each call's wait.
    Cells {
        /// Tasks (calls) per run.
        tasks: usize,
        /// Each call's wait.
        latency: Latency,
    },
    /// Claim C05's cells on tokio, one latency spread, a task order (seed) per round.
    C05 {
        /// The spread as C05 names it (`fixed`, `uniform`, `long-tailed`).
        spread: String,
    },
}

/// One style's time in a group.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<'a> {
    /// Median wall time, seconds.
    pub wall: f64,
    /// Its interval (a cell's 95% interval; over C05's orders, the interval C05 published).
    pub interval: (f64, f64),
    /// The cell, when the time is one (else it is C05's figure).
    pub cell: Option<&'a CellRecord>,
    /// Over C05's orders: its time over the semaphore's in the same order (the semaphore's
    /// own is 1 [1, 1]), or the key of that ratio when the folder lacks it; None for a cell.
    pub paired: Option<Result<Paired, FigureKey>>,
}

/// A style's time over the semaphore's, order by order: the median of the ratios and its
/// interval, as C05 published them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    /// Median ratio (below 1: faster than the semaphore).
    pub ratio: f64,
    /// Its interval.
    pub interval: (f64, f64),
}

impl Paired {
    /// The semaphore over itself.
    pub const ONE: Paired = Paired {
        ratio: 1.0,
        interval: (1.0, 1.0),
    };

    /// Against the semaphore: `Less` (faster) when the interval lies wholly below 1,
    /// `Greater` (slower) wholly above, `Equal` (tied) when it holds 1.
    pub fn against_semaphore(&self) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        if self.interval.1 < 1.0 {
            Ordering::Less
        } else if self.interval.0 > 1.0 {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    }
}

/// The styles' times under a limit of one size, in one group (at least two styles ran).
#[derive(Debug, Clone, PartialEq)]
pub struct LimitGroup<'a> {
    /// Where the times come from.
    pub of: GroupOf,
    /// N of the limits.
    pub limit: usize,
    /// The fastest time of each style, in [`Style::ALL`] order.
    pub best: [Option<Entry<'a>>; 3],
}

impl LimitGroup<'_> {
    /// Whether the styles are compared by their ratios over the semaphore, paired by order:
    /// C05's spreads whose every ratio the folder holds.
    pub fn paired(&self) -> bool {
        self.best
            .iter()
            .flatten()
            .all(|e| matches!(e.paired, Some(Ok(_))))
    }

    /// What the rule compares for each style, in [`Style::ALL`] order: (median, interval)
    /// of its ratio over the semaphore when [`LimitGroup::paired`], else of its wall time.
    pub fn compared(&self) -> [Option<(f64, (f64, f64))>; 3] {
        let paired = self.paired();
        self.best.each_ref().map(|e| {
            let e = e.as_ref()?;
            Some(match &e.paired {
                Some(Ok(p)) if paired => (p.ratio, p.interval),
                _ => (e.wall, e.interval),
            })
        })
    }
}

/// How one style fared over the groups.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StyleResult {
    /// The style.
    pub style: Style,
    /// It ran in some group.
    pub ran: bool,
    /// Its worst time over the fastest of its group (1.0 when it was the fastest); over C05's
    /// paired orders, its ratio over the fastest's ratio.
    pub worst: f64,
    /// In every group it ran in, its interval overlapped the fastest's.
    pub tied_everywhere: bool,
    /// The rule picked it.
    pub chosen: bool,
}

/// The row's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitRow<'a> {
    /// The groups compared: C05's spreads over several task orders when the claims ran
    /// and C05 published intervals, else the io cells.
    pub groups: Vec<LimitGroup<'a>>,
    /// The io cells' groups when C05's decided: shown, not compared.
    pub cells_shown: Vec<LimitGroup<'a>>,
    /// Each style's result, in [`Style::ALL`] order.
    pub styles: [StyleResult; 3],
    /// C06, if it measured rejections.
    pub c06: Option<C06Part>,
    /// C15, if it measured the adaptive limiter.
    pub c15: Option<C15Part>,
    /// C15 holds: an adaptive limit is worth it when the API's limit is unknown.
    pub adaptive: bool,
}

impl LimitRow<'_> {
    /// The styles the rule picked, in order.
    pub fn chosen(&self) -> impl Iterator<Item = Style> + '_ {
        self.styles.iter().filter(|s| s.chosen).map(|s| s.style)
    }

    /// The pick: the styles chosen from the cells, or, when no io cells compared styles, a
    /// semaphore (what C06 shows keeps a rate-limited server from rejecting calls).
    pub fn pick(&self) -> Vec<Style> {
        let chosen: Vec<Style> = self.chosen().collect();
        if chosen.is_empty() {
            vec![Style::Semaphore]
        } else {
            chosen
        }
    }

    /// Whether the pick comes from io cells that compared styles (else only from claims).
    pub fn from_cells(&self) -> bool {
        self.styles.iter().any(|s| s.chosen)
    }
}

/// Decides the row from a loaded folder.
pub fn decide(loaded: &Loaded) -> Result<RowBody<'_>, NotMeasured<'_>> {
    let cell_groups = groups(usable(&loaded.summary, WorkloadKind::Io).collect());
    let (groups, cells_shown) = match loaded
        .claim(FigureId::C05Semaphore.claim())
        .map(c05_groups)
        .filter(|g| !g.is_empty())
    {
        Some(c05) => (c05, cell_groups),
        None => (cell_groups, Vec::new()),
    };
    let mut styles = Style::ALL.map(|style| StyleResult {
        style,
        ran: false,
        worst: 1.0,
        tied_everywhere: true,
        chosen: false,
    });
    for g in &groups {
        let compared = g.compared();
        let Some(&(fastest, fastest_interval)) =
            compared.iter().flatten().min_by(|a, b| a.0.total_cmp(&b.0))
        else {
            continue;
        };
        for (s, c) in styles.iter_mut().zip(&compared) {
            if let Some((value, interval)) = c {
                s.ran = true;
                s.worst = s.worst.max(value / fastest);
                s.tied_everywhere &= overlap(*interval, fastest_interval)
                    || interval.0 <= fastest * (1.0 + NEGLIGIBLE);
            }
        }
    }
    // The styles tied with the fastest everywhere they ran; else the least bad.
    for s in styles.iter_mut() {
        s.chosen = s.ran && s.tied_everywhere;
    }
    if !styles.iter().any(|s| s.chosen)
        && let Some(s) = styles
            .iter_mut()
            .filter(|s| s.ran)
            .min_by(|a, b| a.worst.total_cmp(&b.worst))
    {
        s.chosen = true;
    }
    let c06 = loaded
        .claim(FigureId::C06RejectedNoLimit.claim())
        .and_then(c06_part);
    let c15 = loaded.claim(FigureId::C15CallsPerSecond.claim());
    let adaptive = c15.is_some_and(|c| c.verdict == Some(Verdict::Holds));
    let c15 = c15.and_then(c15_part);
    if groups.is_empty() && c06.is_none() && c15.is_none() {
        return Err(NotMeasured::NoCells);
    }
    Ok(RowBody::Limit(LimitRow {
        groups,
        cells_shown,
        styles,
        c06,
        c15,
        adaptive,
    }))
}

/// Groups (tasks, latency, N) of the limited io cells in which at least two styles ran,
/// in the order first met.
fn groups(cells: Vec<&CellRecord>) -> Vec<LimitGroup<'_>> {
    let limited: Vec<(&CellRecord, Style, usize)> = cells
        .into_iter()
        .filter_map(|c| Style::of(c.limit).map(|(s, n)| (c, s, n)))
        .collect();
    let mut keys: Vec<(usize, Latency, usize)> = Vec::new();
    for (c, _, n) in &limited {
        let key = (c.tasks, c.latency, *n);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.into_iter()
        .filter_map(|(tasks, latency, limit)| {
            let best = Style::ALL.map(|style| {
                limited
                    .iter()
                    .filter(|(c, s, n)| {
                        c.tasks == tasks && c.latency == latency && *s == style && *n == limit
                    })
                    .map(|(c, _, _)| *c)
                    .min_by(|a, b| a.wall_seconds.total_cmp(&b.wall_seconds))
                    .map(|c| Entry {
                        wall: c.wall_seconds,
                        interval: c.wall_interval(),
                        cell: Some(c),
                        paired: None,
                    })
            });
            (best.iter().flatten().count() >= 2).then_some(LimitGroup {
                of: GroupOf::Cells { tasks, latency },
                limit,
                best,
            })
        })
        .collect()
}

/// C05's spreads, each with the three styles' wall times over its task orders and their
/// ratios over the semaphore's, order by order; empty when C05 did not publish an interval
/// for every style of a spread (a folder from before it ran several orders).
fn c05_groups(c: &ClaimResult) -> Vec<LimitGroup<'static>> {
    let ids = Style::ALL.map(|s| match s {
        Style::Semaphore => (FigureId::C05Semaphore, None),
        Style::Pool => (FigureId::C05Pool, Some(FigureId::C05PoolOverSemaphore)),
        Style::Batches => (
            FigureId::C05Batches,
            Some(FigureId::C05BatchesOverSemaphore),
        ),
    });
    let mut groups = Vec::new();
    for (spread, _) in c.each(FigureId::C05Semaphore) {
        let best = ids.map(|(id, over)| {
            let f = c.each(id).find(|(s, _)| *s == spread).map(|(_, f)| f)?;
            let paired = match over {
                None => Ok(Paired::ONE),
                Some(over) => over_semaphore(c, FigureKey::about(over, spread)),
            };
            f.interval.map(|[lo, hi]| Entry {
                wall: f.value,
                interval: (lo, hi),
                cell: None,
                paired: Some(paired),
            })
        });
        if best.iter().any(Option::is_none) {
            return Vec::new();
        }
        groups.push(LimitGroup {
            of: GroupOf::C05 {
                spread: spread.to_string(),
            },
            limit: C05_LIMIT,
            best,
        });
    }
    groups
}

/// The ratio under `key` with its interval (a point when the ratio was the same in every
/// order), or the key when the folder lacks it.
fn over_semaphore(c: &ClaimResult, key: FigureKey) -> Result<Paired, FigureKey> {
    let f = c
        .measured
        .iter()
        .find(|f| f.key.as_ref() == Some(&key))
        .ok_or_else(|| key.clone())?;
    let [lo, hi] = f.interval.unwrap_or([f.value, f.value]);
    Ok(Paired {
        ratio: f.value,
        interval: (lo, hi),
    })
}

#[cfg(test)]
mod rule_text {
    #[test]
    fn the_rule_states_the_negligible_difference_the_code_uses() {
        let said = format!("more than {}% slower", super::NEGLIGIBLE * 100.0);
        assert!(super::RULE.contains(&said), "{said}");
    }
}
