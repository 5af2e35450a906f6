//! Pieces several chart families build alike: a runtime's bar or line in its colour with
//! its legend entry, and the dashed reference line (an ideal) beside them.

use plotters::style::RGBColor;

use crate::results::Loaded;

use super::model::{Fill, Item, Key, LegendEntry, Mark, Series, Unit};
use super::palette::{REFERENCE, Runtimes};
use super::scale::compact;
use super::select;

/// A solid bar of `seconds`, the value written above it.
pub fn seconds_bar(colour: RGBColor, seconds: f64, range: Option<(f64, f64)>) -> Item {
    Item {
        value: seconds,
        colour,
        mark: Mark::Bar(Fill::Solid),
        range,
        note: Some(compact(seconds, Unit::Seconds)),
    }
}

/// One legend entry per runtime of `names`: its label, in its colour.
pub fn runtime_legend(
    loaded: &Loaded,
    rts: &Runtimes,
    names: &[&str],
    key: Key,
) -> Vec<LegendEntry> {
    names
        .iter()
        .map(|n| LegendEntry::new(select::label(loaded, n), rts.colour(n), key))
        .collect()
}

/// The series of a line chart and their legend, one entry per series in the same order.
#[derive(Debug, Default)]
pub struct Lines {
    pub series: Vec<Series>,
    pub legend: Vec<LegendEntry>,
}

impl Lines {
    /// A runtime's line, a marker at each point, in its colour.
    pub fn runtime(
        &mut self,
        loaded: &Loaded,
        rts: &Runtimes,
        name: &str,
        points: Vec<(f64, f64)>,
    ) {
        self.series.push(Series {
            points,
            colour: rts.colour(name),
            dashed: false,
            markers: true,
            faint: false,
            highlights: Vec::new(),
        });
        self.legend.push(LegendEntry::new(
            select::label(loaded, name),
            rts.colour(name),
            Key::LineMarker,
        ));
    }

    /// The dashed reference line, e.g. the ideal.
    pub fn reference(&mut self, points: Vec<(f64, f64)>, label: &str) {
        self.series.push(Series {
            points,
            colour: REFERENCE,
            dashed: true,
            markers: false,
            faint: false,
            highlights: Vec::new(),
        });
        self.legend.push(LegendEntry::new(
            label,
            REFERENCE,
            Key::Line { dashed: true },
        ));
    }
}
