//! Charts of a results folder, as SVG (and PNG on request) in `charts/` beside it.
//!
//! Each chart family is one file with one function from the loaded results to one chart
//! (a `model::Chart`: what to show); `render` draws any chart on any plotters backend.
//! A family whose data the folder does not hold is skipped: no file is written for it, and
//! [`skipped`] says which were skipped and why (so a caller can print it). Every chart
//! draws each runtime in the same colour, fixed by its position in
//! [`REGISTRY`](crate::runtime::REGISTRY).
//!
//! Text is drawn with the DejaVu Sans font embedded in the binary (no system font lookup:
//! the machine may have no fontconfig), registered as the family `sans-serif`.

mod across;
mod efficiency;
mod latency;
mod limits;
mod memory;
mod model;
mod palette;
mod parts;
mod render;
mod scale;
mod select;
mod serve;
mod speedup;
mod throughput;
mod timers;
mod waits;

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use plotters::prelude::*;
use plotters::style::FontStyle;
use thiserror::Error;

use crate::results::{Loaded, write_atomic};

use model::Chart;

/// DejaVu Sans (see assets/fonts/DejaVuSans-LICENSE.txt).
static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

static REGISTER: Once = Once::new();
static REGISTERED: AtomicBool = AtomicBool::new(false);

/// Makes the embedded font plotters' `sans-serif`, once per process (later calls do
/// nothing). Criterion benches call it before criterion draws its plots; [`write_charts`]
/// calls it and fails with [`ChartError::Font`] if the font could not be registered.
pub fn register_font() {
    REGISTER.call_once(|| {
        let ok = plotters::style::register_font(render::FAMILY, FontStyle::Normal, FONT).is_ok();
        REGISTERED.store(ok, Ordering::Release);
    });
}

/// Registers the font if no call has yet, and says whether it is there.
fn font_ready() -> Result<(), ChartError> {
    register_font();
    if REGISTERED.load(Ordering::Acquire) {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

/// Why a chart could not be written.
#[derive(Debug, Error)]
pub enum ChartError {
    /// The file could not be written.
    #[error("{path}: cannot write it: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// plotters could not draw it.
    #[error("{path}: cannot draw it: {message}")]
    Draw {
        /// The file.
        path: PathBuf,
        /// What plotters said.
        message: String,
    },
    /// The embedded font could not be registered.
    #[error("the embedded chart font (DejaVu Sans) could not be read")]
    Font,
}

/// A chart family: its file name, its caption in BENCHMARK.md, and the function that
/// builds it from the results, or says why not.
pub struct Family {
    /// The file stem: `charts/NAME.svg`.
    pub name: &'static str,
    /// What the chart shows, in a line.
    pub caption: &'static str,
    build: fn(&Loaded) -> Result<Chart, String>,
}

/// Every chart, in the order they are written and linked from BENCHMARK.md.
pub const FAMILIES: [Family; 10] = [
    Family {
        name: throughput::NAME,
        caption: "Throughput against the number of concurrent waits",
        build: throughput::chart,
    },
    Family {
        name: waits::NAME,
        caption: "Timer waits against socket waits, per runtime",
        build: waits::chart,
    },
    Family {
        name: efficiency::NAME,
        caption: "Efficiency (ideal / measured) under each concurrency limit",
        build: efficiency::chart,
    },
    Family {
        name: speedup::NAME,
        caption: "CPU-bound speed-up over sequential",
        build: speedup::chart,
    },
    Family {
        name: memory::NAME,
        caption: "Memory per idle task, thread and process",
        build: memory::chart,
    },
    Family {
        name: latency::NAME,
        caption: "Task completion latency percentiles",
        build: latency::chart,
    },
    Family {
        name: timers::NAME,
        caption: "How far each runtime's sleep overshoots",
        build: timers::chart,
    },
    Family {
        name: limits::NAME,
        caption: "Semaphore, batches and pool under one limit",
        build: limits::chart,
    },
    Family {
        name: serve::P99_NAME,
        caption: "A server's corrected p99 latency against the offered rate, its knee marked",
        build: serve::p99_chart,
    },
    Family {
        name: serve::ACHIEVED_NAME,
        caption: "A server's achieved rate against the offered rate",
        build: serve::achieved_chart,
    },
];

/// The chart of one figure across several folders' machines: its file stem and caption.
pub const ACROSS: (&str, &str) = (across::NAME, across::CAPTION);

/// The charts of a server under steady load, which its BENCHMARK.md section shows too.
pub const SERVE: [&str; 2] = [serve::P99_NAME, serve::ACHIEVED_NAME];

/// The figures of claims the charts read.
pub const READS: &[crate::results::FigureId] = &limits::READS;

/// Those of [`READS`] measured over TCP, which folders from before the claims ran over TCP
/// lack (the chart then draws the in-process panel alone).
pub const TCP_READS: &[crate::results::FigureId] = &limits::TCP_READS;

/// The file stems of every chart family, in the order they are written.
pub fn chart_names() -> Vec<&'static str> {
    FAMILIES.iter().map(|f| f.name).collect()
}

/// A chart not drawn because the results hold none of its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The chart.
    pub name: &'static str,
    /// Why it was not drawn.
    pub reason: String,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.reason)
    }
}

