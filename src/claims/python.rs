//! The notes' own language beside Rust: the project's Python scripts (scripts/python/,
//! standard library only) measure the same patterns in CPython, and each claim's own rule
//! turns their numbers into a Python verdict, so a line can read "holds in Python, not in
//! Rust". Optional: without python3 on PATH the claims run Rust-only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;

use super::judge::Est;
use super::{Figure, Verdict, cpu, limits, memory, rejections, waiting};
pub use crate::results::PythonColumn;

/// What one script prints.
#[derive(Debug, Deserialize)]
struct ScriptOutput {
    claims: BTreeMap<String, PyClaim>,
}

#[derive(Debug, Clone, Deserialize)]
struct PyClaim {
    figures: Vec<Figure>,
    inputs: Value,
}

/// Which script measures which claims.
const SCRIPTS: [(&str, &[&str]); 4] = [
    ("waiting.py", &["C01", "C02", "C03", "C12", "C17"]),
    ("limits.py", &["C04", "C05", "C06"]),
    ("memory.py", &["C07", "C08"]),
    ("cpu.py", &["C10", "C11", "C16"]),
];

/// The first `python3` on PATH.
pub fn find_python() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("python3"))
        .find(|p| p.is_file())
}

/// The project's scripts: `RTBENCH_PYTHON_SCRIPTS`, else scripts/python in the source tree.
pub fn scripts_dir() -> PathBuf {
    std::env::var_os("RTBENCH_PYTHON_SCRIPTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/python"))
}

/// Runs the scripts the selected claims need (each bounded by `timeout`) and returns each
/// claim's Python column; a script that fails gives its claims the error.
pub fn measure(
    python: &Path,
    ids: &[&str],
    scale: f64,
    timeout: Duration,
) -> BTreeMap<String, PythonColumn> {
    let mut out = BTreeMap::new();
    for (script, covers) in SCRIPTS {
        let wanted: Vec<&str> = covers.iter().copied().filter(|c| ids.contains(c)).collect();
        if wanted.is_empty() {
            continue;
        }
        eprint!("python {script} ... ");
        let result = run_script(python, &scripts_dir().join(script), scale, timeout);
        match &result {
            Ok(_) => eprintln!("done"),
            Err(e) => eprintln!("FAILED: {e}"),
        }
        for id in wanted {
            let column = match &result {
                Err(e) => PythonColumn {
                    measured: Vec::new(),
                    verdict: None,
                    why: String::new(),
                    error: Some(e.clone()),
                },
                Ok(o) => match o.claims.get(id) {
                    None => PythonColumn {
                        measured: Vec::new(),
                        verdict: None,
                        why: String::new(),
                        error: Some(format!("{script} printed nothing for {id}")),
                    },
                    Some(c) => {
                        let judged = judge(id, &c.inputs);
                        PythonColumn {
                            measured: c.figures.clone(),
                            verdict: judged.as_ref().ok().map(|j| j.0),
                            why: judged.as_ref().map(|j| j.1.clone()).unwrap_or_default(),
                            error: judged.err(),
                        }
                    }
                },
            };
            out.insert(id.to_string(), column);
        }
    }
    out
}

fn run_script(
    python: &Path,
    script: &Path,
    scale: f64,
    timeout: Duration,
) -> Result<ScriptOutput, String> {
    let mut child = Command::new(python)
        .arg(script)
        .arg("--scale")
        .arg(scale.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "could not start {} {}: {e}",
                python.display(),
                script.display()
            )
        })?;
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{} overran {}s and was killed",
                script.display(),
                timeout.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        return Err(format!("{} exited with {status}: {last}", script.display()));
    }
    serde_json::from_str(stdout.trim())
        .map_err(|e| format!("{} printed no result JSON ({e})", script.display()))
}

fn num(v: &Value, key: &str) -> Result<f64, String> {
    v.get(key)
        .and_then(Value::as_f64)
        .ok_or_else(|| format!("input {key} missing or not a number"))
}

/// `{"name": t}` as (name, t) pairs.
fn named(v: &Value, key: &str) -> Result<Vec<(String, f64)>, String> {
    let obj = v
        .get(key)
        .and_then(Value::as_object)
        .ok_or_else(|| format!("input {key} missing"))?;
    obj.iter()
        .map(|(k, x)| {
            x.as_f64()
                .map(|f| (k.clone(), f))
                .ok_or_else(|| format!("input {key}.{k} not a number"))
        })
        .collect()
}

