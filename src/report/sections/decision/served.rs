//! The row decided from the serve sweeps: a server under steady load, per backend.

use super::{compared, name};
use crate::analysis::serve::{ServeItem, ServeRow, models};
use crate::analysis::{Ranked, RowKind};
use crate::report::labels::{model_label, runtime_label};
use crate::units::{bytes, per_second, seconds};

/// `6979/s [6979, 7611)`: the knee and its bracket in the sweep (`[6979, open)` when no
/// rate above it failed); several sweeps' median, with every knee and the interval over
/// them: `6979/s (median of 5381, 6979, 8300) [5381, 9051)`.
pub(crate) fn knee_bracket(i: &ServeItem) -> String {
    let top = i.above.map_or("open".into(), |a| format!("{a:.0}"));
    let of = if i.knees.len() > 1 {
        let all: Vec<String> = i.knees.iter().map(|k| format!("{k:.0}")).collect();
        format!(" (median of {})", all.join(", "))
    } else {
        String::new()
    };
    format!("{}{of} [{:.0}, {top})", per_second(i.knee), i.low())
}

/// A model at its knee: bracket, p99, cores and peak RSS, and the unstable flag.
fn at_knee(i: &ServeItem) -> String {
    let unstable = if i.unstable {
        format!(
            ", unstable: p99 {} at half the knee",
            i.half_p99.map_or("-".into(), seconds)
        )
    } else {
        String::new()
    };
    format!(
        "knee {}, p99 {}, {} cores, {}{unstable}",
        knee_bracket(i),
        seconds(i.p99),
        i.cores.map_or("-".into(), |c| format!("{c:.2}")),
        memory(i),
    )
}

/// `PSS 12.0 MiB (peak RSS 12.3 MiB)`, or the peak RSS alone where PSS was not recorded.
pub(crate) fn memory(i: &ServeItem) -> String {
    match i.pss {
        Some(p) => format!("PSS {} (peak RSS {})", bytes(Some(p)), bytes(i.peak_rss)),
        None => format!("peak RSS {}", bytes(i.peak_rss)),
    }
}

/// `**threads** (a tie on the knee with thread pool (crossbeam-pool): less peak RSS)`, and
/// an unstable pick's flag: won in a tie with a stable knee, or with no stable knee at all.
fn picked(ranked: &Ranked<ServeItem>) -> String {
    let pick = &ranked.picked().item;
    let tied: Vec<&ServeItem> = ranked.tied_with_pick().map(|c| &c.item).collect();
    let mut text = format!("**{}**", label(pick));
    let mut notes = Vec::new();
    if !tied.is_empty() {
        let names: Vec<String> = tied.iter().map(|i| label(i)).collect();
        notes.push(format!(
            "a tie on the knee with {}: less memory",
            names.join(", ")
        ));
    }
    if pick.unstable {
        notes.push(if tied.iter().any(|i| !i.unstable) {
            "unstable, tied with a stable knee".to_string()
        } else {
            "unstable: no stable knee to prefer".to_string()
        });
    }
    if !notes.is_empty() {
        text.push_str(&format!(" ({})", notes.join("; ")));
    }
    text
}

fn label(i: &ServeItem) -> String {
    model_label(&i.record.model, i.record.kind)
}

pub(super) fn serve(r: &ServeRow) -> (String, String, String) {
    let mut picks = Vec::new();
    let mut measured = Vec::new();
    for b in &r.backends {
        let (pick, mut shown) = match &b.ranked {
            Some(ranked) => {
                let (_, shown) = compared(ranked, label, |c| at_knee(&c.item));
                (picked(ranked), shown)
            }
            None => ("none".into(), "no model met the SLO".into()),
        };
        for l in &b.legacy {
            shown.push_str(&format!(
                "; {} (not ranked): {}",
                runtime_label(&l.record.model, true),
                at_knee(l)
            ));
        }
        if !b.no_knee.is_empty() {
            let none: Vec<String> = models(b.no_knee.iter().copied())
                .iter()
                .map(|g| match b.sweeps {
                    1 => g[0].model.clone(),
                    n => format!("{} ({} of {n} sweeps)", g[0].model, g.len()),
                })
                .collect();
            shown.push_str(&format!("; no knee: {}", none.join(", ")));
        }
        if b.sweeps == 1 {
            shown.push_str(
                "; one sweep of each model: its interval is that sweep's bracket only, and \
                 knees move from one sweep to the next on a shared machine (`--serve-sweeps 3`, \
                 as the full profile, reads them over three)",
            );
        }
        picks.push(format!("{}: {pick}", b.backend));
        measured.push(format!("{}: {shown}", b.backend));
    }
    (
        format!(
            "{}: open-loop offered rates, corrected p99 within the SLO",
            name(RowKind::Serve)
        ),
        picks.join("; "),
        measured.join(". "),
    )
}
