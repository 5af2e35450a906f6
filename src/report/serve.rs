//! `run --workload serve` in the terminal: a line per model and backend, its knee and what
//! the server cost there.

use std::io::{self, Write};

use crate::results::ServeRecord;
use crate::units::{bytes, per_second, seconds};

/// The corrected p99 at `offered`, if that rate was run: its last run (the half-knee is run
/// again after the search, which may have passed it on the way up), as the analysis reads it.
fn p99_at(r: &ServeRecord, offered: Option<f64>) -> String {
    let Some(offered) = offered else {
        return "-".into();
    };
    r.rates()
        .filter(|(rate, _)| rate.offered == offered)
        .last()
        .map_or("-".into(), |(rate, _)| seconds(rate.corrected.p99))
}

/// The table: model, backend, workers, knee, corrected p99 at the knee and at half of it,
/// the server's CPU (cores), peak resident memory and switches per second at the knee.
pub fn write_serve_table(out: &mut dyn Write, records: &[ServeRecord]) -> io::Result<()> {
    let Some(first) = records.first() else {
        return Ok(());
    };
    let settings = first.load.as_ref().map_or(String::new(), |l| {
        format!(
            ", {} connections, {} arrivals, {} measured per rate, knee at corrected p99 <= {} and achieved >= {:.0}% of offered",
            l.connections,
            l.arrivals,
            seconds(l.duration_seconds),
            seconds(l.slo_seconds),
            l.kept_up * 100.0
        )
    });
    writeln!(
        out,
        "serve: {}{settings}; server and generator on CPUs {:?} ({})",
        first.handler,
        first.placement.server_cpus,
        if first.placement.pinned {
            "pinned apart"
        } else if first.placement.generator_realtime {
            "shared, the generator's thread real-time"
        } else {
            "shared, the server niced"
        }
    )?;
    let several = records.iter().any(|r| r.repetition > 0);
    writeln!(
        out,
        "{:<22} {:<7} {:>7} {:>10} {:>9} {:>9} {:>8} {:>10} {:>10} {:>10} {:>5}  status",
        "model",
        "backend",
        "workers",
        "knee",
        "p99 knee",
        "p99 half",
        "cores",
        "PSS",
        "peak RSS",
        "switch/s",
        "rates"
    )?;
    for r in records {
        let at = r.at_knee();
        let server = at.and_then(|(_, s)| s);
        let status = match (&r.error, r.knee()) {
            (Some(e), _) => format!("FAILED: {e}"),
            (None, None) => "no rate met the SLO".into(),
            (None, Some(_)) => "ok".into(),
        };
        let mut name = if r.legacy {
            format!("{} (legacy)", r.model)
        } else {
            r.model.clone()
        };
        if several {
            name.push_str(&format!(" #{}", r.repetition + 1));
        }
        writeln!(
            out,
            "{:<22} {:<7} {:>7} {:>10} {:>9} {:>9} {:>8} {:>10} {:>10} {:>10} {:>5}  {status}",
            name,
            r.backend,
            r.workers.map_or("per conn".into(), |w| w.to_string()),
            r.knee().map_or("-".into(), per_second),
            p99_at(r, r.knee()),
            p99_at(r, r.load.as_ref().and_then(|l| l.half_knee)),
            server.map_or("-".into(), |s| format!("{:.2}", s.cores_busy())),
            bytes(server.map(|s| s.pss_bytes as f64).filter(|&p| p > 0.0)),
            bytes(server.map(|s| s.peak_rss_bytes as f64)),
            server.map_or("-".into(), |s| format!("{:.0}", s.switches_per_second())),
            r.load.as_ref().map_or(0, |l| l.rates.len()),
        )?;
    }
    Ok(())
}
