//! BENCHMARK.md's generated sections, from the real results folder in
//! tests/fixtures/results-small (a quick-profile run of sequential, tokio, threads and
//! processes with the memory pass, probes and claims), compared with their insta snapshots
//! tests/snapshots/report__<section>.snap; the marker rewrite; and errors of `results::load`.
//!
//! After an intended change of a section, rewrite the snapshots with
//! `INSTA_UPDATE=always cargo test --test report` and review them with
//! `git diff tests/snapshots` (cargo-insta is not needed). Otherwise a mismatch fails the
//! test: outside CI insta also writes the new text beside the snapshot as a `.snap.new` file
//! (ignored by git); with `CI` set it writes nothing. insta compares texts with their
//! trailing whitespace trimmed, so how each section ends is checked apart.

mod support;

use std::fs;
use std::path::Path;

use rtbench::report::charts::FAMILIES;
use rtbench::report::markers::{MarkdownError, rewrite, update_benchmark};
use rtbench::report::sections::{Section, section_names, sections, sections_in};
use rtbench::results::{self, LoadError};
use rtbench::runtime::{Model, SpawnKind, Unit};
use support::{
    REFERENCE, Scratch, assert_exact_ending, fixture, fixture_dir, read_json, reference_dir,
};

#[test]
fn sections_of_the_fixture_match_their_snapshots() {
    let all = sections(&fixture(), "results/example/charts");
    let names: Vec<&str> = all.iter().map(|s| s.name).collect();
    assert_eq!(names, section_names());
    for s in &all {
        insta::assert_snapshot!(s.name, &s.body);
        // The chart links are paragraphs: a blank line follows the last one too.
        let ending = if s.name == "charts" { "\n\n" } else { "\n" };
        assert_exact_ending(s.name, &s.body, ending);
    }
}

#[test]
fn charts_link_only_the_files_the_folder_holds() {
    let scratch = Scratch::new("charts");
    let dir = scratch.path();
    let loaded = fixture();
    let body = |dir: &Path| {
        sections_in(dir, &loaded, "res/charts/", &[], None)
            .into_iter()
            .find(|s| s.name == "charts")
            .unwrap()
            .body
    };
    let none = body(dir);
    assert!(none.contains("No charts"), "{none}");
    assert!(!none.contains(".svg"), "{none}");
    fs::create_dir_all(dir.join("charts")).unwrap();
    for name in ["cpu-speedup", "limit-comparison"] {
        fs::write(dir.join("charts").join(format!("{name}.svg")), "<svg/>").unwrap();
    }
    fs::write(dir.join("charts/not_a_chart.svg"), "<svg/>").unwrap();
    let some = body(dir);
    let links: Vec<&str> = some.lines().filter(|l| l.starts_with("![")).collect();
    assert_eq!(links.len(), 2, "{some}");
    assert!(links[0].ends_with("(res/charts/cpu-speedup.svg)"), "{some}");
    assert!(
        links[1].ends_with("(res/charts/limit-comparison.svg)"),
        "{some}"
    );
    // Without a folder to look in, every chart is linked.
    let all = sections(&loaded, "c")
        .into_iter()
        .find(|s| s.name == "charts")
        .unwrap()
        .body;
    assert_eq!(all.matches("![").count(), FAMILIES.len());
}

#[test]
fn a_folder_without_claims_memory_or_cells_says_what_was_not_run() {
    let mut loaded = fixture();
    loaded.claims = None;
    loaded.summary.memory_models.clear();
    loaded.summary.cells.clear();
    loaded.summary.timers.clear();
    loaded.summary.spawn.clear();
    loaded.summary.serve.clear();
    loaded.summary.complete = false;
    let all = sections(&loaded, "charts");
    let body = |name: &str| &all.iter().find(|s| s.name == name).unwrap().body;
    assert!(
        body("claims").contains("claims were not run"),
        "{}",
        body("claims")
    );
    assert!(
        body("memory").contains("memory pass was not run"),
        "{}",
        body("memory")
    );
    let decision = body("decision");
    assert!(decision.contains("did not finish"), "{decision}");
    let rows: Vec<&str> = decision
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| workload"))
        .collect();
    assert_eq!(rows.len(), 8, "{decision}");
    for row in rows {
        assert!(row.contains("| not measured |"), "{row}");
    }
    assert!(body("machine").contains("interrupted or in progress"));
    assert!(
        body("serve").contains("serve sweep was not run"),
        "{}",
        body("serve")
    );
}

