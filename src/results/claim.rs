//! What claims.json holds: each claim's verdict and the figures it measured. A figure has a
//! typed key ([`FigureKey`]: which figure of which claim, and for what subject) beside its
//! human label, so a reader asks for the key the claim wrote, never for a label's text.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::units::{bytes, count, per_second, ratio, seconds};

pub use super::figure_ids::{C15_ADAPTIVE, C15_FIXED, FigureId};

/// A claim's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// The measured numbers agree with the claim within its rule's tolerance.
    #[serde(rename = "holds")]
    Holds,
    /// Same direction, different size.
    #[serde(rename = "holds roughly")]
    HoldsRoughly,
    /// The measured numbers contradict the claim.
    #[serde(rename = "does not hold")]
    DoesNotHold,
    /// A claim about CPython (its GIL or event loop) that Rust does not share.
    #[serde(rename = "Python-only")]
    PythonOnly,
    /// A threshold of the rule falls inside a measured interval: the numbers allow more
    /// than one verdict, so none is given (never a flip between two runs).
    #[serde(rename = "inconclusive")]
    Inconclusive,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Verdict::Holds => "holds",
            Verdict::HoldsRoughly => "holds roughly",
            Verdict::DoesNotHold => "does not hold",
            Verdict::PythonOnly => "Python-only",
            Verdict::Inconclusive => "inconclusive",
        })
    }
}

impl Verdict {
    /// The weaker of two verdicts (for claims made of several parts).
    pub fn worst(self, other: Verdict) -> Verdict {
        let rank = |v: Verdict| match v {
            Verdict::Holds => 0,
            Verdict::HoldsRoughly => 1,
            Verdict::PythonOnly => 2,
            Verdict::DoesNotHold => 3,
            Verdict::Inconclusive => 4,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

/// The unit of a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FigureUnit {
    /// Seconds.
    #[serde(rename = "s")]
    Seconds,
    /// Bytes.
    #[serde(rename = "B")]
    Bytes,
    /// A ratio, e.g. a speed-up.
    #[serde(rename = "x")]
    Ratio,
    /// A count of things.
    #[serde(rename = "count")]
    Count,
    /// A rate per second.
    #[serde(rename = "/s")]
    PerSecond,
}

/// A figure's key: which figure ([`FigureId`]) and, where a claim measures it several times,
/// for what (a runtime, a latency spread, a client limit). Written `id` or `id/subject`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FigureKey {
    /// Which figure.
    pub id: FigureId,
    /// What it was measured for, if the claim measures it several times.
    pub subject: Option<String>,
}

impl FigureKey {
    /// A figure measured once per claim.
    pub fn of(id: FigureId) -> FigureKey {
        FigureKey { id, subject: None }
    }

    /// A figure measured for `subject` (a runtime, a spread, a limit).
    pub fn about(id: FigureId, subject: impl Into<String>) -> FigureKey {
        FigureKey {
            id,
            subject: Some(subject.into()),
        }
    }
}

impl fmt::Display for FigureKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.subject {
            None => f.pad(self.id.name()),
            Some(s) => f.pad(&format!("{}/{s}", self.id.name())),
        }
    }
}

/// A text that names no figure of any claim.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "figure key '{0}' names no figure; a key is ID or ID/SUBJECT with an ID such as c17-blocking-in-tasks"
)]
pub struct UnknownFigure(String);

impl FromStr for FigureKey {
    type Err = UnknownFigure;

    fn from_str(s: &str) -> Result<FigureKey, UnknownFigure> {
        let (id, subject) = match s.split_once('/') {
            Some((id, subject)) if !subject.is_empty() => (id, Some(subject.to_string())),
            Some(_) => return Err(UnknownFigure(s.into())),
            None => (s, None),
        };
        let id = FigureId::ALL
            .iter()
            .copied()
            .find(|f| f.name() == id)
            .ok_or_else(|| UnknownFigure(s.into()))?;
        if id.subject().is_some() != subject.is_some() {
            return Err(UnknownFigure(s.into()));
        }
        Ok(FigureKey { id, subject })
    }
}

crate::serde_as_text!(FigureKey);

/// One measured number with its unit, under its key and a label for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// What the figure is; None for figures of the Python scripts, which no reader looks
    /// up, and for a key this version does not know (a newer version's figure keeps its
    /// label and value; readers then say the key they asked for was not measured).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "known_key"
    )]
    pub key: Option<FigureKey>,
    /// For people: `tokio blocking in tasks`.
    pub label: String,
    /// The number, in `unit`: the median of the repetitions when there were several.
    pub value: f64,
    /// Its unit.
    pub unit: FigureUnit,
    /// The interval of the median over the repetitions ([low, high], about 95%), when the
    /// figure was measured more than once; a verdict is judged on it, not on `value` alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<[f64; 2]>,
}

/// A key as this version knows it, or None.
fn known_key<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<FigureKey>, D::Error> {
    let text = Option::<String>::deserialize(d)?;
    Ok(text.and_then(|t| t.parse().ok()))
}

impl Figure {
    /// A keyed figure.
    pub fn new(key: FigureKey, label: impl Into<String>, value: f64, unit: FigureUnit) -> Figure {
        Figure {
            key: Some(key),
            label: label.into(),
            value,
            unit,
            interval: None,
        }
    }

