//! The coordinate a panel's axes use: linear, with exactly a [`Layout`]'s ticks.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;

use crate::report::charts::scale::Layout;

/// The coordinate system of a panel: a [`Coord`] on each axis.
pub(super) type Cartesian = Cartesian2d<Coord, Coord>;

/// A linear coordinate whose ticks are exactly a [`Layout`]'s (plotters' own f64
/// coordinate picks its ticks itself, and its key-point wrapper cannot take a formatter).
#[derive(Clone)]
pub(super) struct Coord {
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
