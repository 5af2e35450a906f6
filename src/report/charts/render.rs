//! Draws a [`Chart`] on any plotters backend: a header (title and subtitle), the panels in
//! a grid, and a legend in a column of its own on the right so it never covers data.
//! Categorical x labels are drawn here rather than by plotters, so long runtime names can
//! wrap onto a second line instead of running into their neighbours.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::model::{Body, Chart, Fill, Group, Item, Key, LegendEntry, Mark, Panel, Series, Shape};
use super::scale::{self, Fit, Layout};

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

/// A marker centred on `at` (in any coordinate), filled, with a dark outline.
macro_rules! marker {
    ($at:expr, $shape:expr, $colour:expr) => {{
        let corners = marker_outline($shape);
        let mut closed = corners.clone();
        closed.push(corners[0]);
        EmptyElement::at($at)
            + Polygon::new(corners, $colour.filled())
            + PathElement::new(closed, OUTLINE.stroke_width(1))
    }};
}

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
        draw_legend(&legend, &chart.legend, &legend_style)?;
        plots
    };

    let columns = chart.columns.clamp(1, chart.panels.len().max(1));
    let rows = chart.panels.len().div_ceil(columns).max(1);
    let areas = plots.split_evenly((rows, columns));
    for (panel, area) in chart.panels.iter().zip(&areas) {
        draw_panel(root, area, panel)?;
    }
    Ok(())
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    style: &TextStyle,
) -> Result<DB> {
    let row = text_size(area, "Xg", style).1.max(12) + 10;
    let top = 36;
    let (w, _) = area.dim_in_pixel();
    let h = row * entries.len() as i32 + 12;
    area.draw(&Rectangle::new(
        [(4, top - 8), (w as i32 - MARGIN, top - 8 + h)],
        RGBColor(0xbb, 0xbb, 0xbb).stroke_width(1),
    ))?;
    for (i, e) in entries.iter().enumerate() {
        let cy = top + row * i as i32 + row / 2 - 2;
        let (x0, x1) = (14, 40);
        let cx = (x0 + x1) / 2;
        match e.key {
            Key::Line { dashed } => {
                if dashed {
                    for (a, b) in [(x0, x0 + 8), (x0 + 13, x1 - 5), (x1 - 1, x1)] {
                        area.draw(&PathElement::new(
                            vec![(a, cy), (b, cy)],
                            e.colour.stroke_width(2),
                        ))?;
                    }
                } else {
                    area.draw(&PathElement::new(
                        vec![(x0, cy), (x1, cy)],
                        e.colour.stroke_width(2),
                    ))?;
                }
            }
            Key::LineMarker => {
                area.draw(&PathElement::new(
                    vec![(x0, cy), (x1, cy)],
                    e.colour.stroke_width(2),
                ))?;
                area.draw(&Circle::new((cx, cy), 4, e.colour.filled()))?;
            }
            Key::Bar(fill) => {
                for r in bar_rects([(x0 + 2, cy - 7), (x1 - 2, cy + 7)], e.colour, fill) {
                    area.draw(&r)?;
                }
            }
            Key::Point(shape) => area.draw(&marker!((cx, cy), shape, e.colour))?,
        }
        area.draw(&Text::new(
            e.label.clone(),
            (x1 + 10, cy),
            style.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// A bar's fill and outline as rectangles, in any coordinate.
fn bar_rects<C: Clone>(corners: [C; 2], colour: RGBColor, fill: Fill) -> Vec<Rectangle<C>> {
    let fill_style = match fill {
        Fill::Solid => colour.filled(),
        Fill::Mid => colour.mix(0.6).filled(),
        Fill::Light => colour.mix(0.2).filled(),
    };
    let outline = match fill {
        Fill::Solid | Fill::Mid => OUTLINE.stroke_width(1),
        Fill::Light => colour.stroke_width(2),
    };
    vec![
        Rectangle::new(corners.clone(), fill_style),
        Rectangle::new(corners, outline),
    ]
}

/// A marker's outline around its centre, in pixels (a circle as a 16-gon, so every shape
/// is one polygon type).
fn marker_outline(shape: Shape) -> Vec<(i32, i32)> {
    match shape {
        Shape::Circle => (0..16)
            .map(|i| {
                let a = i as f64 * std::f64::consts::TAU / 16.0;
                (
                    (6.5 * a.cos()).round() as i32,
                    (6.5 * a.sin()).round() as i32,
                )
            })
            .collect(),
        Shape::Triangle => vec![(0, -8), (7, 5), (-7, 5)],
        Shape::Square => vec![(-6, -6), (6, -6), (6, 6), (-6, 6)],
    }
}

fn draw_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
) -> Result<DB> {
    let tick = font(TICK_SIZE);
    let desc = font(DESC_SIZE);
    let mut note = font(NOTE_SIZE);
    let (aw, ah) = area.dim_in_pixel();
    let (aw, ah) = (aw as i32, ah as i32);
    let caption_h = if panel.title.is_empty() {
        0
    } else {
        text_size(area, &panel.title, &font(CAPTION_SIZE)).1 + 10
    };
    let desc_h = text_size(area, "Xg", &desc).1;

    // A first guess at the y axis (without headroom) sizes its labels.
    let bars = panel.has_bars();
    let y_values = panel.y_values();
    let Some(y_guess) = scale::layout(
        &panel.y,
        &y_values,
        Fit {
            bars,
            headroom: 0.0,
        },
    ) else {
        return no_data(area);
    };
    let widest_tick = |l: &Layout| {
        l.ticks
            .iter()
            .map(|t| text_size(area, &t.1, &tick).0)
            .max()
            .unwrap_or(0)
    };
    let y_area = widest_tick(&y_guess) + desc_h + 22;
    let plot_w = (aw - y_area - 8 - MARGIN).max(50);

    // Group labels wrap to the width of their group; where a word alone is wider, the
    // labels get a smaller font (down to 9 px) rather than run into each other.
    let mut group_font = tick.clone();
    let group_lines: Vec<Vec<String>> = match &panel.body {
        Body::Groups(groups) => {
            let per_group = (plot_w / groups.len().max(1) as i32 - 8).max(20);
            let mut lines = Vec::new();
            for size in [TICK_SIZE, 12.0, 11.0, 10.0, 9.0] {
                group_font = font(size);
                lines = groups
                    .iter()
                    .map(|g| wrap(area, &g.label, &group_font, per_group))
                    .collect::<Vec<Vec<String>>>();
                let fits = lines
                    .iter()
                    .flatten()
                    .all(|l| text_size(area, l, &group_font).0 <= per_group);
                if fits {
                    break;
                }
            }
            lines
        }
        Body::Lines(_) => Vec::new(),
    };
    let group_line_h = text_size(area, "Xg", &group_font).1;
    let label_lines = group_lines.iter().map(Vec::len).max().unwrap_or(1).max(1) as i32;
    let x_area = label_lines * (group_line_h + LINE_GAP) + desc_h + 22;
    let plot_h = (ah - caption_h - x_area - 16).max(50);

    // Notes above bars: written across if they fit their slot, else turned upright.
    let slot_px = match &panel.body {
        Body::Groups(groups) => plot_w as f64 / groups.len().max(1) as f64 * slot_width(groups),
        Body::Lines(_) => 0.0,
    };
    let notes: Vec<&str> = panel.items().filter_map(|i| i.note.as_deref()).collect();
    // Across in 11 px, else 10 px, else upright in 11 px.
    let widest = |style: &TextStyle| {
        notes
            .iter()
            .map(|n| text_size(area, n, style).0)
            .max()
            .unwrap_or(0)
    };
    let mut widest_note = widest(&note);
    if widest_note as f64 > slot_px * 0.9 {
        let smaller = font(NOTE_SIZE - 1.0);
        if widest(&smaller) as f64 <= slot_px * 0.9 {
            note = smaller;
            widest_note = widest(&note);
        }
    }
    let upright = widest_note as f64 > slot_px * 0.9;
    // Upright notes beside points read as clutter: points without room get no notes.
    let notes: Vec<&str> = if upright && panel.points_only() {
        Vec::new()
    } else {
        notes
    };
    let note_px = if notes.is_empty() {
        0
    } else if upright {
        widest_note + 8
    } else {
        text_size(area, "Xg", &note).1 + 8
    };
    let headroom = if note_px == 0 {
        0.0
    } else {
        let f = note_px as f64 / plot_h as f64;
        (f / (1.0 - f).max(0.3)).min(1.5)
    };
    let Some(yl) = scale::layout(&panel.y, &y_values, Fit { bars, headroom }) else {
        return no_data(area);
    };
    let xl = match &panel.body {
        Body::Lines(_) => match scale::layout(
            &panel.x,
            &panel.x_values(),
            Fit {
                bars: false,
                headroom: 0.0,
            },
        ) {
            Some(l) => l,
            None => return no_data(area),
        },
        Body::Groups(groups) => Layout {
            lo: -0.5,
            hi: groups.len() as f64 - 0.5,
            ticks: (0..groups.len())
                .map(|i| (i as f64, String::new()))
                .collect(),
            minor: Vec::new(),
            log: false,
        },
    };

    let mut builder = ChartBuilder::on(area);
    builder
        .margin_top(8)
        .margin_bottom(8)
        .margin_left(8)
        .margin_right(MARGIN)
        .x_label_area_size(x_area)
        .y_label_area_size(widest_tick(&yl) + desc_h + 22);
    if !panel.title.is_empty() {
        builder.caption(&panel.title, font(CAPTION_SIZE));
    }
    let mut cc = builder.build_cartesian_2d(Coord::from(&xl), Coord::from(&yl))?;
    let x_fmt = |v: &f64| xl.label(*v);
    let y_fmt = |v: &f64| yl.label(*v);
    let mut mesh = cc.configure_mesh();
    mesh.x_desc(panel.x.label.clone())
        .y_desc(panel.y.label.clone())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(tick.clone())
        .axis_desc_style(desc.clone())
        .bold_line_style(GRID)
        .light_line_style(GRID_LIGHT)
        .axis_style(OUTLINE);
    if matches!(panel.body, Body::Groups(_)) {
        mesh.disable_x_mesh();
    }
    mesh.draw()?;

    for (value, _) in &panel.references {
        let y = yl.pos(*value);
        cc.draw_series(DashedLineSeries::new(
            [(xl.lo, y), (xl.hi, y)],
            6,
            4,
            super::palette::REFERENCE.mix(0.7).stroke_width(1),
        ))?;
    }

    match &panel.body {
        Body::Lines(series) => {
            // Dashed references (ideal lines) under the measured ones.
            for s in series.iter().filter(|s| s.dashed) {
                draw_series(&mut cc, s, &xl, &yl)?;
            }
            for s in series.iter().filter(|s| !s.dashed) {
                draw_series(&mut cc, s, &xl, &yl)?;
            }
        }
        Body::Groups(groups) => {
            let show_notes = !notes.is_empty();
            draw_groups(&mut cc, groups, &yl, show_notes.then_some(&note), upright)?;
            // Group labels under the axis, centred, wrapped.
            for (i, lines) in group_lines.iter().enumerate() {
                let (px, py) = cc.backend_coord(&(i as f64, yl.lo));
                for (k, line) in lines.iter().enumerate() {
                    root.draw(&Text::new(
                        line.clone(),
                        (px, py + 10 + k as i32 * (group_line_h + LINE_GAP)),
                        group_font.pos(Pos::new(HPos::Center, VPos::Top)),
                    ))?;
                }
            }
        }
    }
    // Reference labels last, on a white patch, so no bar hides them.
    for (value, label) in &panel.references {
        let (w, h) = text_size(area, label, &note);
        cc.draw_series(std::iter::once(
            EmptyElement::at((xl.hi, yl.pos(*value)))
                + Rectangle::new([(-w - 8, -h - 6), (-2, -2)], WHITE.mix(0.85).filled())
                + Text::new(
                    label.clone(),
                    (-5, -4),
                    note.pos(Pos::new(HPos::Right, VPos::Bottom)),
                ),
        ))?;
    }
    Ok(())
}

fn no_data<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> Result<DB> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        "no data",
        (w as i32 / 2, h as i32 / 2),
        font(TICK_SIZE)
            .color(&MUTED)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
}

type Cartesian = Cartesian2d<Coord, Coord>;

/// A linear coordinate whose ticks are exactly a [`Layout`]'s (plotters' own f64
/// coordinate picks its ticks itself, and its key-point wrapper cannot take a formatter).
#[derive(Clone)]
struct Coord {
    lo: f64,
    hi: f64,
    bold: Vec<f64>,
    light: Vec<f64>,
}

impl From<&Layout> for Coord {
    fn from(l: &Layout) -> Coord {
        Coord {
            lo: l.lo,
            hi: l.hi,
            bold: l.tick_positions(),
            light: l.minor.clone(),
        }
    }
}

impl Ranged for Coord {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        if span <= 0.0 || !v.is_finite() {
            return (limit.0 + limit.1) / 2;
        }
        let f = (v - self.lo) / span;
        limit.0 + (f * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.bold.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

fn draw_series<DB: DrawingBackend>(
    cc: &mut ChartContext<'_, DB, Cartesian>,
    s: &Series,
    xl: &Layout,
    yl: &Layout,
) -> Result<DB> {
    let points: Vec<(f64, f64)> = s
        .points
        .iter()
        .filter(|p| (!xl.log || p.0 > 0.0) && (!yl.log || p.1 > 0.0))
        .map(|p| (xl.pos(p.0), yl.pos(p.1)))
        .collect();
    if s.dashed {
        cc.draw_series(DashedLineSeries::new(
            points.clone(),
            8,
            5,
            s.colour.stroke_width(2),
        ))?;
    } else {
        cc.draw_series(LineSeries::new(points.clone(), s.colour.stroke_width(2)))?;
    }
    if s.markers {
        cc.draw_series(points.iter().map(|p| Circle::new(*p, 4, s.colour.filled())))?;
    }
    Ok(())
}

fn draw_groups<DB: DrawingBackend>(
    cc: &mut ChartContext<'_, DB, Cartesian>,
    groups: &[Group],
    yl: &Layout,
    note: Option<&TextStyle>,
    upright: bool,
) -> Result<DB> {
    let slot_w = slot_width(groups);
    let base = yl.base();
    for (gi, group) in groups.iter().enumerate() {
        let present = group.slots.iter().flatten().count();
        let shown = if group.packed {
            present
        } else {
            group.slots.len()
        };
        let left = gi as f64 - shown as f64 * slot_w / 2.0;
        let mut k = 0;
        for item in &group.slots {
            let Some(item) = item else {
                k += usize::from(!group.packed);
                continue;
            };
            let cx = left + (k as f64 + 0.5) * slot_w;
            k += 1;
            let y = yl.pos(item.value);
            // Pixels between the item's top and its note: a marker reaches 8 above its centre.
            let gap = match item.mark {
                Mark::Bar(fill) => {
                    let half = slot_w * 0.42;
                    cc.draw_series(bar_rects(
                        [(cx - half, base), (cx + half, y)],
                        item.colour,
                        fill,
                    ))?;
                    4
                }
                Mark::Point(shape) => {
                    cc.draw_series(std::iter::once(marker!((cx, y), shape, item.colour)))?;
                    11
                }
            };
            let (top, gap) = match whisker(cc, item, cx, slot_w, yl)? {
                Some(top) if top > y => (top, 4),
                _ => (y, gap),
            };
            if let (Some(text), Some(note)) = (&item.note, note) {
                let el = if upright {
                    EmptyElement::at((cx, top))
                        + Text::new(
                            text.clone(),
                            (0, -gap - 2),
                            note.transform(FontTransform::Rotate270)
                                .pos(Pos::new(HPos::Left, VPos::Center)),
                        )
                } else {
                    EmptyElement::at((cx, top))
                        + Text::new(
                            text.clone(),
                            (0, -gap),
                            note.pos(Pos::new(HPos::Center, VPos::Bottom)),
                        )
                };
                cc.draw_series(std::iter::once(el))?;
            }
        }
    }
    Ok(())
}

/// The width of one slot in group units (a group is 1 wide): bars share 80% of it, points
/// cluster in the middle half so each group reads as one.
fn slot_width(groups: &[Group]) -> f64 {
    let slots = groups
        .iter()
        .map(|g| g.slots.len())
        .max()
        .unwrap_or(1)
        .max(1);
    let points_only = groups
        .iter()
        .flat_map(|g| g.slots.iter().flatten())
        .all(|i| matches!(i.mark, Mark::Point(_)));
    (if points_only { 0.5 } else { 0.8 }) / slots as f64
}

/// Draws an item's min..max whisker; returns its top (where a note goes), if it has one.
fn whisker<DB: DrawingBackend>(
    cc: &mut ChartContext<'_, DB, Cartesian>,
    item: &Item,
    cx: f64,
    slot_w: f64,
    yl: &Layout,
) -> std::result::Result<Option<f64>, DrawingAreaErrorKind<DB::ErrorType>> {
    let Some((lo, hi)) = item.range else {
        return Ok(None);
    };
    let (lo, hi) = (yl.pos(lo), yl.pos(hi));
    let cap = slot_w * 0.15;
    let style = OUTLINE.stroke_width(1);
    cc.draw_series([
        PathElement::new(vec![(cx, lo), (cx, hi)], style),
        PathElement::new(vec![(cx - cap, lo), (cx + cap, lo)], style),
        PathElement::new(vec![(cx - cap, hi), (cx + cap, hi)], style),
    ])?;
    Ok(Some(hi.max(yl.pos(item.value))))
}
