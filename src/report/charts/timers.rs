//! Timer overshoot per runtime: how much longer than asked one unit's sleep took, timed
//! inside the unit around the sleep (median of the probe's runs, whiskers min..max), for
//! each requested duration.

use crate::results::{Loaded, TimerProbe};

use super::model::{Axis, Body, Chart, Fill, Group, Key, Panel, Unit};
use super::parts::{runtime_legend, seconds_bar};
use super::scale::compact;
use super::select;

pub const NAME: &str = "timer-overshoot";

pub fn chart(loaded: &Loaded) -> Result<Chart, String> {
    let probes: Vec<_> = loaded
        .summary
        .timers
        .iter()
        .filter(|t| t.error.is_none() && t.median_seconds > 0.0)
        .collect();
    if probes.is_empty() {
        return Err("no timer probe".into());
    }
    let mut requested: Vec<f64> = probes.iter().map(|t| t.requested_seconds).collect();
    requested.sort_by(f64::total_cmp);
    requested.dedup();
    let rts = select::runtimes(loaded);
    let names = rts.sorted(probes.iter().map(|t| t.runtime.as_str()));
    let groups: Vec<Group> = requested
        .iter()
        .map(|&r| Group {
            label: format!("sleep({})", compact(r, Unit::Seconds)),
            slots: names
                .iter()
                .map(|n| {
                    let t = probes
                        .iter()
                        .find(|t| t.runtime == *n && t.requested_seconds == r)?;
                    Some(seconds_bar(
                        rts.colour(n),
                        t.overshoot_seconds,
                        Some((t.min_seconds - r, t.max_seconds - r)),
                    ))
                })
                .collect(),
            packed: false,
        })
        .collect();
    let legend = runtime_legend(loaded, &rts, &names, Key::Bar(Fill::Solid));
    let lowest = probes
        .iter()
        .map(|t| (t.min_seconds - t.requested_seconds).min(t.overshoot_seconds))
        .fold(0.0, f64::min);
    Ok(Chart {
        title: "Timer overshoot: measured sleep minus requested".into(),
        subtitle: format!("{} {}.", how(&probes), select::machine_words(loaded)),
        panels: vec![Panel {
            title: String::new(),
            x: Axis::linear("requested sleep", Unit::Seconds),
            y: Axis::linear("overshoot (measured - requested)", Unit::Seconds).from(lowest),
            body: Body::Groups(groups),
            references: Vec::new(),
        }],
        columns: 1,
        legend,
        size: (1000, 650),
    })
}

/// What the bars time: the sleep alone inside the unit, or (older folders) a whole cell.
fn how(probes: &[&TimerProbe]) -> &'static str {
    if probes.iter().all(|t| t.inside_unit) {
        "One unit sleeping on the runtime's own timer, timestamped inside the unit around the \
         sleep alone (its start and join are not in the bar); bar: median of the probe's runs, \
         whisker: min..max."
    } else {
        "One task sleeping on the runtime's own timer, spawn and join included; bar: median \
         of the probe's runs, whisker: min..max."
    }
}
