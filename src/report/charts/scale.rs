//! Axis layout: the plotted range and the labelled ticks of one axis. A log axis is plotted
//! as log10 of the data on a linear coordinate, so every chart uses the same coordinate
//! type and ticks sit exactly where this module puts them (decades, or 1-2-5 steps when the
//! data spans few decades; powers of two for bytes).

use super::model::{Axis, Unit};

/// One axis, ready to draw. Positions are in plot coordinates: the value itself on a
/// linear axis, its log10 on a log axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<(f64, String)>,
    /// Unlabelled grid lines between ticks.
    pub minor: Vec<f64>,
    pub log: bool,
}

impl Layout {
    /// A data value in plot coordinates (a non-positive value on a log axis lands on the
    /// bottom edge).
    pub fn pos(&self, value: f64) -> f64 {
        if self.log {
            if value > 0.0 { value.log10() } else { self.lo }
        } else {
            value
        }
    }

    /// Where bars start: zero on a linear axis that holds it, else the bottom edge.
    pub fn base(&self) -> f64 {
        if !self.log && self.lo <= 0.0 && self.hi >= 0.0 {
            0.0
        } else {
            self.lo
        }
    }

    /// The label of the tick nearest `pos`, for plotters' label formatter.
    pub fn label(&self, pos: f64) -> String {
        self.ticks
            .iter()
            .min_by(|a, b| (a.0 - pos).abs().total_cmp(&(b.0 - pos).abs()))
            .map(|t| t.1.clone())
            .unwrap_or_default()
    }

    pub fn tick_positions(&self) -> Vec<f64> {
        self.ticks.iter().map(|t| t.0).collect()
    }
}

/// How an axis is fitted around its values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Bars grow from the bottom edge: on a log axis the smallest must still show.
    pub bars: bool,
    /// Extra room above the largest value, as a fraction of the span (for notes).
    pub headroom: f64,
}

/// Lays out `axis` around `values` (non-finite values, and non-positive ones on a log axis,
/// are ignored); None if nothing is left to plot.
pub fn layout(axis: &Axis, values: &[f64], fit: Fit) -> Option<Layout> {
    let mut vals: Vec<f64> = values
        .iter()
        .copied()
        .filter(|v| v.is_finite() && (!axis.log || *v > 0.0))
        .collect();
    if vals.is_empty() {
        return None;
    }
    vals.extend(axis.min.filter(|m| !axis.log || *m > 0.0));
    vals.extend(axis.max.filter(|m| !axis.log || *m > 0.0));
    let dmin = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let dmax = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some(if axis.log {
        log_layout(axis, dmin, dmax, fit)
    } else {
        linear_layout(axis, dmin, dmax, fit)
    })
}

fn linear_layout(axis: &Axis, dmin: f64, dmax: f64, fit: Fit) -> Layout {
    let (mut lo, mut hi) = (dmin, dmax);
    if hi - lo < f64::EPSILON * hi.abs().max(1.0) {
        let w = if hi == 0.0 { 1.0 } else { hi.abs() * 0.1 };
        lo -= w;
        hi += w;
    }
    let span = hi - lo;
    if axis.min.is_none() {
        lo -= if fit.bars { 0.0 } else { 0.04 * span };
    }
    if axis.max.is_none() {
        hi += span * (fit.headroom + if fit.bars { 0.0 } else { 0.04 });
    }
    let (factor, _) = linear_unit(axis.unit, lo.abs().max(hi.abs()));
    let mut step = nice_step((hi - lo) * factor / 6.0) / factor;
    if axis.unit == Unit::Integer {
        step = step.max(1.0).round();
    }
    if axis.min.is_none() {
        lo = (lo / step).floor() * step;
    }
    if axis.max.is_none() {
        hi = (hi / step).ceil() * step;
    }
    let (factor, suffix) = linear_unit(axis.unit, lo.abs().max(hi.abs()));
    let decimals = decimals_for(step * factor);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    let ticks = (first..=last)
        .map(|k| {
            let v = k as f64 * step;
            let shown = v * factor;
            if shown.abs() < 1e-12 {
                (v, format!("0{suffix}"))
            } else {
                (v, format!("{shown:.decimals$}{suffix}"))
            }
        })
        .collect();
    Layout {
        lo,
        hi,
        ticks,
        minor: Vec::new(),
        log: false,
    }
}

