//! Units and how numbers are written: seconds, bytes, counts and ratios. A leaf: it imports
//! nothing of the crate, so every layer (progress lines, claims' figures, tables, charts,
//! BENCHMARK.md) writes a number the same way.

/// 3 significant figures with a unit that fits: `12.3ms`, `1.23s`, `456us`, `80ns`.
pub fn seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2}s")
    } else if s >= 1e-3 {
        format!("{:.1}ms", s * 1e3)
    } else if s >= 1e-5 {
        format!("{:.0}us", s * 1e6)
    } else {
        format!("{:.0}ns", s * 1e9)
    }
}

/// `455 B`, `9.5 KiB`, `2.0 MiB`; `-` for a figure that was not measured.
pub fn bytes(b: Option<f64>) -> String {
    match b {
        None => "-".into(),
        Some(b) if b.abs() >= MIB => format!("{:.1} MiB", b / MIB),
        Some(b) if b.abs() >= KIB => format!("{:.1} KiB", b / KIB),
        // A figure around 0 that may fall either side (a task's kernel memory) is `0 B`,
        // not `-0 B`.
        Some(b) => format!("{:.0} B", if b.abs() < 0.5 { 0.0 } else { b }),
    }
}

/// Bytes in a kibibyte.
pub const KIB: f64 = 1024.0;
/// Bytes in a mebibyte.
pub const MIB: f64 = 1024.0 * 1024.0;
/// Bytes in a gibibyte.
pub const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Whole numbers with thousands separators: 1000000 -> `1,000,000`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A ratio to two decimals: `1.94x`.
pub fn ratio(x: f64) -> String {
    format!("{x:.2}x")
}

/// A ratio to three decimals, where which side of 1 its interval lies on matters (a paired
/// ratio near 1): `0.996x`.
pub fn ratio_fine(x: f64) -> String {
    format!("{x:.3}x")
}

/// A count measured as a float (a median of counts), rounded: `40`.
pub fn count(x: f64) -> String {
    format!("{x:.0}")
}

/// A rate, rounded: `473/s`.
pub fn per_second(x: f64) -> String {
    format!("{x:.0}/s")
}

/// Binary gibibytes to one decimal, for a machine's memory: `23.4 GiB`.
pub fn gib(b: u64) -> String {
    format!("{:.1} GiB", b as f64 / GIB)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_pick_a_unit_that_fits() {
        assert_eq!(seconds(1.234), "1.23s");
        assert_eq!(seconds(0.0406), "40.6ms");
        assert_eq!(seconds(456e-6), "456us");
        assert_eq!(seconds(80e-9), "80ns");
    }

    #[test]
    fn bytes_in_binary_units() {
        assert_eq!(bytes(None), "-");
        assert_eq!(bytes(Some(455.0)), "455 B");
        assert_eq!(bytes(Some(-0.3)), "0 B");
        assert_eq!(bytes(Some(-53.0)), "-53 B");
        assert_eq!(bytes(Some(9.5 * KIB)), "9.5 KiB");
        assert_eq!(bytes(Some(2.0 * MIB)), "2.0 MiB");
        assert_eq!(gib(24 * (1 << 30)), "24.0 GiB");
    }

    #[test]
    fn thousands_have_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn ratios_counts_and_rates() {
        assert_eq!(ratio(1.944), "1.94x");
        assert_eq!(ratio_fine(0.9996), "1.000x");
        assert_eq!(ratio_fine(0.9954), "0.995x");
        assert_eq!(count(39.6), "40");
        assert_eq!(per_second(472.6), "473/s");
    }
}
