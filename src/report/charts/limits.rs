//! Semaphore vs batches vs pool (vs adaptive): wall time of the io cells under each way of
//! limiting, per runtime; and when claims.json holds them, claim C05 (the three on tokio
//! for fixed, uniform and long-tailed waits) and claim C15 (fixed limits against an
//! adaptive one, calling a server that rejects calls over its capacity: a panel for the
//! in-process model and one over TCP, on one scale).

use crate::results::{C15_ADAPTIVE, ClaimResult, FigureId, FigureKey, Loaded};

use super::efficiency::{KINDS, limit_sets};
use super::model::{Axis, Body, Chart, Fill, Group, Item, Key, LegendEntry, Mark, Panel, Unit};
use super::palette::limit_colour;
use super::scale::compact;
use super::select;

pub const NAME: &str = "limit-comparison";

/// C15's figures on each transport: calls per second, rejections, the adaptive final
/// limit; and how a panel names the transport.
const C15_PANELS: [([FigureId; 3], &str); 2] = [
    (
        [
            FigureId::C15CallsPerSecond,
            FigureId::C15Rejected,
            FigureId::C15AdaptiveFinalLimit,
        ],
        "in-process",
    ),
    (
        [
            FigureId::C15CallsPerSecondTcp,
            FigureId::C15RejectedTcp,
            FigureId::C15AdaptiveFinalLimitTcp,
        ],
        "over TCP",
    ),
];

/// The figures over TCP this chart reads (a folder from before C15 ran over TCP has none:
/// its chart has the in-process panel alone).
pub const TCP_READS: [FigureId; 3] = C15_PANELS[1].0;

/// The figures of claims this chart reads.
pub const READS: [FigureId; 9] = [
    FigureId::C05Semaphore,
    FigureId::C05Batches,
    FigureId::C05Pool,
    C15_PANELS[0].0[0],
    C15_PANELS[0].0[1],
    C15_PANELS[0].0[2],
    TCP_READS[0],
    TCP_READS[1],
    TCP_READS[2],
];

/// The claim that owns `id`, if it ran and measured something.
fn claim(loaded: &Loaded, id: FigureId) -> Option<&ClaimResult> {
    loaded
        .claim(id.claim())
        .filter(|c| c.error.is_none() && !c.measured.is_empty())
}

fn bar(kind: &str, value: f64, range: Option<(f64, f64)>, note: Option<String>) -> Item {
    Item {
        value,
        colour: limit_colour(kind),
        mark: Mark::Bar(Fill::Solid),
        range,
        note,
    }
}

/// Wall time per runtime under each limit, one panel per set of limit cells.
fn cell_panels(loaded: &Loaded) -> (Vec<Panel>, usize) {
    let rts = select::runtimes(loaded);
    let sets = limit_sets(loaded);
    let most = sets.iter().map(|s| s.runtimes()).max().unwrap_or(0);
    let panels = sets
        .into_iter()
        .map(|set| {
            let groups = set.groups(loaded, &rts, |_, &(kind, _), c| {
                bar(
                    kind,
                    c.wall_seconds,
                    Some((c.wall_min_seconds, c.wall_max_seconds)),
                    None,
                )
            });
            Panel {
                title: format!("io cells: {}", set.title()),
                x: Axis::linear("runtime", Unit::Count),
                y: Axis::linear("wall time (median; whisker min..max)", Unit::Seconds).from(0.0),
                body: Body::Groups(groups),
                references: Vec::new(),
            }
        })
        .collect();
    (panels, most)
}

/// C05: each way of limiting's wall time, grouped by latency spread.
fn c05_panel(c: &ClaimResult) -> Option<Panel> {
    let mut groups: Vec<Group> = Vec::new();
    for f in &c.measured {
        let Some(key) = &f.key else {
            continue;
        };
        let kind = match key.id {
            FigureId::C05Semaphore => "semaphore",
            FigureId::C05Batches => "batches",
            FigureId::C05Pool => "pool",
            _ => continue,
        };
        let spread = key.subject.as_deref().unwrap_or("");
        let Some(slot) = KINDS.iter().position(|k| k.0 == kind) else {
            continue;
        };
        let group = match groups.iter().position(|g| g.label == spread) {
            Some(i) => &mut groups[i],
            None => {
                groups.push(Group {
                    label: spread.to_string(),
                    slots: vec![None; KINDS.len()],
                    packed: false,
                });
                groups.last_mut()?
            }
        };
        group.slots[slot] = Some(bar(
            kind,
            f.value,
            f.interval.map(|[lo, hi]| (lo, hi)),
            Some(compact(f.value, Unit::Seconds)),
        ));
    }
    (!groups.is_empty()).then(|| Panel {
        title: format!("claim C05 on tokio ({})", c.scale),
        x: Axis::linear("latency spread of the calls", Unit::Count),
        y: Axis::linear(
            "wall time (median over task orders; whisker its interval)",
            Unit::Seconds,
        )
        .from(0.0),
        body: Body::Groups(groups),
        references: Vec::new(),
    })
}