/// 1, 2, 2.5 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag)
}

/// Decimals that show a step of this size (0.25 -> 2, 0.5 -> 1, 2 -> 0).
fn decimals_for(step: f64) -> usize {
    (0..4)
        .find(|&d| {
            let scaled = step * 10f64.powi(d);
            (scaled - scaled.round()).abs() < 1e-6
        })
        .unwrap_or(4) as usize
}

/// One display unit for a whole linear axis, by its largest magnitude: (factor, suffix).
fn linear_unit(unit: Unit, max: f64) -> (f64, &'static str) {
    match unit {
        Unit::Seconds if max >= 1.0 => (1.0, " s"),
        Unit::Seconds if max >= 1e-3 => (1e3, " ms"),
        Unit::Seconds if max >= 1e-6 => (1e6, " µs"),
        Unit::Seconds => (1e9, " ns"),
        Unit::Bytes if max >= GIB => (1.0 / GIB, " GiB"),
        Unit::Bytes if max >= MIB => (1.0 / MIB, " MiB"),
        Unit::Bytes if max >= KIB => (1.0 / KIB, " KiB"),
        Unit::Bytes => (1.0, " B"),
        Unit::Count if max >= 1e7 => (1e-6, "M"),
        Unit::Count if max >= 1e4 => (1e-3, "k"),
        Unit::Count | Unit::Integer => (1.0, ""),
        Unit::Ratio => (1.0, "x"),
        Unit::Percent => (100.0, "%"),
    }
}

const KIB: f64 = 1024.0;
const MIB: f64 = 1024.0 * 1024.0;
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

fn log_layout(axis: &Axis, dmin: f64, dmax: f64, fit: Fit) -> Layout {
    // Bars need their smallest value well above the bottom edge to show as a bar.
    let dmin = if fit.bars && axis.min.is_none() {
        dmin / 3.0
    } else {
        dmin
    };
    let (ends, major, minor) = if axis.unit == Unit::Bytes {
        binary_ticks(dmin, dmax)
    } else {
        decimal_ticks(dmin, dmax)
    };
    let mut lo = ends.0.log10();
    let mut hi = ends.1.log10();
    if let Some(m) = axis.min {
        lo = m.log10();
    }
    if let Some(m) = axis.max {
        hi = m.log10();
    }
    let span = (hi - lo).max(1e-9);
    if axis.max.is_none() {
        hi += span * (fit.headroom + if fit.bars { 0.0 } else { 0.04 });
    }
    if axis.min.is_none() && !fit.bars {
        lo -= span * 0.04;
    }
    let inside = |v: &f64| {
        let p = v.log10();
        p >= lo - 1e-9 && p <= hi + 1e-9
    };
    Layout {
        lo,
        hi,
        ticks: major
            .iter()
            .filter(|v| inside(v))
            .map(|&v| (v.log10(), compact(v, axis.unit)))
            .collect(),
        minor: minor
            .iter()
            .filter(|v| inside(v))
            .map(|v| v.log10())
            .collect(),
        log: true,
    }
}

