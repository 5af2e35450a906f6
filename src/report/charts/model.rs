//! What a chart shows, apart from how it is drawn: the chart families build these from the
//! loaded results, and `render` draws them on any plotters backend (SVG, PNG). Keeping the
//! two apart makes every family a pure function of the data, testable without pixels.

use plotters::style::RGBColor;

/// One chart file: a header, one or more panels in a grid, and one legend for them all.
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    /// What was measured, in a line or two (selection, latency, machine).
    pub subtitle: String,
    pub panels: Vec<Panel>,
    /// Panels per row.
    pub columns: usize,
    pub legend: Vec<LegendEntry>,
    /// Pixels (SVG user units).
    pub size: (u32, u32),
}

/// The height of a chart with `rows` rows of panels: a single row fits the usual 650
/// pixels, more rows get 400 each below the header.
pub fn height(rows: usize) -> u32 {
    if rows <= 1 {
        650
    } else {
        120 + 400 * rows as u32
    }
}

#[derive(Debug, Clone)]
pub struct Panel {
    /// Shown above the panel; empty for a chart of one panel.
    pub title: String,
    /// For [`Body::Groups`] only the label is used: the groups are the x axis.
    pub x: Axis,
    pub y: Axis,
    pub body: Body,
    /// Horizontal reference lines (value, label), e.g. efficiency 100%.
    pub references: Vec<(f64, String)>,
}

#[derive(Debug, Clone)]
pub enum Body {
    /// Lines with a marker at each point, over a numeric x axis.
    Lines(Vec<Series>),
    /// Categories along x; each holds the same slots side by side (a missing value leaves
    /// its slot empty so slots line up across groups).
    Groups(Vec<Group>),
}

#[derive(Debug, Clone)]
pub struct Series {
    pub points: Vec<(f64, f64)>,
    pub colour: RGBColor,
    pub dashed: bool,
    pub markers: bool,
    /// Drawn thin and pale, under the others: one of several runs of the same thing (a
    /// model's other sweeps) beside the one that stands for them.
    pub faint: bool,
    /// Points drawn again with a larger square marker, e.g. a server's knee.
    pub highlights: Vec<(f64, f64)>,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub label: String,
    pub slots: Vec<Option<Item>>,
    /// Missing items leave no gap: the present ones are centred on the group.
    pub packed: bool,
}

#[derive(Debug, Clone)]
pub struct Item {
    pub value: f64,
    pub colour: RGBColor,
    pub mark: Mark,
    /// A whisker from min to max, drawn through the item.
    pub range: Option<(f64, f64)>,
    /// Written above the bar or point (its value, a count).
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Bar(Fill),
    Point(Shape),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// The colour itself.
    Solid,
    /// The colour half faded: a second figure beside the main one.
    Mid,
    /// The colour faded, with a solid outline: a secondary figure beside the main one.
    Light,
    /// The colour darkened: a part of the main figure shown beside it.
    Dark,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Circle,
    Triangle,
    Square,
}

#[derive(Debug, Clone)]
pub struct Axis {
    /// With its unit, e.g. "wall time (ms)"; tick labels carry the unit too.
    pub label: String,
    pub log: bool,
    pub unit: Unit,
    /// Forced ends (in data units); otherwise taken from the data.
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Axis {
    pub fn linear(label: impl Into<String>, unit: Unit) -> Axis {
        Axis {
            label: label.into(),
            log: false,
            unit,
            min: None,
            max: None,
        }
    }

    pub fn log(label: impl Into<String>, unit: Unit) -> Axis {
        Axis {
            log: true,
            ..Axis::linear(label, unit)
        }
    }

    pub fn from(mut self, min: f64) -> Axis {
        self.min = Some(min);
        self
    }

    pub fn to(mut self, max: f64) -> Axis {
        self.max = Some(max);
        self
    }
}

/// How tick labels are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// ns, µs, ms, s.
    Seconds,
    /// B, KiB, MiB, GiB (log axes tick at powers of two).
    Bytes,
    /// 100, 1k, 10k, 1M.
    Count,
    /// A ratio written as 1.5x.
    Ratio,
    /// A ratio written as 80%.
    Percent,
    /// Whole numbers only (worker counts).
    Integer,
}

#[derive(Debug, Clone)]
pub struct LegendEntry {
    pub label: String,
    pub colour: RGBColor,
    pub key: Key,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Line {
        dashed: bool,
    },
    /// A line with a circle marker, as [`Body::Lines`] draws a series.
    LineMarker,
    Bar(Fill),
    Point(Shape),
}

impl LegendEntry {
    pub fn new(label: impl Into<String>, colour: RGBColor, key: Key) -> LegendEntry {
        LegendEntry {
            label: label.into(),
            colour,
            key,
        }
    }
}

impl Panel {
    /// Every value the panel plots on y (items, their whiskers, series points, references).
    pub fn y_values(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self.references.iter().map(|r| r.0).collect();
        match &self.body {
            Body::Lines(series) => {
                v.extend(series.iter().flat_map(|s| s.points.iter().map(|p| p.1)))
            }
            Body::Groups(groups) => {
                for item in groups.iter().flat_map(|g| g.slots.iter().flatten()) {
                    v.push(item.value);
                    if let Some((lo, hi)) = item.range {
                        v.extend([lo, hi]);
                    }
                }
            }
        }
        v
    }

    /// The bars and points of a [`Body::Groups`] panel.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        let groups: &[Group] = match &self.body {
            Body::Groups(groups) => groups,
            Body::Lines(_) => &[],
        };
        groups.iter().flat_map(|g| g.slots.iter().flatten())
    }

    /// Whether any item is a bar (a log axis must then start well below the smallest).
    pub fn has_bars(&self) -> bool {
        self.items().any(|i| matches!(i.mark, Mark::Bar(_)))
    }

    /// Whether the panel is groups of points only.
    pub fn points_only(&self) -> bool {
        matches!(self.body, Body::Groups(_))
            && self.items().all(|i| matches!(i.mark, Mark::Point(_)))
    }

    /// Every value the panel plots on x (lines only).
    pub fn x_values(&self) -> Vec<f64> {
        match &self.body {
            Body::Lines(series) => series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.0))
                .collect(),
            Body::Groups(_) => Vec::new(),
        }
    }
}
