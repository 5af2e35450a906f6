//! Draws a [`Chart`] on any plotters backend: a header (title and subtitle), the panels in
//! a grid, and a legend in a column of its own on the right so it never covers data.
//! Categorical x labels are drawn here rather than by plotters, so long runtime names can
//! wrap onto a second line instead of running into their neighbours.
//!
//! This file holds the entry [`draw`] (header and grid), the sizes and colours, and the
//! text helpers every part shares; [`legend`] draws the legend column, [`panel`] one
//! panel's axes and frame on a [`coord::Coord`] pair, [`groups`] the bars, points,
//! whiskers, notes and labels of grouped bodies, [`series`] line series, and [`marks`]
//! the bar and marker shapes a legend key shares with the data it names.

mod coord;
mod groups;
mod legend;
mod marks;
mod panel;
mod series;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::model::Chart;

/// The one font family every chart uses (registered by [`super::register_font`]).
pub const FAMILY: &str = "sans-serif";

type Result<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

const MARGIN: i32 = 16;
const TITLE_SIZE: f64 = 22.0;
const SUBTITLE_SIZE: f64 = 13.0;
const CAPTION_SIZE: f64 = 16.0;
const TICK_SIZE: f64 = 13.0;
const DESC_SIZE: f64 = 14.0;
const NOTE_SIZE: f64 = 11.0;
const LEGEND_SIZE: f64 = 13.0;
const LINE_GAP: i32 = 4;

const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const GRID_LIGHT: RGBColor = RGBColor(0xf0, 0xf0, 0xf0);
const OUTLINE: RGBColor = RGBColor(0x44, 0x44, 0x44);

/// The chart font at `size` pixels, in the text colour.
fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size).into_font()).color(&TEXT)
}

/// Width and height of `text` in pixels as this backend will draw it.
fn text_size<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
) -> (i32, i32) {
    area.estimate_text_size(text, style)
        .map(|(w, h)| (w as i32, h as i32))
        // A font that cannot measure will fail to draw too; the error surfaces there.
        .unwrap_or((
            text.chars().count() as i32 * style.font.get_size() as i32 / 2,
            14,
        ))
}

/// Splits `text` into lines no wider than `max` pixels, breaking after spaces and dashes.
fn wrap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max: i32,
) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        current.push(c);
        if c == ' ' || c == '-' {
            tokens.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for token in tokens {
        let candidate = format!("{line}{token}");
        if !line.is_empty() && text_size(area, candidate.trim_end(), style).0 > max {
            lines.push(line.trim_end().to_string());
            line = token;
        } else {
            line = candidate;
        }
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Draws `chart` on `root`: the header, the legend column (if the chart has a legend),
/// then the panels in a grid of `chart.columns` columns.
pub fn draw<DB: DrawingBackend>(chart: &Chart, root: &DrawingArea<DB, Shift>) -> Result<DB> {
    root.fill(&WHITE)?;
    let (w, _) = root.dim_in_pixel();
    let w = w as i32;

    // Header: title, then the subtitle wrapped to the width.
    let title = font(TITLE_SIZE);
    let subtitle = font(SUBTITLE_SIZE).color(&MUTED);
    root.draw(&Text::new(chart.title.clone(), (MARGIN, 12), title.clone()))?;
    let mut y = 12 + text_size(root, &chart.title, &title).1 + 10;
    for line in wrap(root, &chart.subtitle, &subtitle, w - 2 * MARGIN) {
        root.draw(&Text::new(line.clone(), (MARGIN, y), subtitle.clone()))?;
        y += text_size(root, &line, &subtitle).1 + LINE_GAP;
    }
    let (_, body) = root.split_vertically(y + 8);

    // Legend column on the right.
    let legend_style = font(LEGEND_SIZE);
    let plots = if chart.legend.is_empty() {
        body
    } else {
        let widest = chart
            .legend
            .iter()
            .map(|e| text_size(root, &e.label, &legend_style).0)
            .max()
            .unwrap_or(0);
        // Key 14..40, gap, text, then the box's right padding and the chart margin.
        let legend_w = (widest + 50 + 24 + MARGIN).min(w / 3);
        let (plots, legend) = body.split_horizontally(w - legend_w);
        legend::draw(&legend, &chart.legend, &legend_style)?;
        plots
    };

    let columns = chart.columns.clamp(1, chart.panels.len().max(1));
    let rows = chart.panels.len().div_ceil(columns).max(1);
    let areas = plots.split_evenly((rows, columns));
    for (panel, area) in chart.panels.iter().zip(&areas) {
        panel::draw(root, area, panel)?;
    }
    Ok(())
}
