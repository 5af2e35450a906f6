//! The rule most decision rows share: the fastest candidate wins, unless others are tied
//! with it (their intervals overlap), and then the one of those that costs less memory.

/// One option a row compares.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate<T> {
    /// What the candidate stands for (a cell, a probe) and the numbers shown for it.
    pub item: T,
    /// What the rule compares: lower is better (seconds, a median).
    pub time: f64,
    /// The interval of `time` over the repetitions (the cell's 95% interval for the median,
    /// or min..max for a probe; in the CPU experiment's row, the interval of the candidate's
    /// wall over the fastest's, scaled onto the fastest's time, the fastest's a point): two
    /// candidates whose intervals overlap are a tie.
    pub interval: (f64, f64),
    /// The tie-break: lower is better (bytes); None when not measured.
    pub memory: Option<f64>,
}

/// Whether two intervals overlap (the measurements cannot tell the two apart).
pub fn overlap(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// Candidates and the one the rule picked.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked<T> {
    /// Every candidate, in the order the row lists them.
    pub candidates: Vec<Candidate<T>>,
    /// Index of the pick in `candidates`.
    pub pick: usize,
    /// The candidates tied with the fastest on time (the fastest among them, the pick too
    /// when the tie decided it): memory decided between these.
    pub tied: Vec<usize>,
}

impl<T> Ranked<T> {
    /// Ranks `candidates` by [`pick`]; None without candidates.
    pub fn new(candidates: Vec<Candidate<T>>) -> Option<Ranked<T>> {
        let (pick, tied) = pick(&candidates)?;
        Some(Ranked {
            candidates,
            pick,
            tied,
        })
    }

    /// The picked candidate.
    pub fn picked(&self) -> &Candidate<T> {
        &self.candidates[self.pick]
    }

    /// The candidates the pick was tied with on time, besides itself.
    pub fn tied_with_pick(&self) -> impl Iterator<Item = &Candidate<T>> {
        self.tied
            .iter()
            .filter(move |&&i| i != self.pick)
            .map(|&i| &self.candidates[i])
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

/// The fastest candidate (lowest median); if others are tied with it (their intervals
/// overlap the fastest's), the one of them with the least memory (candidates without a
/// memory figure lose that tie-break to those with one), then the faster. Returns the pick
/// and every candidate tied with the fastest, itself included.
pub fn pick<T>(candidates: &[Candidate<T>]) -> Option<(usize, Vec<usize>)> {
    let fastest =
        (0..candidates.len()).min_by(|&a, &b| candidates[a].time.total_cmp(&candidates[b].time))?;
    let tied: Vec<usize> = (0..candidates.len())
        .filter(|&i| overlap(candidates[i].interval, candidates[fastest].interval))
        .collect();
    let mem = |c: &Candidate<T>| c.memory.unwrap_or(f64::INFINITY);
    let pick = tied
        .iter()
        .copied()
        .min_by(|&a, &b| {
            let (a, b) = (&candidates[a], &candidates[b]);
            mem(a).total_cmp(&mem(b)).then(a.time.total_cmp(&b.time))
        })
        .unwrap_or(fastest);
    Some((pick, tied))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(
        name: &'static str,
        time: f64,
        spread: f64,
        memory: Option<f64>,
    ) -> Candidate<&'static str> {
        Candidate {
            item: name,
            time,
            interval: (time - spread, time + spread),
            memory,
        }
    }

    #[test]
    fn overlapping_intervals_are_a_tie_and_memory_decides() {
        let c = [
            cand("a", 1.0, 0.1, Some(100.0)),
            cand("b", 1.15, 0.1, Some(10.0)),
        ];
        assert_eq!(
            pick(&c),
            Some((1, vec![0, 1])),
            "b's interval reaches a's: a tie"
        );
        let c = [
            cand("a", 1.0, 0.05, Some(100.0)),
            cand("b", 1.15, 0.05, Some(10.0)),
        ];
        assert_eq!(pick(&c), Some((0, vec![0])), "apart: the faster wins");
        let c = [cand("a", 1.0, 0.1, None), cand("b", 1.05, 0.1, None)];
        assert_eq!(pick(&c).unwrap().0, 0, "tied, no memory: the faster");
        let c = [cand("a", 1.0, 0.1, None), cand("b", 1.05, 0.1, Some(1e9))];
        assert_eq!(
            pick(&c).unwrap().0,
            1,
            "a measured memory beats an unknown one"
        );
        // A wide interval alone does not win: the tie is with the fastest's interval.
        let c = [
            cand("a", 1.0, 0.01, Some(100.0)),
            cand("b", 3.0, 0.5, Some(1.0)),
        ];
        assert_eq!(pick(&c), Some((0, vec![0])));
        assert_eq!(pick::<&str>(&[]), None);
    }

    #[test]
    fn ranked_lists_the_pick_first_and_its_ties() {
        let r = Ranked::new(vec![
            cand("a", 1.0, 0.1, Some(100.0)),
            cand("b", 1.05, 0.1, Some(10.0)),
            cand("c", 2.0, 0.1, None),
        ])
        .unwrap();
        let order: Vec<&str> = r.pick_first().map(|c| c.item).collect();
        assert_eq!(order, ["b", "a", "c"]);
        let tied: Vec<&str> = r.tied_with_pick().map(|c| c.item).collect();
        assert_eq!(tied, ["a"]);
        assert!(Ranked::<&str>::new(Vec::new()).is_none());
    }
}