/// The charts [`write_charts`] skips for these results, and why.
pub fn skipped(loaded: &Loaded) -> Vec<Skipped> {
    FAMILIES
        .iter()
        .filter_map(|f| {
            (f.build)(loaded).err().map(|reason| Skipped {
                name: f.name,
                reason,
            })
        })
        .collect()
}

/// Writes `dir/charts/NAME.svg` (and `NAME.png` when `png`) for every chart whose data the
/// results hold, and returns the paths written. Charts without data are skipped (see
/// [`skipped`]); a chart file of a known name that this call did not write (left by an
/// earlier call on other data) is removed, so the folder never shows a stale chart. With
/// nothing to draw, no folder is created. Files are replaced atomically.
pub fn write_charts(loaded: &Loaded, dir: &Path, png: bool) -> Result<Vec<PathBuf>, ChartError> {
    font_ready()?;
    let out = dir.join("charts");
    let mut written = Vec::new();
    for Family { name, build, .. } in FAMILIES {
        let Ok(chart) = build(loaded) else {
            continue;
        };
        fs::create_dir_all(&out).map_err(|source| ChartError::Io {
            path: out.clone(),
            source,
        })?;
        let svg = out.join(format!("{name}.svg"));
        write_svg(&chart, &svg)?;
        written.push(svg);
        if png {
            let path = out.join(format!("{name}.png"));
            write_png(&chart, &path)?;
            written.push(path);
        }
    }
    if out.is_dir() {
        for name in chart_names() {
            for ext in ["svg", "png"] {
                let path = out.join(format!("{name}.{ext}"));
                if !written.contains(&path) && path.exists() {
                    fs::remove_file(&path).map_err(|source| ChartError::Io { path, source })?;
                }
            }
        }
    }
    Ok(written)
}

/// Writes the chart across machines, `dir/NAME.svg` (and `.png` when `png`), for several
/// folders; Ok(Err(why)) when they hold nothing it can draw (fewer than two CPU rows).
pub fn write_across(
    folders: &[crate::report::sections::Folder],
    dir: &Path,
    png: bool,
) -> Result<Result<Vec<PathBuf>, String>, ChartError> {
    font_ready()?;
    let chart = match across::chart(folders) {
        Ok(c) => c,
        Err(why) => return Ok(Err(why)),
    };
    fs::create_dir_all(dir).map_err(|source| ChartError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let svg = dir.join(format!("{}.svg", across::NAME));
    write_svg(&chart, &svg)?;
    let mut written = vec![svg];
    if png {
        let path = dir.join(format!("{}.png", across::NAME));
        write_png(&chart, &path)?;
        written.push(path);
    }
    Ok(Ok(written))
}

fn draw_error(path: &Path) -> impl Fn(String) -> ChartError + '_ {
    move |message| ChartError::Draw {
        path: path.to_path_buf(),
        message,
    }
}

fn write_svg(chart: &Chart, path: &Path) -> Result<(), ChartError> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, chart.size).into_drawing_area();
        render::draw(chart, &root).map_err(|e| draw_error(path)(e.to_string()))?;
        root.present()
            .map_err(|e| draw_error(path)(e.to_string()))?;
    }
    write_atomic(path, text.as_bytes()).map_err(|source| ChartError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Draws into a temporary file beside `path` (the bitmap backend picks the format by
/// extension), then renames it over `path`.
fn write_png(chart: &Chart, path: &Path) -> Result<(), ChartError> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("chart");
    let tmp = path.with_file_name(format!(".{stem}.tmp-{}.png", std::process::id()));
    let io_error = |source| ChartError::Io {
        path: tmp.clone(),
        source,
    };
    // Creating the file first turns a folder we cannot write into an I/O error that names
    // it; the encoder's own errors only come back as text.
    fs::File::create(&tmp).map_err(io_error)?;
    let drawn = (|| {
        let root = BitMapBackend::new(&tmp, chart.size).into_drawing_area();
        render::draw(chart, &root).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    })();
    let result = drawn.map_err(draw_error(path)).and_then(|()| {
        fs::rename(&tmp, path).map_err(|source| ChartError::Io {
            path: path.to_path_buf(),
            source,
        })
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
