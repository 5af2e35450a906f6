//! Progress of a run on stderr: a bar with an ETA on a terminal (indicatif), plain lines
//! without one (CI, pipes), so a long run always shows where it is.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::CellPlan;
use super::session::Observer;
use crate::results::{CellRecord, MemoryRecord};
use crate::units::{bytes, seconds};

/// Writes a session's progress to stderr.
#[derive(Default)]
pub struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
}

/// A guess at the cost of one repetition of a cell (a child process: its warm-up runs and
/// one measured run), so the ETA weighs a 10-second cell above a 10 ms one.
fn estimate_ms(cell: &CellPlan) -> u64 {
    let runs = (cell.warmup + 1) as f64;
    (runs * cell.ideal_seconds() * 1.5 * 1e3 + 60.0) as u64
}

/// Writes `text` to stderr now (no line break).
fn err(text: &str) {
    let mut e = std::io::stderr().lock();
    let _ = write!(e, "{text}");
    let _ = e.flush();
}

impl Observer for Progress {
    fn note(&mut self, text: &str) {
        eprintln!("note: {text}");
    }

    fn serving(&mut self, line: &str) {
        eprintln!("{line}");
    }

    fn probing(&mut self, runtime: &str, first: bool) {
        if first {
            err("timer and spawn probes ...");
        }
        err(&format!(" {runtime}"));
    }

    fn probed(&mut self) {
        eprintln!();
    }

    fn cells(&mut self, cells: &[CellPlan]) {
        self.bar = std::io::stderr().is_terminal().then(|| {
            let total = cells
                .iter()
                .map(|c| estimate_ms(c) * c.repeat.max(1) as u64);
            let bar = ProgressBar::new(total.sum());
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {percent:>3}% eta {eta:>4} {msg}")
                    .expect("the template is valid"),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        self.total = cells.iter().map(|c| c.repeat.max(1)).sum();
        self.done = 0;
    }

    fn cell_started(&mut self, cell: &CellPlan, round: usize, rounds: usize) {
        let line = format!(
            "[{}/{}] {} x{} (round {}/{rounds})",
            self.done + 1,
            self.total,
            cell.label(),
            cell.spec.tasks,
            round + 1
        );
        match &self.bar {
            Some(bar) => bar.set_message(line),
            None => err(&format!("{line} ... ")),
        }
    }

    fn cell_finished(&mut self, cell: &CellPlan, r: &CellRecord) {
        self.done += 1;
        let outcome = match (&r.error, &r.suspect) {
            (None, None) => format!(
                "median {} over {} (efficiency {:.2}{})",
                seconds(r.wall_seconds),
                r.repeat,
                r.efficiency,
                if r.noisy { ", noisy" } else { "" }
            ),
            (None, Some(why)) => format!("SUSPECT: {why}"),
            (Some(e), _) => format!("FAILED: {e}"),
        };
        match &self.bar {
            Some(bar) => {
                bar.println(format!(
                    "[{}/{}] {} x{} ... {outcome}",
                    self.done,
                    self.total,
                    cell.label(),
                    cell.spec.tasks
                ));
                bar.inc(estimate_ms(cell));
            }
            None => eprintln!("{outcome}"),
        }
    }

    fn cells_done(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn parking(&mut self, runtime: &str, units: usize) {
        err(&format!("memory {runtime} x{units} ... "));
    }

    fn parked(&mut self, r: &MemoryRecord) {
        match &r.error {
            None => eprintln!(
                "{} resident, {} kernel per unit (median of {})",
                bytes(Some(r.rss_per_unit_bytes)),
                bytes(r.kernel_per_unit_bytes),
                r.repeats
            ),
            Some(e) => eprintln!("FAILED: {e}"),
        }
    }
}
