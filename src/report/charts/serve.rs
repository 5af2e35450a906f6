//! A server under steady load (`run --workload serve`), one panel per backend and one line
//! per model over the offered rates (sorted by rate; a rate run twice, the half-knee's
//! re-run, shows its first run, as the tables do): `serve-p99`, the corrected p99 with the
//! SLO line, and `serve-achieved`, achieved against offered with the line y = x where a
//! server keeps up (linear axes: on log ones every line lies on the diagonal). Each
//! model's knee is a square. Rates the generator could not drive
//! (invalid: its lag or CPU) are left out of the lines, and the subtitle counts them.

use crate::analysis::serve::backends;
use crate::load::RateResult;
use crate::results::{Loaded, ServeRecord};

use super::model::{Axis, Body, Chart, Key, LegendEntry, Panel, Series, Shape, Unit};
use super::palette::{REFERENCE, Runtimes};
use super::scale::compact;
use super::select;

pub const P99_NAME: &str = "serve-p99";
pub const ACHIEVED_NAME: &str = "serve-achieved";

/// The records with a sweep, and their backends in the order first met.
fn swept(loaded: &Loaded) -> Result<(Vec<&ServeRecord>, Vec<&str>), String> {
    let records: Vec<&ServeRecord> = loaded
        .summary
        .serve
        .iter()
        .filter(|r| r.ok() && r.load.as_ref().is_some_and(|l| !l.rates.is_empty()))
        .collect();
    if records.is_empty() {
        return Err("no serve sweep (`rtbench run --workload serve`)".into());
    }
    let backends = backends(records.iter().copied());
    Ok((records, backends))
}

/// A record's valid rates, each offered rate once (its first run), sorted by rate.
fn valid_rates(r: &ServeRecord) -> Vec<&RateResult> {
    let mut rates: Vec<&RateResult> = Vec::new();
    for (rate, _) in r.rates() {
        if rate.valid && !rates.iter().any(|x| x.offered == rate.offered) {
            rates.push(rate);
        }
    }
    rates.sort_by(|a, b| a.offered.total_cmp(&b.offered));
    rates
}

/// Reads the y value of a rate.
type Read = fn(&RateResult) -> f64;

/// One panel per backend, a line per model of `y` against offered, its knee a square;
/// the legend, one entry per model (ranked as the registry), then the knee's key.
fn panels(
    loaded: &Loaded,
    records: &[&ServeRecord],
    backends: &[&str],
    x: Axis,
    y: Axis,
    read: Read,
    extra: impl Fn(&[&ServeRecord]) -> (Vec<Series>, Vec<(f64, String)>),
) -> (Vec<Panel>, Vec<LegendEntry>) {
    let rts: Runtimes = select::runtimes(loaded);
    let names = rts.sorted(records.iter().map(|r| r.model.as_str()));
    let mut panels = Vec::new();
    for backend in backends {
        let mine: Vec<&ServeRecord> = records
            .iter()
            .copied()
            .filter(|r| r.backend == *backend)
            .collect();
        let (mut series, references) = extra(&mine);
        for name in &names {
            for r in mine.iter().filter(|r| r.model == *name) {
                let rates = valid_rates(r);
                let knee = r.at_knee().map(|(k, _)| (k.offered, read(k)));
                series.push(Series {
                    points: rates.iter().map(|k| (k.offered, read(k))).collect(),
                    colour: rts.colour(name),
                    dashed: false,
                    markers: true,
                    highlights: knee.into_iter().collect(),
                });
            }
        }
        panels.push(Panel {
            title: if backends.len() > 1 {
                format!("{backend} backend")
            } else {
                String::new()
            },
            x: x.clone(),
            y: y.clone(),
            body: Body::Lines(series),
            references,
        });
    }
    let mut legend: Vec<LegendEntry> = names
        .iter()
        .map(|n| LegendEntry::new(select::label(loaded, n), rts.colour(n), Key::LineMarker))
        .collect();
    legend.push(LegendEntry::new(
        "knee",
        REFERENCE,
        Key::Point(Shape::Square),
    ));
    (panels, legend)
}