/// C15 on one transport (`ids`: calls per second, rejections, the adaptive final limit;
/// `over` names it in the title, after a comma, or is empty): calls per second and rejections of each client limit, one bar per
/// limit; None when the claim wrote none of it.
fn c15_panel(
    c: &ClaimResult,
    [rate, rejected, final_limit]: [FigureId; 3],
    over: &str,
) -> Option<Panel> {
    let mut groups = Vec::new();
    for (name, f) in c.each(rate) {
        let adaptive = name == C15_ADAPTIVE;
        let kind = if adaptive { "adaptive" } else { "semaphore" };
        let rejected = c
            .value(&FigureKey::about(rejected, name))
            .map(|r| format!("{r:.0} rejected"));
        let ended = adaptive
            .then(|| c.value(&FigureKey::of(final_limit)))
            .flatten();
        let label = match ended {
            Some(l) => format!("{name} (ended at {l:.0})"),
            None => name.to_string(),
        };
        groups.push(Group {
            label,
            slots: vec![Some(bar(
                kind,
                f.value,
                f.interval.map(|[lo, hi]| (lo, hi)),
                rejected,
            ))],
            packed: false,
        });
    }
    (!groups.is_empty()).then(|| Panel {
        title: format!("claim C15 on tokio{over} ({})", c.scale),
        x: Axis::linear("client limit against a server of capacity 10", Unit::Count),
        y: Axis::linear(
            "calls completed per second (median; whisker its interval)",
            Unit::Count,
        )
        .from(0.0),
        body: Body::Groups(groups),
        references: Vec::new(),
    })
}

/// Room above the highest bar of C15's panels when they share a scale, for its note.
const SHARED_HEADROOM: f64 = 0.15;

/// C15's panels, in-process then over TCP, on one y scale so their rates compare; and
/// whether it ran over TCP (a folder from before has the in-process panel alone, drawn
/// and titled as it was).
fn c15_panels(c: &ClaimResult) -> (Vec<Panel>, bool) {
    let tcp = c.each(TCP_READS[0]).next().is_some();
    let mut panels: Vec<Panel> = C15_PANELS
        .iter()
        .filter_map(|(ids, over)| {
            let over = if tcp {
                format!(", {over}")
            } else {
                String::new()
            };
            c15_panel(c, *ids, &over)
        })
        .collect();
    let top = panels.iter().flat_map(Panel::y_values).fold(0.0, f64::max);
    if panels.len() > 1 && top > 0.0 {
        for p in &mut panels {
            p.y.max = Some(top * (1.0 + SHARED_HEADROOM));
        }
    }
    (panels, tcp)
}

pub fn chart(loaded: &Loaded) -> Result<Chart, String> {
    let (mut panels, most) = cell_panels(loaded);
    let from_cells = panels.len();
    panels.extend(claim(loaded, FigureId::C05Semaphore).and_then(c05_panel));
    let (c15, tcp) =
        claim(loaded, FigureId::C15CallsPerSecond).map_or_else(|| (Vec::new(), false), c15_panels);
    panels.extend(c15);
    if panels.is_empty() {
        return Err("no io cells comparing limits, and no claim C05 or C15".into());
    }
    let adaptive = panels.iter().any(|p| match &p.body {
        Body::Groups(g) => g
            .iter()
            .flat_map(|g| g.slots.iter().flatten())
            .any(|i| i.colour == limit_colour("adaptive")),
        Body::Lines(_) => false,
    });
    let legend = super::palette::LIMIT_KINDS
        .iter()
        .filter(|k| **k != "adaptive" || adaptive)
        .map(|k| LegendEntry::new(*k, limit_colour(k), Key::Bar(Fill::Solid)))
        .collect();
    let sources = match (from_cells, panels.len() - from_cells) {
        (0, _) => "claims.json".to_string(),
        (_, 0) => "the io cells".to_string(),
        _ => "the io cells and claims.json".to_string(),
    };
    // Three across while the io panels have room for their runtimes, else two.
    let columns = if panels.len() <= 3 && most <= 4 {
        panels.len()
    } else {
        panels.len().min(2)
    };
    let rows = panels.len().div_ceil(columns);
    Ok(Chart {
        title: "Limiting concurrency: semaphore vs batches vs pool vs adaptive".into(),
        subtitle: format!(
            "From {sources}. A semaphore starts a call as soon as one ends; batches wait for their \
             slowest call; a pool keeps N workers busy; an adaptive limit (C15) grows on success \
             and shrinks on rejection{}. {}.",
            if tcp {
                ", against the in-process model and over TCP against the latency server in \
                 capacity mode"
            } else {
                ""
            },
            select::machine_words(loaded)
        ),
        size: (
            match columns {
                1 => 1000,
                2 => 1500,
                _ => 1600,
            },
            super::model::height(rows),
        ),
        columns,
        panels,
        legend,
    })
}
