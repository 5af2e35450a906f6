//! Progress of a run on stderr: a bar with an ETA on a terminal (indicatif), plain lines
//! without one (CI, pipes), so a long run always shows where it is.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::CellPlan;
use crate::results::CellRecord;
use crate::units::seconds;

pub struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
}

/// A guess at a cell's cost, so the ETA weighs a 10-second cell above a 10 ms one.
fn estimate_ms(cell: &CellPlan) -> u64 {
    let runs = (cell.warmup + cell.repeat.max(1)) as f64;
    (runs * cell.ideal_seconds() * 1.5 * 1e3 + 60.0) as u64
}

impl Progress {
    pub fn new(cells: &[CellPlan]) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(cells.iter().map(estimate_ms).sum());
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {percent:>3}% eta {eta:>4} {msg}")
                    .expect("the template is valid"),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            total: cells.len(),
            done: 0,
        }
    }

    pub fn start(&mut self, cell: &CellPlan) {
        let line = format!(
            "[{}/{}] {} x{}",
            self.done + 1,
            self.total,
            cell.label(),
            cell.spec.tasks
        );
        match &self.bar {
            Some(bar) => bar.set_message(line),
            None => {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "{line} ... ");
                let _ = err.flush();
            }
        }
    }

    pub fn finish(&mut self, cell: &CellPlan, r: &CellRecord) {
        self.done += 1;
        let outcome = match &r.error {
            None => format!(
                "{} (efficiency {:.2}{})",
                seconds(r.wall_seconds),
                r.efficiency,
                if r.noisy { ", noisy" } else { "" }
            ),
            Some(e) => format!("FAILED: {e}"),
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

    pub fn close(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
