//! Line series: each a polyline (solid, or dashed for a reference such as an ideal
//! line), with a dot at every point if it asks for markers, and a square on each of its
//! highlighted points (a knee); faint series (other runs of the same thing) pale and thin
//! under the rest, without highlights.

use plotters::prelude::*;

use super::Result;
use super::coord::Cartesian;
use super::marks::point_marker;
use crate::report::charts::model::{Series, Shape};
use crate::report::charts::scale::Layout;

/// Draws every series, the dashed references (ideal lines) under the measured ones.
pub(super) fn draw<DB: DrawingBackend>(
    cc: &mut ChartContext<'_, DB, Cartesian>,
    series: &[Series],
    xl: &Layout,
    yl: &Layout,
) -> Result<DB> {
    for s in series.iter().filter(|s| s.dashed) {
        draw_one(cc, s, xl, yl)?;
    }
    for s in series.iter().filter(|s| !s.dashed && s.faint) {
        draw_one(cc, s, xl, yl)?;
    }
    for s in series.iter().filter(|s| !s.dashed && !s.faint) {
        draw_one(cc, s, xl, yl)?;
    }
    Ok(())
}

/// Draws one series; points a log axis cannot show (zero or below) are left out.
fn draw_one<DB: DrawingBackend>(
    cc: &mut ChartContext<'_, DB, Cartesian>,
    s: &Series,
    xl: &Layout,
    yl: &Layout,
) -> Result<DB> {
    let points = plotted(&s.points, xl, yl);
    if s.faint {
        // A third of the colour on white, a hairline and small dots.
        let pale = |c: u8| 255 - (255 - c) / 3;
        let RGBColor(r, g, b) = s.colour;
        let colour = RGBColor(pale(r), pale(g), pale(b));
        cc.draw_series(LineSeries::new(points.clone(), colour.stroke_width(1)))?;
        if s.markers {
            cc.draw_series(points.iter().map(|p| Circle::new(*p, 2, colour.filled())))?;
        }
        return Ok(());
    }
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
    cc.draw_series(
        plotted(&s.highlights, xl, yl)
            .into_iter()
            .map(|p| point_marker!(p, Shape::Square, s.colour)),
    )?;
    Ok(())
}

/// `points` in plot coordinates, without those a log axis cannot show (zero or below).
fn plotted(points: &[(f64, f64)], xl: &Layout, yl: &Layout) -> Vec<(f64, f64)> {
    points
        .iter()
        .filter(|p| (!xl.log || p.0 > 0.0) && (!yl.log || p.1 > 0.0))
        .map(|p| (xl.pos(p.0), yl.pos(p.1)))
        .collect()
}