#[test]
fn a_knee_whose_half_missed_the_slo_is_shown_unstable() {
    let mut loaded = fixture();
    let threads = loaded
        .summary
        .serve
        .iter_mut()
        .find(|r| r.model == "threads")
        .unwrap();
    let load = threads.load.as_mut().unwrap();
    let half = load.half_knee.unwrap();
    let rate = load.rates.iter_mut().rfind(|r| r.offered == half).unwrap();
    rate.meets_slo = false;
    let all = sections(&loaded, "charts");
    let serve = &all.iter().find(|s| s.name == "serve").unwrap().body;
    assert!(
        serve.contains("| threads | per connection | 12800/s [12800, 13959) | 11.7ms | 10.9ms (missed: unstable) |"),
        "{serve}"
    );
    // Tied with the pool's stable knee, it may still win: on memory.
    let decision = &all.iter().find(|s| s.name == "decision").unwrap().body;
    assert!(
        decision.contains(
            "timer: **threads** (a tie on the knee with thread pool (crossbeam-pool): less \
             memory; unstable, tied with a stable knee)"
        ),
        "{decision}"
    );
}

fn section(name: &'static str, body: &str) -> Section {
    Section {
        name,
        body: body.to_string(),
    }
}

/// The text with every marked region's content removed: what must never change.
fn outside_markers(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with("<!-- rtbench:end ") {
            inside = false;
        }
        if !inside {
            out.push_str(line);
        }
        if t.starts_with("<!-- rtbench:begin ") {
            inside = true;
        }
    }
    out
}

/// BENCHMARK.md holds no hand-typed number: its generated sections are exactly what the
/// committed reference run renders to (a schema version 1 folder, upgraded as it loads).
#[test]
fn benchmark_md_is_what_the_reference_run_renders() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("BENCHMARK.md");
    let text = fs::read_to_string(&path).unwrap();
    let loaded = results::load(&reference_dir()).expect("the reference run loads");
    let generated = sections_in(
        &reference_dir(),
        &loaded,
        &format!("{REFERENCE}/charts"),
        &[],
        None,
    );
    let r = rewrite(&text, &generated).unwrap();
    assert_eq!(r.replaced.len(), section_names().len());
    if r.text != text {
        let line = r
            .text
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .map_or_else(|| "the line count".into(), |i| format!("line {}", i + 1));
        panic!(
            "BENCHMARK.md differs from what {REFERENCE} renders at {line}; \
             `rtbench report {REFERENCE} --update-benchmark` rewrites it"
        );
    }
}

#[test]
fn benchmark_md_has_every_marker_pair_and_updates_idempotently() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("BENCHMARK.md");
    let text = fs::read_to_string(&path).unwrap();
    let generated = sections(&fixture(), "results/example/charts");
    let r = rewrite(&text, &generated).unwrap();
    let mut replaced = r.replaced.clone();
    replaced.sort_unstable();
    let mut names = section_names();
    names.sort_unstable();
    assert_eq!(replaced, names, "every section is marked in BENCHMARK.md");
    assert!(r.unmarked.is_empty() && r.unknown.is_empty(), "{r:?}");
    assert_eq!(outside_markers(&r.text), outside_markers(&text));
    for s in &generated {
        assert!(r.text.contains(s.body.trim()), "{} was not written", s.name);
    }
    let again = update_benchmark(&r.text, &generated).unwrap();
    assert_eq!(again, r.text, "a second update changes nothing");
}

