//! The rule most decision rows share: the fastest candidate wins, unless another within
//! [`MARGIN`] of it costs less memory.

/// Two candidates whose times are within this fraction of each other count as equally fast;
/// memory then decides.
pub const MARGIN: f64 = 0.10;

/// One option a row compares.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate<T> {
    /// What the candidate stands for (a cell, a probe) and the numbers shown for it.
    pub item: T,
    /// What the rule compares: lower is better (seconds).
    pub time: f64,
    /// The tie-break: lower is better (bytes); None when not measured.
    pub memory: Option<f64>,
}

/// Candidates and the one the rule picked.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked<T> {
    /// Every candidate, in the order the row lists them.
    pub candidates: Vec<Candidate<T>>,
    /// Index of the pick in `candidates`.
    pub pick: usize,
}

impl<T> Ranked<T> {
    /// Ranks `candidates` by [`pick`]; None without candidates.
    pub fn new(candidates: Vec<Candidate<T>>) -> Option<Ranked<T>> {
        let pick = pick(&candidates)?;
        Some(Ranked { candidates, pick })
    }

    /// The picked candidate.
    pub fn picked(&self) -> &Candidate<T> {
        &self.candidates[self.pick]
    }

    /// The pick first, then the others in their order.
    pub fn pick_first(&self) -> impl Iterator<Item = &Candidate<T>> {
        std::iter::once(self.picked()).chain(
            self.candidates
                .iter()
                .enumerate()
                .filter(move |(i, _)| *i != self.pick)
                .map(|(_, c)| c),
        )
    }
}

/// The fastest candidate; among those within [`MARGIN`] of it, the one with the least memory
/// (candidates without a memory figure lose that tie-break to those with one).
pub fn pick<T>(candidates: &[Candidate<T>]) -> Option<usize> {
    let best = candidates
        .iter()
        .map(|c| c.time)
        .fold(f64::INFINITY, f64::min);
    candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.time <= best * (1.0 + MARGIN))
        .min_by(|(_, a), (_, b)| {
            let mem = |c: &Candidate<T>| c.memory.unwrap_or(f64::INFINITY);
            mem(a).total_cmp(&mem(b)).then(a.time.total_cmp(&b.time))
        })
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(name: &'static str, time: f64, memory: Option<f64>) -> Candidate<&'static str> {
        Candidate {
            item: name,
            time,
            memory,
        }
    }

    #[test]
    fn pick_is_fastest_with_memory_breaking_ties_within_the_margin() {
        let c = [cand("a", 1.0, Some(100.0)), cand("b", 1.1, Some(10.0))];
        assert_eq!(pick(&c), Some(1), "b is within 10% and smaller");
        let c = [cand("a", 1.0, Some(100.0)), cand("b", 1.11, Some(10.0))];
        assert_eq!(pick(&c), Some(0), "b is more than 10% slower");
        let c = [cand("a", 1.0, None), cand("b", 1.05, None)];
        assert_eq!(pick(&c), Some(0), "no memory: the fastest");
        let c = [cand("a", 1.0, None), cand("b", 1.05, Some(1e9))];
        assert_eq!(pick(&c), Some(1), "a measured memory beats an unknown one");
        assert_eq!(pick::<&str>(&[]), None);
    }

    #[test]
    fn ranked_lists_the_pick_first() {
        let r = Ranked::new(vec![
            cand("a", 1.0, Some(100.0)),
            cand("b", 1.05, Some(10.0)),
            cand("c", 2.0, None),
        ])
        .unwrap();
        let order: Vec<&str> = r.pick_first().map(|c| c.item).collect();
        assert_eq!(order, ["b", "a", "c"]);
        assert!(Ranked::<&str>::new(Vec::new()).is_none());
    }
}
