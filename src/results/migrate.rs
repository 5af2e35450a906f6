//! Upgrades results files of schema 1 to the current schema as they are read, so an older
//! folder still loads and reports. Version 1 records had no `model`, `unit` or
//! `workers_requested`, and claim figures had only a label: this module is the one place
//! that maps version 1's runtime names and figure labels to the typed fields; nothing
//! written by this version goes through it.

use serde_json::{Map, Value};

use super::{FigureId, FigureKey};
use crate::limit::Limit;
use crate::runtime::Model;

/// What is wrong with a version 1 file that keeps it from being upgraded.
pub type MigrateError = String;

/// The concurrency model of each runtime version 1 knew.
fn v1_model(runtime: &str) -> Option<Model> {
    Some(match runtime {
        "sequential" => Model::Sequential,
        "tokio" | "tokio-current-thread" | "smol" | "async-std" => Model::Async,
        "threads" => Model::Threads,
        "crossbeam-pool" | "rayon" => Model::ThreadPool,
        "processes" => Model::Processes,
        _ => return None,
    })
}

/// summary.json, version 1 to the current version.
pub fn summary(value: &mut Value) -> Result<(), MigrateError> {
    let Some(doc) = value.as_object_mut() else {
        return Err("the file is not a JSON object".into());
    };
    for list in ["cells", "memory", "memory_models", "timers", "spawn"] {
        let Some(items) = doc.get_mut(list).and_then(Value::as_array_mut) else {
            continue;
        };
        for (i, item) in items.iter_mut().enumerate() {
            let at = format!("{list}[{i}]");
            let obj = item
                .as_object_mut()
                .ok_or_else(|| format!("field {at}: not an object"))?;
            add_runtime_facts(obj, &at)?;
            if list == "cells" {
                upgrade_cell(obj);
            }
        }
    }
    doc.insert("schema_version".into(), super::SCHEMA_VERSION.into());
    Ok(())
}

/// `model` and `unit` from the runtime's name.
fn add_runtime_facts(obj: &mut Map<String, Value>, at: &str) -> Result<(), MigrateError> {
    let name = obj
        .get("runtime")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("field {at}.runtime: missing or not a string"))?;
    let model = v1_model(name).ok_or_else(|| {
        format!("field {at}.runtime: '{name}' is not a runtime of schema version 1")
    })?;
    let text = |v: Result<Value, serde_json::Error>| v.map_err(|e| e.to_string());
    obj.insert("model".into(), text(serde_json::to_value(model))?);
    obj.insert("unit".into(), text(serde_json::to_value(model.unit()))?);
    Ok(())
}

/// Whether a runtime of version 1 ran on as many threads as `--workers` asked: the async
/// runtimes with a pool always, the thread pools unless `pool:N` sized them; the others
/// (one thread, a thread or process per task) never. A fact of version 1's adapters, kept
/// here so reading an old file does not depend on this build's registry.
fn v1_follows_workers(runtime: &str, limit: Limit) -> bool {
    match runtime {
        "tokio" | "smol" | "async-std" => true,
        "crossbeam-pool" | "rayon" => !matches!(limit, Limit::Pool(_)),
        _ => false,
    }
}

/// A cell's `workers_requested`: its worker count where its runtime followed `--workers`,
/// else unknown (version 1 did not record the setting); an empty variant is `normal`.
fn upgrade_cell(obj: &mut Map<String, Value>) {
    let requested = (|| {
        let runtime = obj.get("runtime")?.as_str()?;
        let limit: Limit = obj.get("limit")?.as_str()?.parse().ok()?;
        let workers = obj.get("workers")?.as_u64()?;
        v1_follows_workers(runtime, limit).then_some(workers)
    })();
    if obj.get("variant").and_then(Value::as_str) == Some("") {
        obj.insert("variant".into(), "normal".into());
    }
    obj.insert("workers_requested".into(), requested.into());
}

