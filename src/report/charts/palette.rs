//! Colours and names shared by every chart: one colour per runtime (by its position in
//! [`REGISTRY`](crate::runtime::REGISTRY)), greys for the kinds of concurrency limit, and
//! the labels the tables use.

use plotters::style::RGBColor;

/// d3's category10, grey first for `sequential` (the baseline); runtime `i` of the
/// registry gets `RUNTIME_COLOURS[i]`. Names not in the registry (results of another build)
/// take the colours after the registry's, in the order they are met.
const RUNTIME_COLOURS: [RGBColor; 11] = [
    RGBColor(0x55, 0x55, 0x55), // sequential
    RGBColor(0x1f, 0x77, 0xb4), // tokio
    RGBColor(0x17, 0xbe, 0xcf), // tokio-current-thread
    RGBColor(0x2c, 0xa0, 0x2c), // smol
    RGBColor(0xbc, 0xbd, 0x22), // async-std
    RGBColor(0xd6, 0x27, 0x28), // threads
    RGBColor(0xff, 0x7f, 0x0e), // crossbeam-pool
    RGBColor(0x94, 0x67, 0xbd), // rayon
    RGBColor(0x8c, 0x56, 0x4b), // processes
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
];

/// The runtimes' colours and order for one chart.
#[derive(Debug, Clone)]
pub struct Runtimes {
    registry: Vec<&'static str>,
    unknown: Vec<String>,
}

impl Runtimes {
    /// Knows the registry; `seen` are every runtime name the results hold, so a name this
    /// build does not know still gets a stable colour within the results.
    pub fn new<'a>(seen: impl IntoIterator<Item = &'a str>) -> Runtimes {
        let registry = crate::runtime::names();
        let mut unknown: Vec<String> = Vec::new();
        for name in seen {
            if !registry.contains(&name) && !unknown.iter().any(|u| u == name) {
                unknown.push(name.to_string());
            }
        }
        Runtimes { registry, unknown }
    }

    /// Position for sorting: registry order, then unknown names in the order met.
    pub fn rank(&self, name: &str) -> usize {
        self.registry
            .iter()
            .position(|r| *r == name)
            .or_else(|| {
                self.unknown
                    .iter()
                    .position(|u| u == name)
                    .map(|i| self.registry.len() + i)
            })
            .unwrap_or(usize::MAX)
    }

    pub fn colour(&self, name: &str) -> RGBColor {
        let rank = self.rank(name);
        if rank == usize::MAX {
            return RGBColor(0, 0, 0);
        }
        RUNTIME_COLOURS[rank % RUNTIME_COLOURS.len()]
    }

    /// `names` sorted by rank, without duplicates.
    pub fn sorted<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        let mut v: Vec<&str> = names.into_iter().collect();
        v.sort_by_key(|n| (self.rank(n), n.to_string()));
        v.dedup();
        v
    }
}

/// The kinds of concurrency limit, in the order they are shown.
pub const LIMIT_KINDS: [&str; 4] = ["semaphore", "batches", "pool", "adaptive"];

/// Greys (darkest first) so a limit kind is never mistaken for a runtime.
pub fn limit_colour(kind: &str) -> RGBColor {
    match kind {
        "semaphore" => RGBColor(0x33, 0x33, 0x33),
        "batches" => RGBColor(0x8c, 0x8c, 0x8c),
        "pool" => RGBColor(0xc8, 0xc8, 0xc8),
        _ => RGBColor(0xff, 0xff, 0xff),
    }
}

/// Black, for reference lines (ideal, 100%).
pub const REFERENCE: RGBColor = RGBColor(0, 0, 0);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtimes_take_their_registry_colour_and_unknown_names_the_next() {
        let rts = Runtimes::new(["tokio", "mystery", "sequential"]);
        assert_eq!(rts.colour("sequential"), RUNTIME_COLOURS[0]);
        assert_eq!(rts.colour("tokio"), RUNTIME_COLOURS[1]);
        let n = crate::runtime::names().len();
        assert_eq!(rts.rank("mystery"), n);
        assert_eq!(
            rts.colour("mystery"),
            RUNTIME_COLOURS[n % RUNTIME_COLOURS.len()]
        );
        assert_eq!(
            rts.sorted(["mystery", "tokio", "sequential", "tokio"]),
            ["sequential", "tokio", "mystery"]
        );
    }
}