/// `{"name": [a, b]}` as (a, b) pairs.
fn pairs(v: &Value, key: &str) -> Result<Vec<(f64, f64)>, String> {
    let obj = v
        .get(key)
        .and_then(Value::as_object)
        .ok_or_else(|| format!("input {key} missing"))?;
    obj.iter()
        .map(|(k, x)| match x.as_array().map(|a| a.as_slice()) {
            Some([a, b]) => a
                .as_f64()
                .zip(b.as_f64())
                .ok_or_else(|| format!("input {key}.{k} not numbers")),
            _ => Err(format!("input {key}.{k} is not a pair")),
        })
        .collect()
}

/// Named numbers as the rules take them: points (a script measures each once).
fn refs(v: &[(String, f64)]) -> Vec<(&str, Est)> {
    v.iter()
        .map(|(k, x)| (k.as_str(), Est::point(*x)))
        .collect()
}

/// A number as the rules take it: a point.
fn pt(v: &Value, key: &str) -> Result<Est, String> {
    num(v, key).map(Est::point)
}

/// Pairs as the rules take them: points.
fn pts(v: &Value, key: &str) -> Result<Vec<(Est, Est)>, String> {
    Ok(pairs(v, key)?
        .into_iter()
        .map(|(a, b)| (Est::point(a), Est::point(b)))
        .collect())
}

/// The claim's own rule, applied to the Python script's inputs.
fn judge(id: &str, i: &Value) -> Result<(Verdict, String), String> {
    Ok(match id {
        "C01" => waiting::c01_rule(
            num(i, "n")? as usize,
            num(i, "latency")?,
            pt(i, "sequential")?,
            &refs(&named(i, "concurrent")?),
        ),
        "C02" => waiting::c02_rule(num(i, "n")? as usize, num(i, "latency")?, &pts(i, "pairs")?),
        "C03" => waiting::c03_rule(
            num(i, "n")? as usize,
            1,
            num(i, "latency")?,
            pt(i, "current")?,
            &[],
        ),
        "C12" => {
            let blocking = pt(i, "blocking")?;
            waiting::c12_rule(
                num(i, "latency")?,
                &refs(&named(i, "asyncs")?),
                blocking,
                blocking,
            )
        }
        "C17" => waiting::c17_rule(num(i, "latency")?, &pts(i, "pairs")?),
        "C04" => limits::c04_rule(
            num(i, "n")? as usize,
            num(i, "c")? as usize,
            num(i, "latency")?,
            &refs(&named(i, "walls")?),
        ),
        "C05" => {
            let r = i.get("ratios").ok_or("input ratios missing")?;
            let ratios = [
                ("fixed", pt(r, "fixed")?),
                ("uniform", pt(r, "uniform")?),
                ("long-tailed", pt(r, "long-tailed")?),
            ];
            limits::c05_rule(&ratios)
        }
        "C06" => rejections::c06_rule(&pts(i, "counts")?),
        "C07" => memory::c07_rule(
            num(i, "task")?,
            num(i, "thread")?,
            num(i, "thread_virtual")?,
            num(i, "process")?,
        ),
        "C08" => memory::c08_rule(num(i, "tasks")?, num(i, "threads")?),
        "C10" => cpu::c10_rule(
            num(i, "p")? as usize,
            pt(i, "threads")?,
            pt(i, "processes")?,
        ),
        "C11" => cpu::c11_rule(
            num(i, "p")? as usize,
            pt(i, "thread")?,
            pt(i, "process")?,
            pt(i, "process_speedup")?,
        ),
        "C16" => cpu::c16_rule(
            pt(i, "seq")?,
            pt(i, "processes")?,
            num(i, "process_bytes")?,
            num(i, "task_bytes")?,
        ),
        other => return Err(format!("no Python rule for {other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_inputs_go_through_the_claims_own_rules() {
        let i = serde_json::json!({"n": 4, "latency": 0.04, "sequential": 0.16, "concurrent": {"asyncio": 0.041, "threads": 0.042}});
        assert_eq!(judge("C01", &i).unwrap().0, Verdict::Holds);
        let i = serde_json::json!({"p": 2, "threads": 1.0, "processes": 1.8});
        assert_eq!(
            judge("C10", &i).unwrap().0,
            Verdict::Holds,
            "the GIL: threads do not help in Python"
        );
        let i = serde_json::json!({"counts": {"asyncio": [40, 0]}});
        assert_eq!(judge("C06", &i).unwrap().0, Verdict::Holds);
        assert!(
            judge("C01", &serde_json::json!({"n": 4}))
                .unwrap_err()
                .contains("latency")
        );
        assert!(judge("C09", &serde_json::json!({})).is_err());
    }
}
