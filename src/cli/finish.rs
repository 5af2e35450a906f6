//! What a command that wrote a results folder does last: the folder's charts and its
//! `index.html`; and, at the end of a bare `rtbench` (`cargo run --release`), the answer:
//! this machine's decision table, the claims' verdict lines and where the page is.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::report::charts;
use crate::report::export::write_verdicts;
use crate::report::html;
use crate::report::sections::decision_picks;
use crate::results::{self, Loaded};

/// The folder as written, or a note saying why it cannot be read back.
pub fn reload(dir: &Path) -> Option<Loaded> {
    results::load(dir)
        .map_err(|e| eprintln!("note: no {} written: {e}", html::INDEX))
        .ok()
}

/// Draws the folder's charts and writes its index.html; a failure is a note, never the
/// run's failure (the results are already written). The page's path, if written.
pub fn page(dir: &Path, loaded: &Loaded) -> Option<PathBuf> {
    if let Err(e) = charts::write_charts(loaded, dir, false) {
        eprintln!("note: charts not drawn: {e}");
    }
    html::write_folder_index(dir, loaded)
        .map_err(|e| eprintln!("note: {e}"))
        .ok()
}

/// The end of a bare run: the decision table's picks, the verdicts, the page.
pub fn answer(out: &mut dyn Write, loaded: &Loaded, page: Option<&Path>) -> io::Result<()> {
    writeln!(
        out,
        "\nwhat this machine says (the rules and numbers behind each pick are in the page):"
    )?;
    let picks = decision_picks(loaded);
    let w = picks.iter().map(|(w, _)| w.len()).max().unwrap_or(0);
    for (workload, pick) in &picks {
        writeln!(out, "  {workload:<w$}  {}", pick.replace("**", ""))?;
    }
    if let Some(c) = &loaded.claims {
        writeln!(out)?;
        write_verdicts(out, &c.claims)?;
    }
    match page {
        Some(p) => writeln!(out, "\nopen {} in a browser for everything", p.display()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tests::fixture;

    #[test]
    fn the_answer_is_the_decision_rows_the_verdicts_and_the_page() {
        let loaded = fixture();
        let mut out = Vec::new();
        answer(&mut out, &loaded, Some(Path::new("results/x/index.html"))).unwrap();
        let text = String::from_utf8(out).unwrap();
        let picks = decision_picks(&loaded);
        assert_eq!(picks.len(), crate::analysis::FAMILIES.len());
        for (workload, _) in &picks {
            assert!(text.contains(workload.as_str()), "{workload} in {text}");
        }
        assert!(!text.contains("**"), "markdown bold left in: {text}");
        let claims = loaded.claims.as_ref().unwrap().claims.len();
        assert_eq!(text.lines().filter(|l| l.starts_with('C')).count(), claims);
        assert!(
            text.trim_end()
                .ends_with("open results/x/index.html in a browser for everything")
        );
    }
}
