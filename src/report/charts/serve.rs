//! A server under steady load (`run --workload serve`), one panel per backend and one line
//! per model over the offered rates (sorted by rate; a rate run twice, the half-knee's
//! re-run, shows its last run, as the tables do): `serve-p99`, the corrected p99 with the
//! SLO line, and `serve-achieved`, achieved against offered with the line y = x where a
//! server keeps up (linear axes: on log ones every line lies on the diagonal). Each
//! model's knee is a square. Rates the generator could not drive
//! (invalid: its lag or CPU) are left out of the lines, and the subtitle counts them.

use crate::analysis::serve::{ServeItem, backends};
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

/// A record's valid rates, each offered rate once (its last run), sorted by rate.
fn valid_rates(r: &ServeRecord) -> Vec<&RateResult> {
    let mut rates: Vec<&RateResult> = Vec::new();
    for (rate, _) in r.rates() {
        rates.retain(|x| x.offered != rate.offered);
        if rate.valid {
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
            let sweeps: Vec<&ServeRecord> =
                mine.iter().copied().filter(|r| r.model == *name).collect();
            // The sweep whose knee is the median stands for the model, as in the tables;
            // the others are drawn faint beside it.
            let median = ServeItem::of_sweeps(&sweeps).map(|i| i.record.repetition);
            for r in &sweeps {
                let rates = valid_rates(r);
                let standing = sweeps.len() == 1 || median == Some(r.repetition);
                let knee = r.at_knee().map(|(k, _)| (k.offered, read(k)));
                series.push(Series {
                    points: rates.iter().map(|k| (k.offered, read(k))).collect(),
                    colour: rts.colour(name),
                    dashed: false,
                    markers: true,
                    faint: !standing,
                    highlights: knee.filter(|_| standing).into_iter().collect(),
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
    share_axes(&mut panels);
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

/// Panels side by side share their axes' ends, so backends compare at a glance (each alone
/// fitted its own data: the socket panel's p99 axis stopped at 200 ms, the timer's at 1 s).
fn share_axes(panels: &mut [Panel]) {
    if panels.len() < 2 {
        return;
    }
    let xs: Vec<f64> = panels.iter().flat_map(Panel::x_values).collect();
    let ys: Vec<f64> = panels.iter().flat_map(Panel::y_values).collect();
    for p in panels.iter_mut() {
        p.x = ends(p.x.clone(), &xs);
        p.y = ends(p.y.clone(), &ys);
    }
}

/// `axis` ending around `values`: a log axis at the 1-2-5 values outside them, a linear one
/// (from its own start) at the next multiple of the top's power of ten.
fn ends(axis: Axis, values: &[f64]) -> Axis {
    let shown: Vec<f64> = values
        .iter()
        .copied()
        .filter(|v| v.is_finite() && (!axis.log || *v > 0.0))
        .collect();
    let lo = shown.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = shown.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !(lo.is_finite() && hi.is_finite() && hi > 0.0) {
        return axis;
    }
    let decade = |v: f64| 10f64.powf(v.log10().floor());
    if axis.log {
        let steps = |v: f64| [1.0, 2.0, 5.0, 10.0].map(|m| m * decade(v));
        let down = steps(lo).into_iter().rfind(|s| *s <= lo).unwrap_or(lo);
        let up = steps(hi).into_iter().find(|s| *s >= hi).unwrap_or(hi);
        axis.from(down).to(up)
    } else {
        axis.to((hi / decade(hi)).ceil() * decade(hi))
    }
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
    let sweeps = records.iter().map(|r| r.repetition + 1).max().unwrap_or(1);
    let several = if sweeps > 1 {
        format!(
            " {sweeps} sweeps of each model: the one with the median knee bold, its knee marked; \
             the others faint."
        )
    } else {
        String::new()
    };
    format!(
        "{what} Open loop, {} arrivals of GET {} on {} connections, {} measured per rate; \
         knee: the highest valid rate with achieved >= {:.0}% of offered and corrected p99 <= {}. \
         Invalid rates (the generator could not drive them) are left out: {invalid} of {run}.\
         {several} {} backend{}. {}.",
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
                    faint: false,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panel_per_backend_sharing_its_axes_and_each_knee_marked() {
        let mut loaded = crate::analysis::tests::fixture();
        let mut socket = loaded.summary.serve[1].clone();
        socket.backend = "socket".into();
        loaded.summary.serve.push(socket);
        let chart = p99_chart(&loaded).unwrap();
        let titles: Vec<&str> = chart.panels.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["timer backend", "socket backend"]);
        assert_eq!(chart.columns, 2);
        let (timer, socket) = (&chart.panels[0], &chart.panels[1]);
        // threads alone on the socket panel, yet the same ends as the timer panel's.
        assert_eq!((timer.y.min, timer.y.max), (socket.y.min, socket.y.max));
        assert_eq!((timer.x.min, timer.x.max), (Some(100.0), Some(50_000.0)));
        assert_eq!(timer.y.max, Some(1.0), "the 733 ms p99 at 25,600/s");
        let Body::Lines(series) = &socket.body else {
            panic!("lines");
        };
        assert_eq!(series.len(), 1);
        // The knee, 12,800/s, is a square; invalid rates (15,222/s) are left out.
        assert_eq!(series[0].highlights.len(), 1);
        assert_eq!(series[0].highlights[0].0, 12_800.0);
        assert!(series[0].points.iter().all(|p| p.0 != 15_222.0));
        assert!(series[0].points.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(timer.references[0].0, 0.05, "the SLO line");
        // Without serve records: skipped, with the reason.
        loaded.summary.serve.clear();
        assert!(
            achieved_chart(&loaded)
                .unwrap_err()
                .contains("no serve sweep")
        );
    }
}