/// The axis ends, major and minor ticks for powers of ten: every decade when the data
/// spans more than three, else 1-2-5 steps.
fn decimal_ticks(dmin: f64, dmax: f64) -> ((f64, f64), Vec<f64>, Vec<f64>) {
    let lo_d = dmin.log10().floor() as i32;
    let mut hi_d = dmax.log10().ceil() as i32;
    if hi_d <= lo_d {
        hi_d = lo_d + 1;
    }
    let mut major = Vec::new();
    let mut minor = Vec::new();
    if hi_d - lo_d > 3 {
        // Labels at decades; the ends at the nearest 1-2-5 value outside the data, so the
        // axis does not run a whole empty decade past it.
        let every = if hi_d - lo_d > 9 { 2 } else { 1 };
        let lo = [5.0, 2.0, 1.0]
            .map(|m| m * 10f64.powi(lo_d))
            .into_iter()
            .find(|c| *c <= dmin * (1.0 + 1e-9))
            .unwrap_or(10f64.powi(lo_d));
        let hi = [1.0, 2.0, 5.0, 10.0]
            .map(|m| m * 10f64.powi(hi_d - 1))
            .into_iter()
            .find(|c| *c >= dmax * (1.0 - 1e-9))
            .unwrap_or(10f64.powi(hi_d));
        for d in lo_d..=hi_d {
            let p = 10f64.powi(d);
            if (d - lo_d) % every == 0 && p >= lo && p <= hi {
                major.push(p);
            }
            minor.extend((2..10).map(|m| m as f64 * p).filter(|m| *m > lo && *m < hi));
        }
        // An end that is not a decade is labelled only if it is not crowding one.
        for end in [lo, hi] {
            if !major.contains(&end) && major.iter().all(|m| (m.log10() - end.log10()).abs() >= 0.5)
            {
                major.push(end);
            }
        }
        major.sort_by(f64::total_cmp);
        ((lo, hi), major, minor)
    } else {
        let candidates: Vec<f64> = (lo_d..=hi_d)
            .flat_map(|d| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(d)))
            .collect();
        let lo = candidates
            .iter()
            .copied()
            .filter(|c| *c <= dmin * (1.0 + 1e-9))
            .fold(candidates[0], f64::max);
        let hi = candidates
            .iter()
            .copied()
            .find(|c| *c >= dmax * (1.0 - 1e-9) && *c > lo * (1.0 + 1e-9))
            .unwrap_or(10f64.powi(hi_d));
        major = candidates
            .into_iter()
            .filter(|c| *c >= lo * (1.0 - 1e-9) && *c <= hi * (1.0 + 1e-9))
            .collect();
        for d in lo_d..hi_d {
            minor.extend([3.0, 4.0, 6.0, 7.0, 8.0, 9.0].map(|m| m * 10f64.powi(d)));
        }
        ((lo, hi), major, minor)
    }
}

/// The axis ends, major and minor ticks at powers of two, every `s`-th one, at most nine
/// majors.
fn binary_ticks(dmin: f64, dmax: f64) -> ((f64, f64), Vec<f64>, Vec<f64>) {
    let (emin, emax) = (dmin.log2(), dmax.log2());
    for s in [1, 2, 3, 5, 10, 20] {
        let lo = (emin / s as f64).floor() as i32 * s;
        let mut hi = (emax / s as f64).ceil() as i32 * s;
        if hi <= lo {
            hi = lo + s;
        }
        if (hi - lo) / s < 9 || s == 20 {
            let major = (lo..=hi)
                .step_by(s as usize)
                .map(|e| 2f64.powi(e))
                .collect();
            let minor = (lo..=hi)
                .filter(|e| (e - lo) % s != 0)
                .map(|e| 2f64.powi(e))
                .collect();
            return ((2f64.powi(lo), 2f64.powi(hi)), major, minor);
        }
    }
    unreachable!("s == 20 always returns")
}