/// claims.json, version 1 to the current version: every figure of a claim gets its key.
pub fn claims(value: &mut Value) -> Result<(), MigrateError> {
    let Some(doc) = value.as_object_mut() else {
        return Err("the file is not a JSON object".into());
    };
    if let Some(claims) = doc.get_mut("claims").and_then(Value::as_array_mut) {
        for claim in claims.iter_mut().filter_map(Value::as_object_mut) {
            let id = claim
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let Some(figures) = claim.get_mut("measured").and_then(Value::as_array_mut) else {
                continue;
            };
            for figure in figures.iter_mut().filter_map(Value::as_object_mut) {
                let label = figure.get("label").and_then(Value::as_str).unwrap_or("");
                if let Some(key) = v1_key(&id, label) {
                    figure.insert("key".into(), key.to_string().into());
                }
            }
        }
    }
    doc.insert("schema_version".into(), super::SCHEMA_VERSION.into());
    Ok(())
}

/// The key of a version 1 figure, from its claim and label as version 1 wrote them (a
/// runtime's name, a latency spread or a client limit in place of the subject); None for a
/// label of another shape (the figure then stays without a key, as a Python figure).
pub fn v1_key(claim: &str, label: &str) -> Option<FigureKey> {
    use FigureId::*;
    let of = |id| Some(FigureKey::of(id));
    let about = |id, subject: &str| Some(FigureKey::about(id, subject));
    // A subject that names a runtime must name one version 1 had.
    let runtime = |id, rt: &str| v1_model(rt).and(Some(FigureKey::about(id, rt)));
    // "tokio (pool:2)" -> "tokio": the speed-up figures name the runtime and its limit.
    let runtime_of = |l: &str| l.split(" (").next().unwrap_or(l).to_string();
    match (claim, label) {
        ("C01", "sequential") => of(C01Sequential),
        ("C01", rt) => runtime(C01Concurrent, rt),
        ("C02", l) => match (l.strip_suffix(" one by one"), l.strip_suffix(" spawned")) {
            (Some(rt), _) => runtime(C02OneByOne, rt),
            (_, Some(rt)) => runtime(C02Spawned, rt),
            _ => None,
        },
        ("C03", "tokio-current-thread blocking") => of(C03CurrentThreadBlocking),
        ("C03", l) => runtime(C03MultiThreadBlocking, l.split(" blocking").next()?),
        ("C04", rt) => runtime(C04Wall, rt),
        ("C05", l) => {
            let (spread, what) = l.split_once(": ")?;
            let id = match what {
                "semaphore" => C05Semaphore,
                "batches" => C05Batches,
                "pool" => C05Pool,
                "batches / semaphore" => C05BatchesOverSemaphore,
                _ => return None,
            };
            about(id, spread)
        }
        ("C06", l) => {
            let (rt, what) = l.split_once(" rejected, ")?;
            let id = match what {
                "no limit" => C06RejectedNoLimit,
                "semaphore(10)" => C06RejectedSemaphore,
                "no limit, arrivals over 2 L" => C06RejectedSpread,
                _ => return None,
            };
            runtime(id, rt)
        }
        ("C07", "tokio task resident") => of(C07TaskResident),
        ("C07", "thread resident") => of(C07ThreadResident),
        ("C07", "thread virtual (stack reserved)") => of(C07ThreadVirtual),
        ("C07", "process PSS") => of(C07ProcessPss),
        ("C07", "process RSS") => of(C07ProcessRss),
        ("C08", "100 tokio tasks") => of(C08Tasks),
        ("C08", "100 threads") => of(C08Threads),
        ("C08", "100 threads virtual") => of(C08ThreadsVirtual),
        ("C09", "tokio tasks") => of(C09Tasks),
        ("C09", "threads") => of(C09Threads),
        ("C09", "processes (largest size tried)") => of(C09Processes),
        ("C10", "sequential") => of(C10Sequential),
        ("C10", l) => runtime(C10Speedup, &runtime_of(l)),
        ("C11", "start a tokio task") => of(C11StartTask),
        ("C11", "start a thread") => of(C11StartThread),
        ("C11", "start a process") => of(C11StartProcess),
        ("C11", "sequential") => of(C11Sequential),
        ("C11", l) => runtime(C11Speedup, &runtime_of(l)),
        ("C12", "blocking sleeps, one thread") => of(C12BlockingOneThread),
        ("C12", "tokio-current-thread blocking") => of(C12CurrentThreadBlocking),
        ("C12", rt) => runtime(C12Async, rt),
        ("C13", "threads round trip") => of(C13ThreadsRoundTrip),
        ("C13", l) => runtime(C13TaskRoundTrip, l.strip_suffix(" round trip")?),
        ("C14", "sequential") => of(C14Sequential),
        ("C14", l) => runtime(C14Speedup, &runtime_of(l)),
        ("C15", "adaptive final limit") => of(C15AdaptiveFinalLimit),
        ("C15", l) => match (l.strip_suffix(" calls"), l.strip_suffix(" rejected")) {
            (Some(limit), _) => about(C15CallsPerSecond, limit),
            (_, Some(limit)) => about(C15Rejected, limit),
            _ => None,
        },
        ("C16", "sequential") => of(C16Sequential),
        ("C16", "a process per call") => of(C16ProcessPerCall),
        ("C16", "tokio") => of(C16Tokio),
        ("C16", "memory per process (PSS)") => of(C16ProcessMemory),
        ("C16", "memory per tokio task") => of(C16TaskMemory),
        ("C17", l) => match (
            l.strip_suffix(" blocking in tasks"),
            l.strip_suffix(" on the blocking pool"),
        ) {
            (Some(rt), _) => runtime(C17BlockingInTasks, rt),
            (_, Some(rt)) => runtime(C17OnBlockingPool, rt),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_1_labels_get_their_keys() {
        let k = |c, l| v1_key(c, l).map(|k| k.to_string());
        assert_eq!(
            k("C17", "tokio blocking in tasks").as_deref(),
            Some("c17-blocking-in-tasks/tokio")
        );
        assert_eq!(
            k("C15", "semaphore(5) calls").as_deref(),
            Some("c15-calls-per-second/semaphore(5)")
        );
        assert_eq!(
            k("C10", "rayon (pool:2)").as_deref(),
            Some("c10-speedup/rayon")
        );
        assert_eq!(
            k("C03", "smol blocking (2 workers)").as_deref(),
            Some("c03-multi-thread-blocking/smol")
        );
        assert_eq!(k("C05", "fixed: gather").as_deref(), None);
        assert_eq!(
            k("C01", "gevent").as_deref(),
            None,
            "not a runtime of version 1"
        );
    }

    #[test]
    fn a_version_1_cell_gets_model_unit_and_workers_requested() {
        let mut v = serde_json::json!({"cells": [
            {"runtime": "tokio", "legacy": false, "variant": "", "workload": "cpu", "tasks": 16,
             "limit": "unbounded", "workers": 2},
            {"runtime": "threads", "legacy": false, "variant": "normal", "workload": "cpu",
             "tasks": 16, "limit": "unbounded", "workers": 16}
        ]});
        summary(&mut v).unwrap();
        let tokio = &v["cells"][0];
        assert_eq!(tokio["model"], "async");
        assert_eq!(tokio["unit"], "task");
        assert_eq!(tokio["variant"], "normal");
        assert_eq!(tokio["workers_requested"], 2);
        assert_eq!(v["cells"][1]["workers_requested"], Value::Null);
        let mut bad = serde_json::json!({"timers": [{"runtime": "gevent"}]});
        let e = summary(&mut bad).unwrap_err();
        assert!(
            e.contains("timers[0].runtime") && e.contains("gevent"),
            "{e}"
        );
    }
}
