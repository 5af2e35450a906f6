//! `rtbench load`'s terminal output: a line per offered rate (corrected and uncorrected
//! latency side by side, the generator's lag, whether the rate counts) and the knee; and the
//! one-line progress a rate prints as it ends.

use std::io::{self, Write};

use crate::load::{LoadReport, RateResult};
use crate::units::seconds;

/// A rate's progress line: offered, achieved, corrected p99, status.
pub fn progress_line(r: &RateResult) -> String {
    format!(
        "rate {}/s: achieved {:.1}/s, p99 {} corrected / {} uncorrected, lag p99 {}, \
         generator {:.0}% of a core, {} errors, {} timeouts: {}",
        r.offered,
        r.achieved,
        seconds(r.corrected.p99),
        seconds(r.uncorrected.p99),
        seconds(r.lag.p99),
        r.generator_cpu_share() * 100.0,
        r.errors,
        r.timeouts,
        r.status()
    )
}

/// The table: the run's settings, a line per rate, the knee.
pub fn write_load_table(out: &mut dyn Write, report: &LoadReport) -> io::Result<()> {
    let server = match &report.server {
        Some(info) => {
            let field = |k: &str| info.get(k).map_or("?".to_string(), |v| v.to_string());
            format!(
                "rtbench server, model {}, workers {}",
                field("model"),
                field("workers")
            )
        }
        None => "not an rtbench server".into(),
    };
    writeln!(
        out,
        "load on {} ({}, {}): {} connections, {} arrivals, {} warm-up + {} measured per rate, \
         timeout {}, answers checked by {}",
        report.target,
        report.addr,
        server,
        report.connections,
        report.arrivals,
        seconds(report.warmup_seconds),
        seconds(report.duration_seconds),
        seconds(report.timeout_seconds),
        report.verified_by
    )?;
    writeln!(
        out,
        "{:>9} {:>9} {:>6} {:>8} {:>34} {:>34} {:>8}  status",
        "", "", "", "", "corrected (from intended send)", "uncorrected (from actual send)", ""
    )?;
    writeln!(
        out,
        "{:>9} {:>9} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "offered",
        "achieved",
        "errors",
        "timeouts",
        "p50",
        "p99",
        "p99.9",
        "max",
        "p50",
        "p99",
        "p99.9",
        "max",
        "lag p99"
    )?;
    for r in &report.rates {
        let (c, u) = (&r.corrected, &r.uncorrected);
        writeln!(
            out,
            "{:>9} {:>9.1} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}  {}",
            format!("{}/s", r.offered),
            r.achieved,
            r.errors + r.wrong_checksums,
            r.timeouts,
            seconds(c.p50),
            seconds(c.p99),
            seconds(c.p999),
            seconds(c.max),
            seconds(u.p50),
            seconds(u.p99),
            seconds(u.p999),
            seconds(u.max),
            seconds(r.lag.p99),
            r.status()
        )?;
    }
    match report.knee {
        Some(k) => writeln!(
            out,
            "knee: {k}/s (the highest valid rate with achieved >= {:.0}% of offered and \
             corrected p99 <= {})",
            report.kept_up * 100.0,
            seconds(report.slo_seconds)
        ),
        None => writeln!(
            out,
            "knee: none (no valid rate had achieved >= {:.0}% of offered and corrected p99 <= {})",
            report.kept_up * 100.0,
            seconds(report.slo_seconds)
        ),
    }
}
