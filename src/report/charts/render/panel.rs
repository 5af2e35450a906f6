//! One panel: its caption, axes sized to their tick labels, grid and reference lines, its
//! body (line series or groups), and the notes above bars given room to fit.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::coord::Coord;
use super::groups::{Labels, draw as draw_groups, slot_width};
use super::series::draw as draw_lines;
use super::{
    CAPTION_SIZE, DESC_SIZE, GRID, GRID_LIGHT, MARGIN, MUTED, NOTE_SIZE, OUTLINE, Result,
    TICK_SIZE, font, text_size,
};
use crate::report::charts::model::{Body, Panel};
use crate::report::charts::palette;
use crate::report::charts::scale::{self, Fit, Layout};

/// Draws `panel` in `area`: axes, grid, references, body and notes. Group labels are
/// drawn on `root`, since they may reach below the area plotters gives the x axis.
pub(super) fn draw<DB: DrawingBackend>(
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

    let labels = match &panel.body {
        Body::Groups(groups) => Labels::fit(area, groups, plot_w),
        Body::Lines(_) => Labels::none(area),
    };
    let x_area = labels.height() + desc_h + 22;
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
            palette::REFERENCE.mix(0.7).stroke_width(1),
        ))?;
    }

    match &panel.body {
        Body::Lines(series) => draw_lines(&mut cc, series, &xl, &yl)?,
        Body::Groups(groups) => {
            let show_notes = !notes.is_empty();
            draw_groups(&mut cc, groups, &yl, show_notes.then_some(&note), upright)?;
            // Group labels under the axis, centred, wrapped.
            labels.draw(root, &cc, &yl)?;
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

/// Writes "no data" in the middle of `area`, for a panel with nothing to plot.
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
