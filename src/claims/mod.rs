//! Every claim of the notes gets a measured verdict. A claim names its source note, the
//! figure the notes give, and the rule (in words, shown with the result) by which its
//! measured numbers become a verdict; the rule itself is a pure function beside the claim,
//! unit-tested at its boundaries. Durations from the notes are scaled down (`--scale`,
//! default 1 s -> 20 ms) so the whole set, each experiment in interleaved rounds, runs in
//! about seven minutes.

mod adaptive;
mod bootstrap;
mod cpu;
mod cpu_runs;
mod judge;
mod lab;
mod limits;
mod memory;
mod practical;
pub mod python;
mod rejections;
pub mod session;
mod switching;
mod switching_io;
mod verdict;
mod waiting;

use std::time::Instant;

pub use crate::results::{ClaimResult, Figure, FigureId, FigureKey, FigureUnit, Verdict};
pub use cpu_runs::TASKS as CPU_TASKS;
pub use judge::Est;
pub use lab::{Lab, MIN_ROUNDS, ROUNDS};
pub use limits::{C05_CALLS, C05_LIMIT, C05_ROUNDS};
pub use session::{Observer, Progress, SaveError, run_all};
pub use switching::MIN_VOLUNTARY_PER_HOP;

/// The notes' 1 s runs as 20 ms unless `--scale` says otherwise.
pub const DEFAULT_SCALE: f64 = 0.02;

/// A claim and its experiment.
#[derive(Debug)]
pub struct Claim {
    /// `C01` to `C17`.
    pub id: &'static str,
    /// The notes it comes from (files in shared/seeds).
    pub source: &'static str,
    /// What the notes say, with their figure.
    pub claim: &'static str,
    /// How the measured numbers become a verdict, in words built from the same named
    /// thresholds the rule's code compares with.
    pub rule: fn() -> String,
    /// Measures and judges; an error says why it could not.
    pub run: fn(&Lab) -> Result<Finding, String>,
}

/// What an experiment found.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Every figure the claim publishes, keyed.
    pub measured: Vec<Figure>,
    /// The rule's verdict.
    pub verdict: Verdict,
    /// The numbers behind it, in a sentence.
    pub why: String,
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

/// Every figure id `claim` publishes: those [`FigureId::claim`] gives to it, the retired
/// ones left out.
pub fn publishes(claim: &str) -> impl Iterator<Item = FigureId> + '_ {
    FigureId::ALL
        .iter()
        .copied()
        .filter(move |f| f.claim() == claim && !f.retired())
}

/// Checks that a finding of `claim` holds every figure the claim publishes, and only those,
/// each under one key of its own with a subject exactly where the figure takes one: a
/// reader asking for one of them then always finds it, and finds one value.
pub fn check_figures(claim: &str, figures: &[Figure]) -> Result<(), String> {
    let written = check_keys(claim, figures)?;
    let missing: Vec<&str> = publishes(claim)
        .filter(|id| !written.contains(id))
        .map(FigureId::name)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{claim}: the experiment wrote no figure {}",
            missing.join(", ")
        ))
    }
}

/// Checks that the figures of `claim` are its own, each under one key of its own with a
/// subject exactly where the figure takes one, and answers the ids written. What a file
/// written before a figure was added is held to: it may lack that figure (a reader shows
/// it as `not measured (KEY)`), never hold a malformed one.
pub fn check_keys(claim: &str, figures: &[Figure]) -> Result<Vec<FigureId>, String> {
    let mut written: Vec<&FigureKey> = Vec::new();
    for f in figures {
        let Some(key) = &f.key else {
            return Err(format!("{claim}: figure '{}' has no key", f.label));
        };
        if key.id.claim() != claim {
            return Err(format!(
                "{claim}: figure '{}' is keyed {key}, a figure of {}",
                f.label,
                key.id.claim()
            ));
        }
        if key.id.subject().is_some() != key.subject.is_some() {
            let want = key.id.subject().map_or("no subject".to_string(), |s| {
                format!("a {s} as its subject")
            });
            return Err(format!(
                "{claim}: figure '{}' is keyed {key}; {} takes {want}",
                f.label, key.id
            ));
        }
        if written.contains(&key) {
            return Err(format!("{claim}: two figures are keyed {key}"));
        }
        written.push(key);
    }
    Ok(written.iter().map(|k| k.id).collect())
}

/// Runs one claim's experiment and applies its rule.
pub fn run(claim: &Claim, lab: &Lab) -> ClaimResult {
    let started = Instant::now();
    let outcome = (claim.run)(lab).and_then(|f| {
        check_figures(claim.id, &f.measured)?;
        Ok(f)
    });
    let (measured, verdict, why, error) = match outcome {
        Ok(f) => (f.measured, Some(f.verdict), f.why, None),
        Err(e) => (Vec::new(), None, String::new(), Some(e)),
    };
    ClaimResult {
        id: claim.id.into(),
        source: claim.source.into(),
        claim: claim.claim.into(),
        rule: (claim.rule)(),
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
    use super::*;

    #[test]
    fn a_finding_must_hold_every_figure_of_its_claim_and_no_other() {
        let fig = |id| Figure::new(FigureKey::about(id, "tokio"), "x", 1.0, FigureUnit::Seconds);
        let both = [
            fig(FigureId::C17BlockingInTasks),
            fig(FigureId::C17OnBlockingPool),
        ];
        assert_eq!(check_figures("C17", &both), Ok(()));
        let e = check_figures("C17", &both[..1]).unwrap_err();
        assert!(e.contains("c17-on-blocking-pool"), "{e}");
        let e = check_figures(
            "C17",
            &[
                both[0].clone(),
                both[1].clone(),
                fig(FigureId::C06RejectedNoLimit),
            ],
        )
        .unwrap_err();
        assert!(e.contains("a figure of C06"), "{e}");
        let twice = [both[0].clone(), both[0].clone(), both[1].clone()];
        assert!(
            check_figures("C17", &twice)
                .unwrap_err()
                .contains("two figures")
        );
        let mut plain = both.to_vec();
        plain[1].key = Some(FigureKey::of(FigureId::C17OnBlockingPool));
        let e = check_figures("C17", &plain).unwrap_err();
        assert!(e.contains("takes a runtime as its subject"), "{e}");
        let mut unkeyed = both.to_vec();
        unkeyed[0].key = None;
        assert!(check_figures("C17", &unkeyed).is_err());
    }

    #[test]
    fn every_claim_publishes_some_figure() {
        for c in all() {
            assert!(
                publishes(c.id).next().is_some(),
                "{} has no figure id",
                c.id
            );
        }
        let owners: Vec<&str> = FigureId::ALL.iter().map(|f| f.claim()).collect();
        assert!(owners.iter().all(|o| all().iter().any(|c| c.id == *o)));
    }

    #[test]
    fn seventeen_claims_in_order() {
        let ids: Vec<&str> = all().iter().map(|c| c.id).collect();
        let want: Vec<String> = (1..=17).map(|i| format!("C{i:02}")).collect();
        assert_eq!(ids, want);
        assert!(select(&["c04".into()]).is_ok());
        assert!(
            select(&["C99".into()])
                .unwrap_err()
                .to_string()
                .contains("accepted")
        );
    }
}