#[test]
fn update_keeps_outside_text_byte_for_byte() {
    let text = "# Title\r\n\ntrailing spaces   \n\t<!-- rtbench:begin memory -->  \nold\nlines\n<!-- rtbench:end memory -->\n\
                between | not a table\n<!-- rtbench:begin other -->\nkept\n<!-- rtbench:end other -->\n\
                <!-- rtbench:begin claims -->\n<!-- rtbench:end claims -->";
    let given = [
        section("memory", "| a |\n|---|\n"),
        section("claims", "\n\nC01 holds\n"),
        section("charts", "x"),
    ];
    let r = rewrite(text, &given).unwrap();
    assert_eq!(
        r.text,
        "# Title\r\n\ntrailing spaces   \n\t<!-- rtbench:begin memory -->  \n\n| a |\n|---|\n\n<!-- rtbench:end memory -->\n\
         between | not a table\n<!-- rtbench:begin other -->\nkept\n<!-- rtbench:end other -->\n\
         <!-- rtbench:begin claims -->\n\nC01 holds\n\n<!-- rtbench:end claims -->"
    );
    assert_eq!(r.replaced, ["memory", "claims"]);
    assert_eq!(r.unmarked, ["charts"]);
    assert_eq!(r.unknown, ["other"]);
    assert_eq!(update_benchmark(&r.text, &given).unwrap(), r.text);
    // No markers at all: the text comes back as it was.
    let plain = "nothing to see\n";
    assert_eq!(update_benchmark(plain, &given).unwrap(), plain);
}

#[test]
fn marker_mistakes_are_errors_naming_the_section() {
    let given = [section("decision", "x"), section("claims", "y")];
    let cases: [(&str, &str, &[&str]); 8] = [
        (
            "a\n<!-- rtbench:begin decision -->\nold\n",
            "missing end",
            &["'decision'", "line 2", "rtbench:end decision"],
        ),
        (
            "<!-- rtbench:end claims -->\n",
            "end without begin",
            &["'claims'", "line 1", "no begin"],
        ),
        (
            "<!-- rtbench:begin decision -->\n<!-- rtbench:begin claims -->\n<!-- rtbench:end claims -->\n<!-- rtbench:end decision -->\n",
            "nested",
            &["'claims'", "nested inside section 'decision'", "line 2"],
        ),
        (
            "<!-- rtbench:begin decision -->\n<!-- rtbench:end decision -->\ntext\n<!-- rtbench:begin decision -->\n<!-- rtbench:end decision -->\n",
            "duplicated",
            &["'decision'", "marked twice", "lines 1 and 4"],
        ),
        (
            "<!-- rtbench:begin decision -->\n<!-- rtbench:begin decision -->\n<!-- rtbench:end decision -->\n",
            "duplicated begin",
            &["'decision'", "marked twice"],
        ),
        (
            "<!-- rtbench:begin decision -->\n<!-- rtbench:end claims -->\n",
            "wrong end",
            &["'decision'", "closes 'claims'", "line 2"],
        ),
        (
            "<!-- rtbench:begin decision -->\n<!-- rtbench:end decision --> and more\n",
            "text after a marker",
            &["line 2", "not a marker", "a line of their own"],
        ),
        (
            "<!-- rtbench:begin decision\n",
            "unterminated marker",
            &["line 1", "not a marker"],
        ),
    ];
    for (text, what, needles) in cases {
        let err = update_benchmark(text, &given).expect_err(what);
        let message = err.to_string();
        for needle in needles {
            assert!(
                message.contains(needle),
                "{what}: {message:?} lacks {needle:?}"
            );
        }
    }
    assert!(matches!(
        update_benchmark("<!-- rtbench:begin decision -->\n", &given),
        Err(MarkdownError::MissingEnd { ref name, line: 1 }) if name == "decision"
    ));
}

