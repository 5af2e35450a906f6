//! What a folder measured besides its cells, matched the same way: each model's memory per
//! unit, each runtime's timer and spawn probes, and each server's knee. Each table says
//! which way is better and where its interval comes from.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Matched, Measure, Word, judge};
use crate::analysis::serve::{ServeItem, models};
use crate::results::Loaded;

/// One table of matched measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measures {
    /// What the table holds, e.g. `memory per unit`.
    pub title: &'static str,
    /// The unit of A's and B's figures.
    pub unit: Quantity,
    /// A higher figure is better (a knee); else lower is (time, memory).
    pub higher_is_better: bool,
    /// Where each figure's interval comes from.
    pub interval: &'static str,
    /// Rows both folders have, in A's order.
    pub matched: Vec<Matched>,
    /// Rows only A has.
    pub only_a: Vec<String>,
    /// Rows only B has.
    pub only_b: Vec<String>,
}

/// What a table's figures are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Quantity {
    /// Seconds.
    Seconds,
    /// Bytes.
    Bytes,
    /// Requests per second.
    Rate,
}

/// A figure of one side: its value and interval, or why it has none.
type Side = Result<Measure, String>;

/// Each of a folder's measures by key, in its order.
type Keyed = Vec<(String, Side)>;

fn point(v: f64) -> Measure {
    Measure {
        median: v,
        interval: (v, v),
    }
}

/// Each model's own memory per unit (PSS for processes, else resident; the row says
/// which): a least-squares slope, with no interval, so only the threshold decides. A slope
/// not above zero is no figure (the sizes did not grow memory: nothing to divide by).
fn memory(l: &Loaded) -> Keyed {
    l.summary
        .memory_models
        .iter()
        .map(|m| {
            let key = format!("{} per {}", m.runtime, m.unit);
            let side = match m.own_per_unit() {
                Some((b, _)) if b > 0.0 => Ok(point(b)),
                Some((b, kind)) => Err(format!("{kind} slope {b:.0} B is not above zero")),
                None => Err(m.stopped_by.clone().unwrap_or("no slope".into())),
            };
            (key, side)
        })
        .collect()
}

/// A probe's figure: its (median, min, max), the interval min..max; or its error.
fn probe(error: &Option<String>, (median, min, max): (f64, f64, f64)) -> Side {
    match error {
        Some(e) => Err(e.clone()),
        None => Ok(Measure {
            median,
            interval: (min, max),
        }),
    }
}

/// Each runtime's measured sleep: the median of its sleeps, the interval their min..max.
fn timers(l: &Loaded) -> Keyed {
    l.summary
        .timers
        .iter()
        .map(|t| {
            let key = format!(
                "{} sleep({})",
                t.runtime,
                crate::units::seconds(t.requested_seconds)
            );
            let runs = (t.median_seconds, t.min_seconds, t.max_seconds);
            (key, probe(&t.error, runs))
        })
        .collect()
}

/// Each runtime's cost to start and join one unit, or one job through its pool: the median
/// of its runs, the interval their min..max.
fn spawn(l: &Loaded) -> Keyed {
    l.summary
        .spawn
        .iter()
        .map(|s| {
            let key = format!(
                "{} {} per {} ({} units)",
                s.runtime,
                s.kind(),
                s.unit,
                s.units
            );
            let runs = (
                s.spawn_seconds_per_unit,
                s.min_seconds_per_unit,
                s.max_seconds_per_unit,
            );
            (key, probe(&s.error, runs))
        })
        .collect()
}

/// Each model's knee on each backend, with its workers and handler, read over its good
/// sweeps as the decision row reads them: the median knee, the interval from the lowest
/// knee to the highest bracket top (open-ended: infinite).
fn knees(l: &Loaded) -> Keyed {
    models(&l.summary.serve)
        .into_iter()
        .flat_map(|records| {
            let mut by_backend: BTreeMap<&str, Vec<_>> = BTreeMap::new();
            for r in records {
                by_backend.entry(r.backend.as_str()).or_default().push(r);
            }
            by_backend.into_iter().map(|(backend, sweeps)| {
                let first = sweeps[0];
                let workers = first
                    .workers
                    .map_or("a thread per connection".to_string(), |w| {
                        format!("{w} workers")
                    });
                let key = format!("{} {backend} {workers} {}", first.model, first.handler);
                // As the decision row: a sweep that failed or got a wrong answer has no knee.
                let good: Vec<_> = sweeps.iter().copied().filter(|r| r.ok()).collect();
                let side = match ServeItem::of_sweeps(&good) {
                    Some(item) => Ok(Measure {
                        median: item.knee,
                        interval: (item.low(), item.above.unwrap_or(f64::INFINITY)),
                    }),
                    None => Err(sweeps
                        .iter()
                        .find_map(|r| r.error.clone())
                        .unwrap_or("no rate met the SLO".into())),
                };
                (key, side)
            })
        })
        .collect()
}

