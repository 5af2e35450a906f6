//! Where two machines differ: every field of the machine record (CPU, cores, memory,
//! kernel, rustc, crate versions, OS limits, commit, ...) flattened to a path and compared,
//! so a field added to the record later is compared without a change here.

use serde::Serialize;
use serde_json::Value;

use crate::results::Machine;

/// One field the two machines disagree on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MachineDiff {
    /// The field's path, e.g. `os_limits.max_map_count`.
    pub field: String,
    /// A's value (`-` when A has none).
    pub a: String,
    /// B's value.
    pub b: String,
}

/// Fields that differ on every run and say nothing of the machine.
const EVERY_RUN: &[&str] = &["started", "finished", "timestamp", "date"];

/// The fields where `a` and `b` differ, in path order.
pub fn machine_diffs(a: &Machine, b: &Machine) -> Vec<MachineDiff> {
    let (mut fa, mut fb) = (Vec::new(), Vec::new());
    flatten("", &serde_json::to_value(a).unwrap_or(Value::Null), &mut fa);
    flatten("", &serde_json::to_value(b).unwrap_or(Value::Null), &mut fb);
    let mut fields: Vec<&String> = fa.iter().chain(fb.iter()).map(|(k, _)| k).collect();
    fields.sort();
    fields.dedup();
    let value = |f: &[(String, String)], k: &str| {
        f.iter()
            .find(|(p, _)| p == k)
            .map_or("-".to_string(), |(_, v)| v.clone())
    };
    fields
        .into_iter()
        .filter(|k| !EVERY_RUN.iter().any(|e| k.ends_with(e)))
        .filter_map(|k| {
            let (va, vb) = (value(&fa, k), value(&fb, k));
            (va != vb).then(|| MachineDiff {
                field: k.clone(),
                a: va,
                b: vb,
            })
        })
        .collect()
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                flatten(&join(k), v, out);
            }
        }
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        Value::Null => {}
        other => out.push((prefix.to_string(), other.to_string())),
    }
}
