//! A whole load run: the target asked `/rtbench/info` (and found reachable), the
//! connections opened, the rates swept, the knee found; the [`LoadReport`] a caller prints
//! or stores.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::engine::{Generator, RateSpec};
use super::error::LoadError;
use super::info::{self, ServerInfo};
use super::observer::LoadObserver;
use super::record::{CPU_SHARE_LIMIT, KEPT_UP, RateResult, lag_limit};
use super::request::{Check, Requests};
use super::schedule::Arrivals;
use super::sweep::{AutoSearch, Rates, knee, sweep};
use super::target::TargetUrl;

/// The most connections a run may open.
pub const MAX_CONNECTIONS: usize = 100_000;

/// What a load run is asked to do.
#[derive(Debug, Clone)]
pub struct LoadSpec {
    /// The target.
    pub target: TargetUrl,
    /// The rates.
    pub rates: Rates,
    /// The measured window of each rate.
    pub duration: Duration,
    /// Sent, not recorded, before each window.
    pub warmup: Duration,
    /// Keep-alive connections.
    pub connections: usize,
    /// The latency objective (corrected p99).
    pub slo: Duration,
    /// How sends are spaced.
    pub arrivals: Arrivals,
    /// A request unanswered this long times out.
    pub timeout: Duration,
    /// The Poisson schedule's seed.
    pub seed: u64,
    /// The auto search's steps.
    pub search: AutoSearch,
}

impl LoadSpec {
    /// A spec with the CLI's defaults around a target and rates.
    pub fn new(target: TargetUrl, rates: Rates) -> LoadSpec {
        LoadSpec {
            target,
            rates,
            duration: Duration::from_secs(10),
            warmup: Duration::from_secs(2),
            connections: 16,
            slo: Duration::from_millis(50),
            arrivals: Arrivals::Uniform,
            timeout: Duration::from_secs(2),
            seed: 42,
            search: AutoSearch::default(),
        }
    }

    /// Refuses settings out of range, naming what is accepted.
    pub fn check(&self) -> Result<(), LoadError> {
        let bad = |s: String| Err(LoadError::Setting(s));
        if self.duration.is_zero() {
            return bad("duration 0 not accepted; accepted: a duration above 0 (e.g. 10s)".into());
        }
        if self.connections == 0 || self.connections > MAX_CONNECTIONS {
            return bad(format!(
                "connections {} not accepted; accepted: 1 to {MAX_CONNECTIONS}",
                self.connections
            ));
        }
        if self.slo.is_zero() || self.timeout.is_zero() {
            return bad("slo and timeout must be above 0 (e.g. 50ms, 2s)".into());
        }
        if let Rates::List(list) = &self.rates
            && (list.is_empty() || list.iter().any(|r| r.is_nan() || *r <= 0.0))
        {
            return bad("rates must be above 0; accepted: R[,R..] or auto".into());
        }
        Ok(())
    }
}

/// What a run measured, with what it was asked and whom it measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadReport {
    /// The URL as given.
    pub target: String,
    /// The address it resolved to.
    pub addr: String,
    /// The request target sent (before each request's id).
    pub path: String,
    /// `/rtbench/info`'s object, when the server is an rtbench server.
    pub server: Option<serde_json::Value>,
    /// `checksum` (each `/task` answer checked against its request) or `status` (200 only).
    pub verified_by: String,
    /// The rates asked (`auto` or the list).
    pub rates_asked: String,
    /// Keep-alive connections.
    pub connections: usize,
    /// `uniform` or `poisson`.
    pub arrivals: Arrivals,
    /// Each rate's measured window.
    pub duration_seconds: f64,
    /// Each rate's warm-up.
    pub warmup_seconds: f64,
    /// The per-request timeout.
    pub timeout_seconds: f64,
    /// The latency objective on corrected p99.
    pub slo_seconds: f64,
    /// Achieved over offered a rate must reach.
    pub kept_up: f64,
    /// Lag p99 above which a rate is invalid.
    pub lag_p99_limit_seconds: f64,
    /// Share of a core above which a rate is invalid.
    pub cpu_share_limit: f64,
    /// Every rate, in the order run.
    pub rates: Vec<RateResult>,
    /// The highest valid rate meeting the SLO.
    pub knee: Option<f64>,
    /// After an auto search, the rate measured at half the knee.
    #[serde(default)]
    pub half_knee: Option<f64>,
}

impl LoadReport {
    /// Answers with a wrong checksum over every rate.
    pub fn wrong_checksums(&self) -> u64 {
        self.rates.iter().map(|r| r.wrong_checksums).sum()
    }
}

/// Runs `spec`, telling `observer` about each rate.
pub fn run(spec: &LoadSpec, observer: &mut dyn LoadObserver) -> Result<LoadReport, LoadError> {
    spec.check()?;
    let addr = spec.target.resolve()?;
    let info = info::probe(&spec.target, addr, spec.timeout)?;
    let server = match info {
        ServerInfo::Rtbench(v) => Some(v),
        ServerInfo::Other(status) => {
            observer.progress(&format!(
                "{addr} is not an rtbench server (/rtbench/info answered {status}, not JSON): \
                 only status 200 is checked"
            ));
            None
        }
    };
    let requests = Requests::new(&spec.target, server.is_some())?;
    let verified_by = match requests.check() {
        Check::Checksum { .. } => "checksum",
        Check::Status => "status",
    };
    let mut generator = Generator::new(addr, spec.connections, requests, spec.timeout)?;
    let mut failure = None;
    let mut index = 0u64;
    let mut measure = |offered: f64| {
        index += 1;
        let rate = RateSpec {
            offered,
            warmup: spec.warmup,
            duration: spec.duration,
            arrivals: spec.arrivals,
            seed: spec.seed.wrapping_add(index),
            timeout: spec.timeout,
            slo: spec.slo,
        };
        generator.run_rate(&rate).unwrap_or_else(|e| {
            let r = RateResult::failed(offered, e.to_string());
            failure.get_or_insert(e);
            r
        })
    };
    let mut rates = sweep(&spec.rates, &spec.search, &mut measure, observer);
    // The auto search's knee, then half of it: the tail a server shows with room to spare.
    let found = knee(&rates);
    let half_knee = match (&spec.rates, found) {
        (Rates::Auto, Some(k)) if (k / 2.0).round() >= 1.0 => {
            let half = (k / 2.0).round();
            observer.progress(&format!("auto: half the knee, {half}/s"));
            observer.before_rate(half);
            let mut r = measure(half);
            observer.after_rate(&mut r);
            rates.push(r);
            Some(half)
        }
        _ => None,
    };
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(LoadReport {
        target: spec.target.url.clone(),
        addr: addr.to_string(),
        path: spec.target.path.clone(),
        server,
        verified_by: verified_by.into(),
        rates_asked: spec.rates.to_string(),
        connections: spec.connections,
        arrivals: spec.arrivals,
        duration_seconds: spec.duration.as_secs_f64(),
        warmup_seconds: spec.warmup.as_secs_f64(),
        timeout_seconds: spec.timeout.as_secs_f64(),
        slo_seconds: spec.slo.as_secs_f64(),
        kept_up: KEPT_UP,
        lag_p99_limit_seconds: lag_limit(spec.slo).as_secs_f64(),
        cpu_share_limit: CPU_SHARE_LIMIT,
        knee: found,
        half_knee,
        rates,
    })
}