    /// The same figure with the interval of its median.
    pub fn within(mut self, low: f64, high: f64) -> Figure {
        self.interval = Some([low, high]);
        self
    }

    /// A keyed figure in seconds.
    pub fn secs(key: FigureKey, label: impl Into<String>, value: f64) -> Figure {
        Figure::new(key, label, value, FigureUnit::Seconds)
    }
}

impl Figure {
    /// A number in this figure's unit, as people read it.
    pub fn show(&self, v: f64) -> String {
        match self.unit {
            FigureUnit::Seconds => seconds(v),
            FigureUnit::Bytes => bytes(Some(v)),
            FigureUnit::Ratio => ratio(v),
            FigureUnit::Count => count(v),
            FigureUnit::PerSecond => per_second(v),
        }
    }

    /// The value, and its interval when it has one: `1.85x [1.71x, 1.93x]`.
    pub fn shown(&self) -> String {
        match self.interval {
            None => self.show(self.value),
            Some([lo, hi]) => format!(
                "{} [{}, {}]",
                self.show(self.value),
                self.show(lo),
                self.show(hi)
            ),
        }
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.label, self.shown())
    }
}

/// A claim's result, as printed and written to claims.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimResult {
    /// `C01` to `C17`.
    pub id: String,
    /// The notes it comes from.
    pub source: String,
    /// What the notes say.
    pub claim: String,
    /// How the measured numbers become a verdict.
    pub rule: String,
    /// How the notes' durations were scaled, e.g. "1 s -> 20ms".
    pub scale: String,
    /// The figures measured, keyed.
    pub measured: Vec<Figure>,
    /// None when the experiment could not run (then `error` says why).
    pub verdict: Option<Verdict>,
    /// The numbers behind the verdict, in a sentence.
    pub why: String,
    /// Why the experiment could not run.
    pub error: Option<String>,
    /// How long the experiment took.
    pub seconds: f64,
    /// The same pattern measured in CPython (`--python`), judged by the same rule.
    #[serde(default)]
    pub python: Option<PythonColumn>,
}

impl ClaimResult {
    /// The value of the figure under `key`.
    pub fn value(&self, key: &FigureKey) -> Option<f64> {
        self.measured
            .iter()
            .find(|f| f.key.as_ref() == Some(key))
            .map(|f| f.value)
    }

    /// Every figure of `id` with its subject, in the order measured.
    pub fn each(&self, id: FigureId) -> impl Iterator<Item = (&str, &Figure)> {
        self.measured.iter().filter_map(move |f| {
            let key = f.key.as_ref()?;
            (key.id == id).then(|| (key.subject.as_deref().unwrap_or(""), f))
        })
    }
}

/// A claim's Python column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PythonColumn {
    /// The script's figures (labelled, without keys).
    pub measured: Vec<Figure>,
    /// The claim's rule applied to the script's inputs.
    pub verdict: Option<Verdict>,
    /// The rule's sentence for those inputs.
    pub why: String,
    /// Why the script gave no verdict.
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_text() {
        for &id in FigureId::ALL {
            let key = match id.subject() {
                None => FigureKey::of(id),
                Some(_) => FigureKey::about(id, "semaphore(5)"),
            };
            assert_eq!(key.to_string().parse::<FigureKey>().unwrap(), key);
            assert!(id.name().starts_with(&id.claim().to_lowercase()), "{id:?}");
        }
        assert!(
            "c01-sequential/tokio".parse::<FigureKey>().is_err(),
            "measured once"
        );
        assert!(
            "c01-concurrent".parse::<FigureKey>().is_err(),
            "measured per runtime"
        );
        let e = "c99-nothing".parse::<FigureKey>().unwrap_err().to_string();
        assert!(e.contains("c99-nothing") && e.contains("ID/SUBJECT"), "{e}");
        assert!("c17-blocking-in-tasks/".parse::<FigureKey>().is_err());
    }

    #[test]
    fn a_key_this_version_does_not_know_reads_as_none() {
        let json = r#"{"key": "c99-new/tokio", "label": "x", "value": 1.0, "unit": "s"}"#;
        let f: Figure = serde_json::from_str(json).unwrap();
        assert_eq!((f.key, f.label.as_str()), (None, "x"));
    }

    #[test]
    fn figure_ids_have_distinct_names() {
        let mut names: Vec<&str> = FigureId::ALL.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn worst_of_two() {
        assert_eq!(
            Verdict::Holds.worst(Verdict::HoldsRoughly),
            Verdict::HoldsRoughly
        );
        assert_eq!(
            Verdict::DoesNotHold.worst(Verdict::Holds),
            Verdict::DoesNotHold
        );
        assert_eq!(
            Verdict::PythonOnly.worst(Verdict::HoldsRoughly),
            Verdict::PythonOnly
        );
    }

    #[test]
    fn figures_print_with_units() {
        let k = FigureKey::of(FigureId::C01Sequential);
        assert_eq!(
            Figure::secs(k.clone(), "tokio", 0.0406).to_string(),
            "tokio 40.6ms"
        );
        let b = Figure::new(k.clone(), "per task", 455.0, FigureUnit::Bytes);
        assert_eq!(b.to_string(), "per task 455 B");
        let x = Figure::new(k, "speed-up", 1.94, FigureUnit::Ratio);
        assert_eq!(x.to_string(), "speed-up 1.94x");
    }
}
