//! Section `serve`: a server under steady load. The method in a few lines (from the first
//! record's load report and placement), a table per backend of each model at its knee
//! (the knee, its bracket and the unstable flag from [`crate::analysis::serve`]), and the
//! two serve charts.

use std::fmt::Write as _;

use super::charts::link;
use super::decision::served::{knee_bracket, memory};
use super::{Input, Renderer};
use crate::analysis::serve::{ServeItem, backends, models};
use crate::report::charts::{FAMILIES, SERVE};
use crate::report::labels::runtime_label;
use crate::report::md::{MdTable, inline};
use crate::results::ServeRecord;
use crate::units::{per_second, seconds};

/// The serve section.
pub struct Serve;

impl Renderer for Serve {
    fn name(&self) -> &'static str {
        "serve"
    }

    fn render(&self, input: &Input) -> String {
        let records = &input.loaded.summary.serve;
        let Some(first) = records.first() else {
            return "The serve sweep was not run for this folder (`rtbench run --workload serve`).\n"
                .into();
        };
        let sweeps = records.iter().map(|r| r.repetition + 1).max().unwrap_or(1);
        let mut out = method(first, sweeps);
        for backend in backends(records) {
            let _ = writeln!(out, "\nBackend `{}`:\n", inline(backend));
            let mut table = MdTable::new(&[
                "model",
                "workers",
                "knee [interval]",
                "p99 at the knee",
                "p99 at half the knee",
                "cores busy",
                "memory",
                "switches/s",
                "rates run",
            ]);
            for sweeps in models(records.iter().filter(|r| r.backend == backend)) {
                table.row(&row(&sweeps));
            }
            out.push_str(&table.finish());
        }
        let charts: Vec<String> = SERVE
            .iter()
            .filter_map(|name| FAMILIES.iter().find(|f| f.name == *name))
            .filter_map(|f| link(input, f))
            .collect();
        for c in charts {
            let _ = write!(out, "\n{c}\n");
        }
        out
    }
}

/// How the load was made, in a few lines.
fn method(r: &ServeRecord, sweeps: u32) -> String {
    let mut out = format!(
        "Each model's server runs in its own process, answering `GET {}`; the load generator \
         (one epoll thread) sends on a fixed schedule whatever the replies do (open loop), and \
         a request's latency is counted from its intended send time, as wrk2 does (corrected), \
         so a queue behind a slow server counts.",
        inline(&r.handler)
    );
    if let Some(l) = &r.load {
        let _ = write!(
            out,
            " {} keep-alive connections, {} arrivals, {} warm-up then {} measured per rate. \
             A rate is invalid when the generator could not drive it: its lag p99 over {} or \
             its thread over {:.0}% of a core. The knee is the highest valid rate with achieved \
             >= {:.0}% of offered and corrected p99 <= {} (the SLO); its bracket runs to the \
             lowest rate run above it that was not good, and the half-knee rate is run again \
             after the search.{}",
            l.connections,
            l.arrivals,
            seconds(l.warmup_seconds),
            seconds(l.duration_seconds),
            seconds(l.lag_p99_limit_seconds),
            l.cpu_share_limit * 100.0,
            l.kept_up * 100.0,
            seconds(l.slo_seconds),
            if sweeps > 1 {
                format!(
                    " Each model was swept {sweeps} times, every model once before any again; \
                     its knee is the median, its interval runs from the lowest knee to the \
                     highest bracket's top, and the figures at the knee are the median sweep's."
                )
            } else {
                String::new()
            },
        );
    }
    let p = &r.placement;
    let _ = writeln!(
        out,
        " Placement: server on CPUs {:?}, generator on {:?}, {}, server niceness {}{} ({}). \
         Cores busy and switches/s are the server's (its processes summed) over the knee's \
         rate. Memory is its proportional set size (PSS) at the end of that rate, which \
         counts a page its processes share once, and its peak RSS over the rate (VmHWM, reset \
         before each rate, summed over processes: pre-forked workers count their shared pages \
         each), which holds what the allocator kept from the higher rates run before it.",
        p.server_cpus,
        p.generator_cpus,
        if p.pinned { "pinned apart" } else { "shared" },
        p.server_nice,
        if p.generator_realtime {
            ", the generator's thread under SCHED_FIFO"
        } else {
            ""
        },
        inline(&p.why)
    );
    out
}

/// One model's row: at its knee (its sweeps' median, figures from the median sweep), or
/// dashes and why there is none; sweeps that failed are named after the knee.
fn row(sweeps: &[&ServeRecord]) -> Vec<String> {
    let r = sweeps[0];
    let workers = r.workers.map_or("per connection".into(), |w| w.to_string());
    let rates: Vec<f64> = sweeps
        .iter()
        .flat_map(|r| r.rates().map(|(k, _)| k.offered))
        .collect();
    let lo = rates.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = rates.iter().copied().fold(0.0, f64::max);
    let run = if rates.is_empty() {
        "0".into()
    } else {
        format!("{}: {lo:.0}..{}", rates.len(), per_second(hi))
    };
    let name = runtime_label(&r.model, r.legacy);
    let ok: Vec<&ServeRecord> = sweeps.iter().copied().filter(|r| r.ok()).collect();
    let failed: Vec<String> = sweeps
        .iter()
        .filter(|r| !r.ok() || r.knee().is_none())
        .map(|r| why(r))
        .collect();
    let Some(i) = ServeItem::of_sweeps(&ok) else {
        let why = failed.join("; ");
        let dash = || "-".to_string();
        return vec![
            name,
            workers,
            why,
            dash(),
            dash(),
            dash(),
            dash(),
            dash(),
            run,
        ];
    };
    let knee = if failed.is_empty() {
        knee_bracket(&i)
    } else {
        format!(
            "{}; {} of {} sweeps without a knee: {}",
            knee_bracket(&i),
            failed.len(),
            sweeps.len(),
            failed.join("; ")
        )
    };
    let half = match (i.half_p99, i.unstable) {
        (Some(p), true) => format!("{} (missed: unstable)", seconds(p)),
        (Some(p), false) => seconds(p),
        (None, _) => "-".into(),
    };
    vec![
        name,
        workers,
        knee,
        seconds(i.p99),
        half,
        i.cores.map_or("-".into(), |c| format!("{c:.2}")),
        memory(&i),
        i.switches_per_second
            .map_or("-".into(), |s| format!("{s:.0}")),
        run,
    ]
}

/// Why a sweep has no knee.
fn why(r: &ServeRecord) -> String {
    match &r.error {
        Some(e) => format!("failed: {e}"),
        None if !r.ok() => "wrong answers".into(),
        None => "no rate met the SLO".into(),
    }
}