/// A single value with the unit that suits it, to three significant figures, trailing
/// zeros dropped: 20 ms, 712 ms, 1.5 KiB, 10k, 2x. Used for log-axis ticks, where every
/// tick picks its own unit, and for the notes above bars.
pub fn compact(v: f64, unit: Unit) -> String {
    let (factor, suffix) = match unit {
        Unit::Count if v.abs() >= 1e6 => (1e-6, "M"),
        Unit::Count if v.abs() >= 1e3 => (1e-3, "k"),
        _ => linear_unit(unit, v.abs()),
    };
    let shown = v * factor;
    let digits = if shown == 0.0 {
        0
    } else {
        (2 - shown.abs().log10().floor() as i32).clamp(0, 3) as usize
    };
    let mut text = format!("{shown:.digits$}");
    if text.contains('.') {
        text = text.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    format!("{text}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(l: &Layout) -> Vec<&str> {
        l.ticks.iter().map(|t| t.1.as_str()).collect()
    }

    const LINES: Fit = Fit {
        bars: false,
        headroom: 0.0,
    };
    const BARS: Fit = Fit {
        bars: true,
        headroom: 0.0,
    };

    #[test]
    fn log_decades_and_one_two_five_steps() {
        let axis = Axis::log("tasks", Unit::Count);
        let l = layout(&axis, &[100.0, 1000.0, 10_000.0, 100_000.0, 1e6], LINES).unwrap();
        assert_eq!(labels(&l), ["100", "1k", "10k", "100k", "1M"]);
        // 98.7 .. 588k: the axis starts at 50, unlabelled beside 100.
        let l = layout(&axis, &[98.7, 588_693.0], LINES).unwrap();
        assert_eq!(labels(&l), ["100", "1k", "10k", "100k", "1M"]);
        assert!(l.lo < 50f64.log10() + 0.01 && l.lo > 1.0, "{l:?}");
        assert_eq!(compact(712.17e-3, Unit::Seconds), "712 ms");
        assert_eq!(compact(123.99e-6, Unit::Seconds), "124 µs");
        assert_eq!(compact(3.9321, Unit::Seconds), "3.93 s");
        assert_eq!(compact(2000.0, Unit::Count), "2k");
        assert!(l.lo < 2.0 && l.hi > 6.0, "padded: {l:?}");
        let l = layout(&axis, &[100.0, 10_000.0], LINES).unwrap();
        assert_eq!(labels(&l), ["100", "200", "500", "1k", "2k", "5k", "10k"]);
        let secs = Axis::log("latency", Unit::Seconds);
        let l = layout(&secs, &[0.011, 0.82], LINES).unwrap();
        assert_eq!(
            labels(&l),
            [
                "10 ms", "20 ms", "50 ms", "100 ms", "200 ms", "500 ms", "1 s"
            ]
        );
        // Bars: the smallest value still rises above the bottom edge.
        let l = layout(&secs, &[0.01, 0.02], BARS).unwrap();
        assert!(l.lo < 0.01f64.log10(), "{l:?}");
        // One value: the axis still spans something around it.
        let l = layout(&axis, &[100.0], LINES).unwrap();
        assert_eq!(labels(&l), ["100", "200"]);
        let l = layout(&Axis::log("b", Unit::Bytes), &[1024.0], LINES).unwrap();
        assert!(l.hi > l.lo + 0.1, "{l:?}");
    }

    #[test]
    fn log_bytes_tick_at_powers_of_two() {
        let axis = Axis::log("per unit", Unit::Bytes);
        let l = layout(&axis, &[423.0, 7_172_582.0], LINES).unwrap();
        assert_eq!(
            labels(&l),
            [
                "256 B", "1 KiB", "4 KiB", "16 KiB", "64 KiB", "256 KiB", "1 MiB", "4 MiB",
                "16 MiB"
            ]
        );
    }

    #[test]
    fn linear_axes_share_one_unit() {
        let axis = Axis::linear("overshoot", Unit::Seconds).from(0.0);
        let l = layout(&axis, &[0.000112, 0.00142], BARS).unwrap();
        assert_eq!(
            labels(&l),
            [
                "0 ms", "0.25 ms", "0.50 ms", "0.75 ms", "1.00 ms", "1.25 ms", "1.50 ms"
            ]
        );
        assert_eq!(l.base(), 0.0);
        let pct = Axis::linear("efficiency", Unit::Percent).from(0.0).to(1.1);
        let l = layout(&pct, &[0.4, 0.9], LINES).unwrap();
        assert_eq!(labels(&l)[..3], ["0%", "20%", "40%"]);
        assert_eq!(l.hi, 1.1);
        let workers = Axis::linear("workers", Unit::Integer).from(0.5).to(2.5);
        let l = layout(&workers, &[1.0, 2.0], LINES).unwrap();
        assert_eq!(labels(&l), ["1", "2"]);
        assert_eq!((l.lo, l.hi), (0.5, 2.5));
    }

    #[test]
    fn nothing_to_plot() {
        let axis = Axis::log("x", Unit::Count);
        assert_eq!(layout(&axis, &[0.0, -1.0, f64::NAN], LINES), None);
        assert_eq!(compact(1536.0, Unit::Bytes), "1.5 KiB");
        assert_eq!(compact(0.0005, Unit::Seconds), "500 µs");
        assert_eq!(compact(2.0, Unit::Ratio), "2x");
    }
}