/// `results::load` on a folder whose summary.json is `text`; the error and the file's path.
fn load_error(name: &str, text: &str) -> (String, LoadError) {
    let dir = Scratch::new(name);
    let file = dir.join("summary.json");
    fs::write(&file, text).unwrap();
    let err = results::load(dir.path()).expect_err("the folder must not load");
    (file.display().to_string(), err)
}

fn fixture_json() -> serde_json::Value {
    read_json(&fixture_dir().join("summary.json"))
}

#[test]
fn load_errors_name_the_file_and_the_field() {
    // Not JSON at all: the file and where parsing stopped.
    let (file, err) = load_error("syntax", "{ \"schema_version\": 1, ");
    let message = err.to_string();
    assert!(matches!(err, LoadError::Malformed { .. }), "{message}");
    assert!(
        message.starts_with(&file) && message.contains("line 1 column"),
        "{message}"
    );

    // No schema_version.
    let mut v = fixture_json();
    v.as_object_mut().unwrap().remove("schema_version");
    let (file, err) = load_error("no-schema", &v.to_string());
    let message = err.to_string();
    assert!(
        message.starts_with(&file) && message.contains("schema_version is missing"),
        "{message}"
    );

    // A schema from the future.
    let mut v = fixture_json();
    v["schema_version"] = serde_json::json!(99);
    let (file, err) = load_error("schema-99", &v.to_string());
    let message = err.to_string();
    assert!(
        matches!(err, LoadError::Schema { found: 99, .. }),
        "{message}"
    );
    assert!(
        message.starts_with(&file) && message.contains("schema_version is 99"),
        "{message}"
    );

    // A required field missing.
    let mut v = fixture_json();
    v.as_object_mut().unwrap().remove("machine");
    let (file, err) = load_error("no-machine", &v.to_string());
    let message = err.to_string();
    assert!(
        message.starts_with(&file) && message.contains("`machine`"),
        "{message}"
    );

    // A folder without summary.json.
    let dir = Scratch::new("empty");
    let message = results::load(dir.path()).unwrap_err().to_string();
    assert!(
        message.contains("summary.json") && message.contains("rtbench run"),
        "{message}"
    );
}

#[test]
fn load_error_names_a_wrongly_typed_field() {
    let mut v = fixture_json();
    v["cells"][0]["wall_seconds"] = serde_json::json!("fast");
    let (file, err) = load_error("wrong-type", &v.to_string());
    let message = err.to_string();
    assert!(message.starts_with(&file), "{message}");
    assert!(message.contains("wall_seconds"), "{message}");
}

#[test]
fn the_decision_table_says_which_probe_figure_is_which() {
    let mut loaded = fixture();
    for t in &mut loaded.summary.timers {
        t.inside_unit = true;
        t.start_seconds = Some(20e-6);
        t.join_seconds = Some(10e-6);
    }
    // A job on a running pool cheaper than any start: shown, never picked.
    let mut job = loaded.summary.spawn[1].clone();
    job.runtime = "rayon".into();
    job.model = Model::ThreadPool;
    job.unit = Unit::Job;
    job.kind = Some(SpawnKind::Job);
    job.spawn_seconds_per_unit = 1e-9;
    loaded.summary.spawn.push(job);
    let all = sections(&loaded, "c");
    let decision = &all.iter().find(|s| s.name == "decision").unwrap().body;
    let row = |words: &str| {
        decision
            .lines()
            .find(|l| l.contains(words))
            .unwrap_or_else(|| panic!("no row with {words:?} in\n{decision}"))
    };
    let spawn = row("start cost");
    assert!(spawn.contains("| **async (tokio)** |"), "{spawn}");
    assert!(spawn.contains("per task started and joined"), "{spawn}");
    assert!(
        spawn.contains("not starts, not compared (a job handed to a pool already running): rayon "),
        "{spawn}"
    );
    let timer = row("precise sleeps");
    assert!(
        timer.contains("timed inside the unit around the sleep alone"),
        "{timer}"
    );
    assert!(
        timer.contains("slept") && timer.contains("(start 20us, join 10us)"),
        "{timer}"
    );
}
