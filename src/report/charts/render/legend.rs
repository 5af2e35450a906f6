//! The legend column: a framed list of keys, each drawn like the data it names (a line,
//! a line with a marker, a bar, a point), with its label to the right.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::marks::{bar_rects, point_marker};
use super::{MARGIN, Result, text_size};
use crate::report::charts::model::{Key, LegendEntry};

/// Draws `entries` as a framed column of keys and labels filling `area`'s width.
pub(super) fn draw<DB: DrawingBackend>(
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
            Key::Point(shape) => area.draw(&point_marker!((cx, cy), shape, e.colour))?,
        }
        area.draw(&Text::new(
            e.label.clone(),
            (x1 + 10, cy),
            style.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}
