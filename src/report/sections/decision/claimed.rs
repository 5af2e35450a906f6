//! The rows that read claims: a blocking library in async code (C17), and bounding
//! concurrency against a rate-limited API (cells under a limit, C06, C15).

use std::cmp::Ordering;

use super::name;
use crate::analysis::RowKind;
use crate::analysis::blocking::{BlockingPick, BlockingRow};
use crate::analysis::limit_claims::C15Limits;
use crate::analysis::limits::{GroupOf, LimitGroup, LimitRow, Paired, Style};
use crate::claims::{C05_CALLS, C05_ROUNDS};
use crate::report::labels::{verdict, wall};
use crate::units::{ratio_fine, seconds, thousands};

pub(super) fn blocking(r: &BlockingRow) -> (String, String, String) {
    let pick = match r.pick {
        BlockingPick::Pool => {
            "**move the call to the runtime's blocking pool** (spawn_blocking, smol::unblock)"
        }
        BlockingPick::Inside => "**call it inside the task** (the blocking pool was slower)",
        BlockingPick::NoWinner => "no consistent winner",
    };
    let shown: Vec<String> = r
        .pairs
        .iter()
        .map(|p| match &p.pool {
            Ok(pool) => format!(
                "{}: {} in tasks vs {} on the pool ({:.1}x)",
                p.runtime,
                seconds(p.inside),
                seconds(*pool),
                p.inside / pool
            ),
            Err(key) => format!(
                "{}: {} in tasks; on the pool not measured ({key})",
                p.runtime,
                seconds(p.inside)
            ),
        })
        .collect();
    (
        format!(
            "{}: claim C17's blocking calls ({})",
            name(RowKind::Blocking),
            r.scale
        ),
        pick.into(),
        format!("{}; C17 {}", shown.join("; "), verdict(r.verdict)),
    )
}

/// `40`, or `30..40` when the runtimes disagree.
fn span(values: &[f64]) -> String {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if values.is_empty() {
        "-".into()
    } else if lo == hi {
        format!("{lo:.0}")
    } else {
        format!("{lo:.0}..{hi:.0}")
    }
}

/// A style's ratio over the semaphore, order by order, and where it lies against 1.
fn over_semaphore(p: &Paired) -> String {
    let side = match p.against_semaphore() {
        Ordering::Less => "faster",
        Ordering::Equal => "tied",
        Ordering::Greater => "slower",
    };
    format!(
        " (paired over the semaphore: {} [{}, {}], {side})",
        ratio_fine(p.ratio),
        ratio_fine(p.interval.0),
        ratio_fine(p.interval.1)
    )
}

/// One group as the row shows it: what ran, then each style's time; over C05's orders each
/// style's ratio over the semaphore, paired by order, or the ratios the folder lacks.
fn group(g: &LimitGroup) -> String {
    let paired = g.paired();
    let mut missing = Vec::new();
    let parts: Vec<String> = Style::ALL
        .iter()
        .zip(&g.best)
        .filter_map(|(style, e)| {
            let e = e.as_ref()?;
            Some(match e.cell {
                Some(c) => format!("{} {} ({})", style.name(), wall(c), c.runtime),
                None => {
                    let ratio = match &e.paired {
                        Some(Ok(p)) if paired && *style != Style::Semaphore => over_semaphore(p),
                        Some(Err(key)) => {
                            missing
                                .push(format!("{} / semaphore not measured ({key})", style.name()));
                            String::new()
                        }
                        _ => String::new(),
                    };
                    format!(
                        "{} {} [{}, {}]{ratio}",
                        style.name(),
                        seconds(e.wall),
                        seconds(e.interval.0),
                        seconds(e.interval.1)
                    )
                }
            })
        })
        .collect();
    let what = match &g.of {
        GroupOf::Cells { tasks, latency } => format!("{} calls of {latency}", thousands(*tasks)),
        GroupOf::C05 { spread } => {
            format!("C05 {spread}, {C05_CALLS} calls on tokio over {C05_ROUNDS} task orders")
        }
    };
    let unpaired = if missing.is_empty() {
        String::new()
    } else {
        format!(" (compared unpaired: {})", missing.join(", "))
    };
    format!("{what}, limit {}: {}{unpaired}", g.limit, parts.join(", "))
}

/// C15's limiters on one transport: the adaptive one, then each fixed one.
fn c15_limits(l: &C15Limits) -> String {
    let fixed: Vec<String> = l
        .fixed
        .iter()
        .map(|(name, rate, rejected)| match (rate, rejected) {
            (Ok(rate), Ok(rejected)) => format!("{name} {rate:.0}/s, {rejected:.0} rejected"),
            (Err(key), _) | (_, Err(key)) => format!("{name}: not measured ({key})"),
        })
        .collect();
    format!(
        "adaptive {:.0}/s, {:.0} rejected; {}",
        l.adaptive.0,
        l.adaptive.1,
        fixed.join("; ")
    )
}

pub(super) fn limits(r: &LimitRow) -> (String, String, String) {
    let mut shown: Vec<String> = r.groups.iter().map(group).collect();
    for s in r.styles.iter().filter(|s| s.ran && !s.chosen) {
        shown.push(format!(
            "{} up to {:.2}x the fastest",
            s.style.name(),
            s.worst
        ));
    }
    if let Some(c) = &r.c06 {
        let tcp = match &c.tcp {
            Ok(t) => format!("{} and {}", span(&t.no_limit), span(&t.semaphore)),
            Err(key) => format!("not measured ({key})"),
        };
        shown.push(format!(
            "C06, 50 calls at a server taking 10: {} rejected with no limit, {} with semaphore(10) \
             in-process; over TCP {tcp} ({})",
            span(&c.in_process.no_limit),
            span(&c.in_process.semaphore),
            verdict(c.verdict)
        ));
    }
    if let Some(c) = &r.c15 {
        let tcp = match &c.tcp {
            Ok(t) => c15_limits(t),
            Err(key) => format!("not measured ({key})"),
        };
        shown.push(format!(
            "C15 with retries: in-process {}; over TCP {tcp} ({})",
            c15_limits(&c.in_process),
            verdict(c.verdict)
        ));
    }
    if !r.cells_shown.is_empty() {
        let cells: Vec<String> = r.cells_shown.iter().map(group).collect();
        shown.push(format!(
            "io cells (one order each, not compared): {}",
            cells.join("; ")
        ));
    }
    let picked: Vec<&str> = r.pick().into_iter().map(Style::name).collect();
    let mut pick = if r.from_cells() {
        format!("**{}**", picked.join(" or "))
    } else {
        format!("**a {}**", picked.join(" or "))
    };
    pick.push_str(" sized to the API's limit");
    if r.adaptive {
        pick.push_str("; an adaptive (AIMD) limit when the limit is unknown");
    }
    (name(RowKind::Limit).to_string(), pick, shown.join("; "))
}
