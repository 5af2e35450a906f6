//! Every claim of the notes gets a measured verdict. A claim names its source note, the
//! figure the notes give, and the rule (in words, shown with the result) by which its
//! measured numbers become a verdict; the rule itself is a pure function beside the claim,
//! unit-tested at its boundaries. Durations from the notes are scaled down (`--scale`,
//! default 1 s -> 20 ms) so the whole set runs in about a minute.

mod cpu;
mod lab;
mod limits;
mod memory;
pub mod python;
mod switching;
mod verdict;
mod waiting;

use std::time::Instant;

use serde::{Deserialize, Serialize};

pub use lab::Lab;
pub use verdict::{Figure, Verdict};

/// A claim and its experiment.
#[derive(Debug)]
pub struct Claim {
    pub id: &'static str,
    /// The notes it comes from (files in shared/seeds).
    pub source: &'static str,
    /// What the notes say, with their figure.
    pub claim: &'static str,
    /// How the measured numbers become a verdict.
    pub rule: &'static str,
    pub run: fn(&Lab) -> Result<Finding, String>,
}

/// What an experiment found.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub measured: Vec<Figure>,
    pub verdict: Verdict,
    pub why: String,
}

/// A claim's result, as printed and written to claims.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimResult {
    pub id: String,
    pub source: String,
    pub claim: String,
    pub rule: String,
    /// How the notes' durations were scaled, e.g. "1 s -> 20ms".
    pub scale: String,
    pub measured: Vec<Figure>,
    /// None when the experiment could not run (then `error` says why).
    pub verdict: Option<Verdict>,
    pub why: String,
    pub error: Option<String>,
    pub seconds: f64,
    /// The same pattern measured in CPython (`--python`), judged by the same rule.
    #[serde(default)]
    pub python: Option<python::PythonColumn>,
}

/// Every claim, in id order.
pub fn all() -> Vec<&'static Claim> {
    let mut v: Vec<&'static Claim> = waiting::CLAIMS
        .iter()
        .chain(limits::CLAIMS.iter())
        .chain(memory::CLAIMS.iter())
        .chain(cpu::CLAIMS.iter())
        .chain(switching::CLAIMS.iter())
        .collect();
    v.sort_by_key(|c| c.id);
    v
}

/// Looks up `--only` ids; an unknown one is an error naming the accepted ids.
pub fn select(only: &[String]) -> Result<Vec<&'static Claim>, crate::SpecError> {
    let every = all();
    if only.is_empty() {
        return Ok(every);
    }
    only.iter()
        .map(|id| {
            every
                .iter()
                .copied()
                .find(|c| c.id.eq_ignore_ascii_case(id))
                .ok_or_else(|| {
                    crate::SpecError::new(format!(
                        "unknown claim '{id}'; accepted: C01 to C{:02}",
                        every.len()
                    ))
                })
        })
        .collect()
}

/// Runs one claim's experiment and applies its rule.
pub fn run(claim: &Claim, lab: &Lab) -> ClaimResult {
    let started = Instant::now();
    let outcome = (claim.run)(lab);
    let (measured, verdict, why, error) = match outcome {
        Ok(f) => (f.measured, Some(f.verdict), f.why, None),
        Err(e) => (Vec::new(), None, String::new(), Some(e)),
    };
    ClaimResult {
        id: claim.id.into(),
        source: claim.source.into(),
        claim: claim.claim.into(),
        rule: claim.rule.into(),
        scale: lab.scale_note(),
        measured,
        verdict,
        why,
        error,
        seconds: started.elapsed().as_secs_f64(),
        python: None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn seventeen_claims_in_order() {
        let ids: Vec<&str> = super::all().iter().map(|c| c.id).collect();
        let want: Vec<String> = (1..=17).map(|i| format!("C{i:02}")).collect();
        assert_eq!(ids, want);
        assert!(super::select(&["c04".into()]).is_ok());
        assert!(
            super::select(&["C99".into()])
                .unwrap_err()
                .to_string()
                .contains("accepted")
        );
    }
}
