//! End-to-end tests of the memory pass (`rtbench run --memory`): idle units parked in fresh
//! processes cost plausible resident, heap, virtual and kernel bytes per unit, and threads
//! stop at the OS limit, which is recorded.
//!
//! Every run gets its own scratch folder as working directory and `--out`, so nothing is
//! written into the repository.

mod support;

use serde_json::Value;
use support::{Scratch, array, field, num, parse_json, text, whole};

#[test]
fn memory_pass_of_smol_parks_a_million_tasks_at_a_few_hundred_bytes_each() {
    let s = Scratch::new("memory-smol");
    let args = ["run", "--memory", "--runtime", "smol", "--format", "json"];
    let stdout = support::run_ok(s.path(), &s.args_with_out(&args, "out"), &[]).stdout;
    let doc = parse_json("stdout", &stdout);
    let sizes = array(&doc, "memory");
    let units: Vec<u64> = sizes.iter().map(|r| whole(r, "units")).collect();
    assert_eq!(units, [10_000, 100_000, 1_000_000], "{doc}");
    for r in sizes {
        assert_eq!(text(r, "runtime"), "smol");
        assert!(field(r, "error").is_null(), "{r}");
        let rss = num(r, "rss_per_unit_bytes");
        assert!((50.0..=5000.0).contains(&rss), "{r}");
        assert!(
            whole(r, "rss_after_bytes") > whole(r, "rss_before_bytes"),
            "{r}"
        );
    }
    let models = array(&doc, "models");
    assert_eq!(models.len(), 1, "{doc}");
    let smol = &models[0];
    assert_eq!(text(smol, "runtime"), "smol");
    for key in ["rss_per_unit_bytes", "heap_per_unit_bytes"] {
        let v = num(smol, key);
        assert!((50.0..=5000.0).contains(&v), "{key} {v}: {smol}");
    }
    assert_eq!(whole(smol, "max_units"), 1_000_000, "{smol}");
    assert!(field(smol, "stopped_by").is_null(), "{smol}");
    // A task needs no kernel memory of its own: its kernel figure is noise around 0 (other
    // processes move the system's counters), its total its resident memory and that.
    let (kernel, rss) = (
        num(smol, "kernel_per_unit_bytes"),
        num(smol, "rss_per_unit_bytes"),
    );
    assert!(kernel.abs() < 1024.0, "{smol}");
    assert!(
        (num(smol, "total_per_unit_bytes") - rss - kernel).abs() < 1e-6,
        "{smol}"
    );
    assert_eq!(whole(smol, "repeats"), 3, "{smol}");
    let summary = s.summary();
    assert_eq!(text(&summary, "profile"), "memory");
    assert_eq!(field(&summary, "complete"), &Value::Bool(true));
    assert_eq!(array(&summary, "memory"), sizes);
}

#[test]
fn memory_pass_of_threads_reserves_stacks_costs_kernel_memory_and_stops_at_the_os_limit() {
    let s = Scratch::new("memory-threads");
    let args = [
        "run",
        "--memory",
        "--runtime",
        "smol,threads",
        "--format",
        "json",
    ];
    let stdout = support::run_ok(s.path(), &s.args_with_out(&args, "out"), &[]).stdout;
    let doc = parse_json("stdout", &stdout);
    let of = |key: &str| -> Vec<Value> {
        array(&doc, key)
            .iter()
            .filter(|r| text(r, "runtime") == "threads")
            .cloned()
            .collect()
    };
    let sizes = &of("memory");
    let models = of("models");
    assert_eq!(models.len(), 1, "{doc}");
    let model = &models[0];
    // The kernel keeps a stack (16 KiB on x86-64), a task struct and page tables for every
    // thread: well above a task's kernel memory, and more than the thread's resident pages.
    let task = array(&doc, "models")
        .iter()
        .find(|m| text(m, "runtime") == "smol")
        .expect("the smol model");
    let kernel = num(model, "kernel_per_unit_bytes");
    assert!((8192.0..=262144.0).contains(&kernel), "{model}");
    assert!(
        kernel >= num(task, "kernel_per_unit_bytes") + 8192.0,
        "{task}\n{model}"
    );
    assert!(kernel > num(model, "rss_per_unit_bytes"), "{model}");
    let stack = num(model, "kernel_stack_per_unit_bytes");
    assert!((8192.0..=65536.0).contains(&stack), "{model}");
    let total = num(model, "total_per_unit_bytes");
    assert!(
        (total - num(model, "rss_per_unit_bytes") - kernel).abs() < 1e-6,
        "{model}"
    );
    let failed: Vec<&Value> = sizes
        .iter()
        .filter(|r| !field(r, "error").is_null())
        .collect();
    for r in sizes {
        let units = whole(r, "units");
        if !field(r, "error").is_null() {
            assert!(units > 5000, "{units} threads should fit: {r}");
            assert_eq!(text(r, "error_kind"), "os-limit", "{r}");
            assert!(text(r, "error").contains("vm.max_map_count"), "{r}");
            continue;
        }
        let rss = num(r, "rss_per_unit_bytes");
        assert!((2048.0..=65536.0).contains(&rss), "{r}");
        assert!(num(r, "virtual_per_unit_bytes") >= 1048576.0, "{r}");
        assert_eq!(whole(r, "repeats"), 3, "{r}");
        let (low, high) = (
            num(r, "kernel_min_per_unit_bytes"),
            num(r, "kernel_max_per_unit_bytes"),
        );
        let median = num(r, "kernel_per_unit_bytes");
        assert!(low <= median && median <= high, "{r}");
    }
    let units: Vec<u64> = sizes.iter().map(|r| whole(r, "units")).collect();
    assert!(units.starts_with(&[1000, 5000]), "{units:?}");
    match failed.as_slice() {
        [] => assert!(field(model, "stopped_by").is_null(), "{model}"),
        [only] => {
            assert!(
                std::ptr::eq(*only, sizes.last().unwrap()),
                "the pass goes on after a failed size: {units:?}"
            );
            let why = text(model, "stopped_by");
            assert!(why.contains("vm.max_map_count"), "{model}");
        }
        more => panic!("{} sizes failed: {doc}", more.len()),
    }
    let ok: Vec<u64> = units[..units.len() - failed.len()].to_vec();
    let model_sizes: Vec<u64> = array(model, "sizes")
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(model_sizes, ok, "{model}");
    let rss = num(model, "rss_per_unit_bytes");
    assert!((2048.0..=65536.0).contains(&rss), "{model}");
    assert!(num(model, "virtual_per_unit_bytes") >= 1048576.0, "{model}");
}
