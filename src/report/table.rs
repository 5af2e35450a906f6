//! The terminal table: one line per cell, the figures a person compares first.

use std::io::{self, Write};

use crate::results::CellRecord;

pub fn write_table(out: &mut impl Write, records: &[CellRecord]) -> io::Result<()> {
    writeln!(
        out,
        "{:<22} {:<6} {:>7} {:<13} {:>7} {:>10} {:>10} {:>6} {:>10} {:>8} {:>8} {:>9} {:>9}  status",
        "runtime",
        "work",
        "tasks",
        "limit",
        "workers",
        "wall",
        "ideal",
        "eff",
        "tasks/s",
        "user s",
        "sys s",
        "vol csw",
        "invol csw"
    )?;
    for r in records {
        let name = if r.legacy {
            format!("{} (legacy)", r.runtime)
        } else {
            r.runtime.clone()
        };
        let status = match &r.error {
            None => "ok".to_string(),
            Some(e) => format!("FAILED: {e}"),
        };
        writeln!(
            out,
            "{:<22} {:<6} {:>7} {:<13} {:>7} {:>10} {:>10} {:>6.2} {:>10.0} {:>8.3} {:>8.3} {:>9} {:>9}  {status}",
            name,
            r.workload,
            r.tasks,
            r.limit,
            r.workers,
            seconds(r.wall_seconds),
            seconds(r.ideal_seconds),
            r.efficiency,
            r.throughput_per_second,
            r.cpu_user_seconds,
            r.cpu_sys_seconds,
            r.voluntary_switches,
            r.involuntary_switches,
        )?;
    }
    Ok(())
}

/// 3 significant figures with a unit that fits: 12.3ms, 1.23s, 456us.
pub fn seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2}s")
    } else if s >= 1e-3 {
        format!("{:.1}ms", s * 1e3)
    } else {
        format!("{:.0}us", s * 1e6)
    }
}
