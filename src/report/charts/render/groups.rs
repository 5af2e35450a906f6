//! Grouped bodies: each group a slot per item, each item a bar or a point, with a min..max
//! whisker and a note above where it has them; and the groups' labels under the x axis.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::coord::Cartesian;
use super::marks::{bar_rects, point_marker};
use super::{LINE_GAP, OUTLINE, Result, TICK_SIZE, font, text_size, wrap};
use crate::report::charts::model::{Group, Item, Mark};
use crate::report::charts::scale::Layout;

/// The labels under the x axis: each group's wrapped to the width of its group, all in
/// one font.
pub(super) struct Labels {
    style: TextStyle<'static>,
    lines: Vec<Vec<String>>,
    /// One line's height in pixels, in `style`.
    line_h: i32,
}

impl Labels {
    /// No labels of our own (a line chart's x ticks are plotters'), sized as one line in
    /// the tick font.
    pub(super) fn none<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> Labels {
        let style = font(TICK_SIZE);
        let line_h = text_size(area, "Xg", &style).1;
        Labels {
            style,
            lines: Vec::new(),
            line_h,
        }
    }

    /// The groups' labels wrapped to the width of their group (of `plot_w` pixels shared
    /// out); where a word alone is wider, the labels get a smaller font (down to 9 px)
    /// rather than run into each other.
    pub(super) fn fit<DB: DrawingBackend>(
        area: &DrawingArea<DB, Shift>,
        groups: &[Group],
        plot_w: i32,
    ) -> Labels {
        let per_group = (plot_w / groups.len().max(1) as i32 - 8).max(20);
        let mut style = font(TICK_SIZE);
        let mut lines = Vec::new();
        for size in [TICK_SIZE, 12.0, 11.0, 10.0, 9.0] {
            style = font(size);
            lines = groups
                .iter()
                .map(|g| wrap(area, &g.label, &style, per_group))
                .collect::<Vec<Vec<String>>>();
            let fits = lines
                .iter()
                .flatten()
                .all(|l| text_size(area, l, &style).0 <= per_group);
            if fits {
                break;
            }
        }
        let line_h = text_size(area, "Xg", &style).1;
        Labels {
            style,
            lines,
            line_h,
        }
    }

    /// The height in pixels the labels take under the axis (at least one line's).
    pub(super) fn height(&self) -> i32 {
        let rows = self.lines.iter().map(Vec::len).max().unwrap_or(1).max(1) as i32;
        rows * (self.line_h + LINE_GAP)
    }

    /// Draws the labels on `root`, each centred under its group just below the x axis.
    pub(super) fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        cc: &ChartContext<'_, DB, Cartesian>,
        yl: &Layout,
    ) -> Result<DB> {
        for (i, lines) in self.lines.iter().enumerate() {
            let (px, py) = cc.backend_coord(&(i as f64, yl.lo));
            for (k, line) in lines.iter().enumerate() {
                root.draw(&Text::new(
                    line.clone(),
                    (px, py + 10 + k as i32 * (self.line_h + LINE_GAP)),
                    self.style.pos(Pos::new(HPos::Center, VPos::Top)),
                ))?;
            }
        }
        Ok(())
    }
}

/// Draws each group's items side by side around the group's x (its index): bars or
/// points, whiskers, and, given a `note` style, each item's note above it (written
/// `upright` where it would not fit across its slot).
pub(super) fn draw<DB: DrawingBackend>(
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
                    cc.draw_series(std::iter::once(point_marker!((cx, y), shape, item.colour)))?;
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
pub(super) fn slot_width(groups: &[Group]) -> f64 {
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