/// Matches one kind of measure, judging B against A; where higher is better a rise is
/// `better`.
fn table(kind: &Kind, a: Keyed, b: Keyed, threshold: f64) -> Measures {
    let higher_is_better = kind.higher_is_better;
    // A key repeated within a folder is numbered, as cells are: the n-th meets the n-th.
    let number = |k: Keyed| -> Keyed {
        let (keys, sides): (Vec<String>, Vec<Side>) = k.into_iter().unzip();
        super::numbered(keys.into_iter())
            .into_iter()
            .zip(sides)
            .collect()
    };
    let (a, b) = (number(a), number(b));
    let b: BTreeMap<String, Side> = b.into_iter().collect();
    let mut out = Measures {
        title: kind.title,
        unit: kind.unit,
        higher_is_better,
        interval: kind.interval,
        matched: Vec::new(),
        only_a: Vec::new(),
        only_b: Vec::new(),
    };
    let a_keys: Vec<&String> = a.iter().map(|(k, _)| k).collect();
    out.only_b = b.keys().filter(|k| !a_keys.contains(k)).cloned().collect();
    for (key, sa) in a {
        let Some(sb) = b.get(&key) else {
            out.only_a.push(key);
            continue;
        };
        let m = match (sa, sb) {
            (Ok(ma), Ok(mb)) => {
                let mut m = judge(key, ma, *mb, threshold);
                m.word = match (m.word, higher_is_better) {
                    (Word::Faster, false) | (Word::Slower, true) => Word::Better,
                    (Word::Slower, false) | (Word::Faster, true) => Word::Worse,
                    (w, _) => w,
                };
                m
            }
            (sa, sb) => {
                let failure = [("A", &sa), ("B", sb)]
                    .iter()
                    .filter_map(|(side, s)| s.as_ref().err().map(|e| format!("{side}: {e}")))
                    .collect::<Vec<_>>()
                    .join("; ");
                Matched {
                    cell: key,
                    a: sa.as_ref().ok().map(|m| m.median),
                    b: sb.as_ref().ok().map(|m| m.median),
                    ratio: None,
                    interval: None,
                    word: Word::Failed,
                    failure: Some(failure),
                }
            }
        };
        out.matched.push(m);
    }
    out
}

/// One kind of measure: how its table is titled and judged, and how a folder's rows are
/// read.
struct Kind {
    title: &'static str,
    unit: Quantity,
    higher_is_better: bool,
    interval: &'static str,
    read: fn(&Loaded) -> Keyed,
}

/// Every kind of measure, in the order the tables are shown.
const KINDS: [Kind; 4] = [
    Kind {
        title: "memory per unit (PSS where measured, processes; else resident)",
        unit: Quantity::Bytes,
        higher_is_better: false,
        interval: "a slope over the sizes, no interval: the threshold alone decides",
        read: memory,
    },
    Kind {
        title: "timer probe",
        unit: Quantity::Seconds,
        higher_is_better: false,
        interval: "median of the sleeps, interval their min..max",
        read: timers,
    },
    Kind {
        title: "spawn probe",
        unit: Quantity::Seconds,
        higher_is_better: false,
        interval: "median of the runs per unit, interval their min..max",
        read: spawn,
    },
    Kind {
        title: "server knee",
        unit: Quantity::Rate,
        higher_is_better: true,
        interval: "median knee of the sweeps, interval lowest knee..highest bracket top",
        read: knees,
    },
];

/// Every kind of measure both folders may hold, each as a table (empty tables left out).
pub fn compare_measures(a: &Loaded, b: &Loaded, threshold: f64) -> Vec<Measures> {
    KINDS
        .iter()
        .map(|k| table(k, (k.read)(a), (k.read)(b), threshold))
        .filter(|t| !(t.matched.is_empty() && t.only_a.is_empty() && t.only_b.is_empty()))
        .collect()
}