/// What every serve chart's subtitle says: the request, connections, window, SLO, how
/// many rates were left out as invalid, and the machine.
fn subtitle(loaded: &Loaded, records: &[&ServeRecord], backends: &[&str], what: &str) -> String {
    let first = records[0];
    let load = first
        .load
        .as_ref()
        .expect("swept records have a load report");
    let invalid: usize = records
        .iter()
        .flat_map(|r| r.rates())
        .filter(|(r, _)| !r.valid)
        .count();
    let run: usize = records.iter().map(|r| r.rates().count()).sum();
    format!(
        "{what} Open loop, {} arrivals of GET {} on {} connections, {} measured per rate; \
         knee: the highest valid rate with achieved >= {:.0}% of offered and corrected p99 <= {}. \
         Invalid rates (the generator could not drive them) are left out: {invalid} of {run}. \
         {} backend{}. {}.",
        load.arrivals,
        first.handler,
        load.connections,
        compact(load.duration_seconds, Unit::Seconds),
        load.kept_up * 100.0,
        compact(load.slo_seconds, Unit::Seconds),
        backends.join(" and "),
        if backends.len() > 1 { "s" } else { "" },
        select::machine_words(loaded)
    )
}

/// The chart, one column per backend.
fn chart(title: &str, subtitle: String, panels: Vec<Panel>, legend: Vec<LegendEntry>) -> Chart {
    let columns = panels.len();
    Chart {
        title: title.into(),
        subtitle,
        panels,
        columns,
        legend,
        size: (1100 + 500 * (columns as u32 - 1), 650),
    }
}

pub fn p99_chart(loaded: &Loaded) -> Result<Chart, String> {
    let (records, backends) = swept(loaded)?;
    let slo = records[0].load.as_ref().map_or(0.0, |l| l.slo_seconds);
    let (panels, legend) = panels(
        loaded,
        &records,
        &backends,
        Axis::log("offered rate, requests/s (log scale)", Unit::Count),
        Axis::log("corrected p99 latency (log scale)", Unit::Seconds),
        |r| r.corrected.p99,
        |_| {
            (
                Vec::new(),
                vec![(slo, format!("SLO {}", compact(slo, Unit::Seconds)))],
            )
        },
    );
    Ok(chart(
        "Server p99 latency against offered rate",
        subtitle(
            loaded,
            &records,
            &backends,
            "Corrected p99: from each request's intended send time (wrk2), so a queue \
             behind a slow server counts.",
        ),
        panels,
        legend,
    ))
}

pub fn achieved_chart(loaded: &Loaded) -> Result<Chart, String> {
    let (records, backends) = swept(loaded)?;
    let (panels, mut legend) = panels(
        loaded,
        &records,
        &backends,
        // Linear: on log axes every line lies on the diagonal; the rates where a server
        // falls behind are the highest, and a linear scale gives them the room.
        Axis::linear("offered rate, requests/s", Unit::Count).from(0.0),
        Axis::linear("achieved rate, requests/s", Unit::Count).from(0.0),
        |r| r.achieved,
        |mine| {
            let offered: Vec<f64> = mine
                .iter()
                .flat_map(|r| r.rates().map(|(k, _)| k.offered))
                .collect();
            let hi = offered.iter().copied().fold(0.0, f64::max);
            (
                vec![Series {
                    points: vec![(0.0, 0.0), (hi, hi)],
                    colour: REFERENCE,
                    dashed: true,
                    markers: false,
                    highlights: Vec::new(),
                }],
                Vec::new(),
            )
        },
    );
    legend.push(LegendEntry::new(
        "achieved = offered",
        REFERENCE,
        Key::Line { dashed: true },
    ));
    Ok(chart(
        "Server throughput: achieved against offered rate",
        subtitle(
            loaded,
            &records,
            &backends,
            "On the dashed line the server keeps up; below it requests queue or time out.",
        ),
        panels,
        legend,
    ))
}
