//! The shapes of marks, in any coordinate: a bar's rectangles and a point's marker. A
//! legend key draws the same shape as the data it names, so both come from here.

use plotters::prelude::*;

use super::OUTLINE;
use crate::report::charts::model::{Fill, Shape};

/// A marker centred on `at` (in any coordinate), filled, with a dark outline. A macro
/// because the element's type depends on the backend and coordinate at the call.
macro_rules! point_marker {
    ($at:expr, $shape:expr, $colour:expr) => {{
        let corners = super::marks::marker_outline($shape);
        let mut closed = corners.clone();
        closed.push(corners[0]);
        EmptyElement::at($at)
            + Polygon::new(corners, $colour.filled())
            + PathElement::new(closed, super::OUTLINE.stroke_width(1))
    }};
}
pub(super) use point_marker;

/// A bar's fill and outline as rectangles, in any coordinate.
pub(super) fn bar_rects<C: Clone>(
    corners: [C; 2],
    colour: RGBColor,
    fill: Fill,
) -> Vec<Rectangle<C>> {
    let fill_style = match fill {
        Fill::Solid => colour.filled(),
        Fill::Mid => colour.mix(0.6).filled(),
        Fill::Light => colour.mix(0.2).filled(),
        Fill::Dark => darker(colour).filled(),
    };
    let outline = match fill {
        Fill::Solid | Fill::Mid | Fill::Dark => OUTLINE.stroke_width(1),
        Fill::Light => colour.stroke_width(2),
    };
    vec![
        Rectangle::new(corners.clone(), fill_style),
        Rectangle::new(corners, outline),
    ]
}

/// `colour` at half its brightness.
fn darker(colour: RGBColor) -> RGBColor {
    RGBColor(colour.0 / 2, colour.1 / 2, colour.2 / 2)
}

/// A marker's outline around its centre, in pixels (a circle as a 16-gon, so every shape
/// is one polygon type).
pub(super) fn marker_outline(shape: Shape) -> Vec<(i32, i32)> {
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
