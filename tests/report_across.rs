//! `rtbench report A B ..`: several results folders (e.g. one per machine) in one report.
//! The decision and machine sections show a column per folder, a chart compares the CPU
//! speed-up across them, and one folder still renders as before.

mod support;

use std::fs;

use support::{Scratch, forged_fixture, run_ok};

/// The fixture as if run on another machine: 8 cores, another CPU, every cell 3x slower.
fn other_machine(s: &Scratch) -> std::path::PathBuf {
    forged_fixture(&s.join("results/big-box"), |v| {
        v["machine"]["cores"] = serde_json::json!(8);
        v["machine"]["cpu_model"] = serde_json::json!("Test CPU <b>8-core</b> | forged");
        for c in v["cells"].as_array_mut().unwrap() {
            for k in ["wall_seconds", "wall_min_seconds", "wall_max_seconds"] {
                if let Some(x) = c[k].as_f64() {
                    c[k] = serde_json::json!(x * 3.0);
                }
            }
        }
    })
}

const MARKED: &str = "# Bench\n\n<!-- rtbench:begin decision -->\n<!-- rtbench:end decision -->\n\n\
                      <!-- rtbench:begin machine -->\n<!-- rtbench:end machine -->\n\n\
                      <!-- rtbench:begin charts -->\n<!-- rtbench:end charts -->\n";

#[test]
fn two_folders_get_a_column_each_and_a_chart_across_them() {
    let s = Scratch::new("report-across");
    let a = forged_fixture(&s.join("results/small-vm"), |_| {});
    let b = other_machine(&s);
    let md = s.join("BENCHMARK.md");
    fs::write(&md, MARKED).unwrap();
    let args = [
        "report",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--update-benchmark",
        "--benchmark",
        md.to_str().unwrap(),
    ];
    let r = run_ok(s.path(), &args, &[]);
    // The chart across machines is drawn beside the folders, and linked relative to the file.
    let chart = s.join("results/across-machines/cpu-speedup-machines.svg");
    let svg = fs::read_to_string(&chart).expect("the chart across machines");
    assert!(
        svg.contains("small-vm") && svg.contains("big-box"),
        "legend"
    );
    let text = fs::read_to_string(&md).unwrap();
    assert!(
        text.contains("](results/across-machines/cpu-speedup-machines.svg)"),
        "{text}"
    );
    // The machine section: one column per folder, the forged CPU escaped for the table.
    assert!(text.contains("|  | small-vm | big-box |"), "{text}");
    let cpu = text.lines().find(|l| l.starts_with("| CPU |")).unwrap();
    assert!(
        cpu.contains("Test CPU <b>8-core</b> \\| forged, 8 cores"),
        "{cpu}"
    );
    // The decision section: a column per folder between the workload and the rule.
    assert!(
        text.contains("| workload | small-vm | big-box | rule |"),
        "{text}"
    );
    let cpu_row = text.lines().find(|l| l.starts_with("| CPU-bound")).unwrap();
    assert_eq!(cpu_row.matches(" | ").count(), 3, "{cpu_row}");
    // The terminal gets the same two tables.
    assert!(
        r.stdout
            .contains("| workload | small-vm | big-box | rule |")
    );
    // Each folder's own charts are drawn too.
    assert!(a.join("charts/cpu-speedup.svg").is_file());
    assert!(b.join("charts/cpu-speedup.svg").is_file());
}

#[test]
fn one_folder_renders_as_before_with_no_chart_across() {
    let s = Scratch::new("report-one");
    let a = forged_fixture(&s.join("results/small-vm"), |_| {});
    let md = s.join("BENCHMARK.md");
    fs::write(&md, MARKED).unwrap();
    let args = [
        "report",
        a.to_str().unwrap(),
        "--update-benchmark",
        "--benchmark",
        md.to_str().unwrap(),
    ];
    run_ok(s.path(), &args, &[]);
    let text = fs::read_to_string(&md).unwrap();
    assert!(
        text.contains("| workload | pick | measured | rule |"),
        "{text}"
    );
    assert!(text.contains("- CPU: "), "{text}");
    assert!(!text.contains("across-machines"), "{text}");
    assert!(!s.join("results/across-machines").exists());
}

#[test]
fn folders_without_a_cpu_row_say_so_and_the_rest_is_written() {
    let s = Scratch::new("report-across-nocpu");
    let a = forged_fixture(&s.join("results/one"), |_| {});
    let b = forged_fixture(&s.join("results/no-cpu"), |v| {
        v["cells"]
            .as_array_mut()
            .unwrap()
            .retain(|c| c["workload"] != "cpu");
    });
    let r = run_ok(
        s.path(),
        &["report", a.to_str().unwrap(), b.to_str().unwrap()],
        &[],
    );
    assert!(
        !r.stdout.contains("cpu-speedup-machines.svg"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr
            .contains("note: no chart across machines: fewer than two folders"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("| workload | one | no-cpu | rule |"));
}
