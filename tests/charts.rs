//! Charts of a results folder: the fixture folder (a real quick run with claims) yields
//! every chart, as SVG with real text and as PNG; a folder without data yields none.

mod support;

use std::fs;
use std::path::PathBuf;

use plotters::prelude::*;
use rtbench::report::charts::{chart_names, register_font, skipped, write_charts};
use rtbench::results::load;
use support::{REFERENCE, Scratch, fixture, reference_dir};

/// Every chart, with words of its title.
const EXPECTED: [(&str, &str); 10] = [
    ("throughput-vs-tasks", "Throughput vs concurrent tasks"),
    ("timer-vs-socket-waits", "Timer waits vs socket waits"),
    (
        "efficiency-vs-limit",
        "Efficiency under a concurrency limit",
    ),
    ("cpu-speedup", "CPU speed-up over sequential"),
    ("memory-per-unit", "Memory per idle unit"),
    ("latency-percentiles", "Task latency percentiles"),
    ("timer-overshoot", "Timer overshoot"),
    (
        "limit-comparison",
        "semaphore vs batches vs pool vs adaptive",
    ),
    ("serve-p99", "Server p99 latency against offered rate"),
    (
        "serve-achieved",
        "Server throughput: achieved against offered rate",
    ),
];

#[test]
fn fixture_yields_every_chart_as_svg_and_png() {
    let loaded = fixture();
    assert_eq!(
        chart_names(),
        EXPECTED.map(|e| e.0),
        "the chart list changed: update EXPECTED"
    );
    assert_eq!(skipped(&loaded), []);
    let scratch = Scratch::new("fixture");
    let dir = scratch.path();
    let mut written = write_charts(&loaded, dir, true).unwrap();
    let mut want: Vec<PathBuf> = EXPECTED
        .iter()
        .flat_map(|(name, _)| {
            ["svg", "png"].map(|ext| dir.join("charts").join(format!("{name}.{ext}")))
        })
        .collect();
    written.sort();
    want.sort();
    assert_eq!(written, want);
    for (name, title) in EXPECTED {
        let svg = fs::read_to_string(dir.join("charts").join(format!("{name}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg"),
            "{name}.svg: {}",
            &svg[..svg.len().min(80)]
        );
        assert!(svg.contains("<text"), "{name}.svg has no text element");
        assert!(
            svg.contains("font-family=\"sans-serif\""),
            "{name}.svg font family"
        );
        assert!(svg.contains(title), "{name}.svg lacks its title '{title}'");
        let png = fs::read(dir.join("charts").join(format!("{name}.png"))).unwrap();
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{name}.png is not a PNG"
        );
        assert!(png.len() > 10_000, "{name}.png is only {} bytes", png.len());
    }
    // No temporary file is left behind.
    let leftovers: Vec<_> = fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new());
}

#[test]
fn embedded_font_draws_glyphs_without_system_fonts() {
    register_font();
    let (w, h) = (200u32, 40u32);
    let mut pixels = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        let style = TextStyle::from(("sans-serif", 24).into_font()).color(&BLACK);
        let (tw, th) = root.estimate_text_size("Throughput", &style).unwrap();
        assert!(tw > 80 && th > 10, "text measures {tw}x{th}");
        root.draw(&Text::new("Throughput", (4, 4), style)).unwrap();
        root.present().unwrap();
    }
    let dark = pixels
        .chunks(3)
        .filter(|p| p.iter().all(|c| *c < 128))
        .count();
    assert!(
        dark > 100,
        "only {dark} dark pixels: the glyphs were not drawn"
    );
}

#[test]
fn folder_without_data_yields_no_chart_and_no_error() {
    let mut loaded = fixture();
    let s = &mut loaded.summary;
    s.cells.clear();
    s.memory.clear();
    s.memory_models.clear();
    s.timers.clear();
    s.spawn.clear();
    s.serve.clear();
    loaded.claims = None;
    // Written and read back as a results folder, as the CLI would see it.
    let scratch = Scratch::new("empty");
    let results = scratch.path();
    let json = serde_json::to_string_pretty(&loaded.summary).unwrap();
    fs::write(results.join("summary.json"), json).unwrap();
    let empty = load(results).unwrap();
    assert!(empty.summary.cells.is_empty() && empty.claims.is_none());

    assert_eq!(
        write_charts(&empty, results, true).unwrap(),
        Vec::<PathBuf>::new()
    );
    assert!(
        !results.join("charts").exists(),
        "no charts folder for no charts"
    );
    let why = skipped(&empty);
    assert_eq!(
        why.iter().map(|s| s.name).collect::<Vec<_>>(),
        chart_names()
    );
    assert!(why.iter().all(|s| !s.reason.is_empty()));
}

#[test]
fn only_the_charts_with_data_are_written_and_stale_ones_go() {
    let scratch = Scratch::new("partial");
    let dir = scratch.path();
    write_charts(&fixture(), dir, true).unwrap();

    // Timer probes only: one chart, and the other files of the earlier call are removed.
    let mut loaded = fixture();
    loaded.summary.cells.clear();
    loaded.summary.memory_models.clear();
    loaded.summary.serve.clear();
    loaded.claims = None;
    let written = write_charts(&loaded, dir, false).unwrap();
    assert_eq!(written, [dir.join("charts").join("timer-overshoot.svg")]);
    let mut left: Vec<String> = fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["timer-overshoot.svg"]);
}

/// The charts of the committed reference run redraw byte for byte: drawing depends only on
/// the folder's numbers and the embedded font.
#[test]
fn the_reference_run_redraws_its_charts_byte_for_byte() {
    let loaded = load(&reference_dir()).expect("the reference run loads");
    let s = Scratch::new("reference");
    let written = write_charts(&loaded, s.path(), false).unwrap();
    // It has its serve sweep: no chart is skipped.
    assert!(skipped(&loaded).is_empty(), "{:?}", skipped(&loaded));
    assert_eq!(written.len(), chart_names().len(), "{written:?}");
    for path in written {
        let name = path.file_name().unwrap();
        let committed = reference_dir().join("charts").join(name);
        let want = fs::read(&committed).unwrap_or_else(|e| panic!("{}: {e}", committed.display()));
        let got = fs::read(&path).unwrap();
        assert!(
            got == want,
            "{REFERENCE}/charts/{} differs from a fresh drawing",
            name.to_string_lossy()
        );
    }
}
