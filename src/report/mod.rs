//! Reporting: reads finished records only, never runs work.

pub mod charts;
pub mod markdown;
mod table;

pub use table::{
    bytes, seconds, write_claims_table, write_memory_table, write_spawn_table, write_table,
    write_timer_table, write_verdicts,
};

/// Numbers written with thousands separators: 1000000 -> "1,000,000".
pub(crate) fn thousands(n: usize) -> String {
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

/// The value met most often; ties go to the one met first.
pub(crate) fn most_common<K: PartialEq>(keys: impl IntoIterator<Item = K>) -> Option<K> {
    let mut counts: Vec<(K, usize)> = Vec::new();
    for k in keys {
        match counts.iter_mut().find(|(c, _)| *c == k) {
            Some((_, n)) => *n += 1,
            None => counts.push((k, 1)),
        }
    }
    let best = counts.iter().map(|c| c.1).max()?;
    counts.into_iter().find(|c| c.1 == best).map(|c| c.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_have_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(256), "256");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn most_common_takes_the_first_of_equals() {
        assert_eq!(most_common([1, 2, 2, 1, 3]), Some(1));
        assert_eq!(most_common([3, 2, 2]), Some(2));
        assert_eq!(most_common(Vec::<u8>::new()), None);
    }
}
