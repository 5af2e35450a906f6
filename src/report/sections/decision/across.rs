//! The decision table across machines: one row per workload, one column per results
//! folder with that folder's own pick (its rule applied to its own numbers), so a row whose
//! pick changes with the hardware shows it.

use crate::analysis::decide;
use crate::report::md::MdTable;
use crate::report::sections::Folder;

use super::{name, not_measured, written};

/// The table, with a line saying what it holds.
pub(super) fn table(machines: &[Folder]) -> String {
    let decisions: Vec<_> = machines.iter().map(|f| decide(f.loaded)).collect();
    let names: Vec<String> = machines
        .iter()
        .map(|f| {
            if f.loaded.summary.complete {
                f.name.clone()
            } else {
                format!("{} (interrupted run)", f.name)
            }
        })
        .collect();
    let mut head = vec!["workload"];
    head.extend(names.iter().map(String::as_str));
    head.push("rule");
    let mut table = MdTable::new(&head);
    let first = &decisions[0];
    for (i, row) in first.rows.iter().enumerate() {
        // The work the first folder's row compared, as its own table names it.
        let workload = match &row.body {
            Ok(body) => written(body).0,
            Err(_) => name(row.kind).to_string(),
        };
        let mut cells = vec![workload];
        for d in &decisions {
            let pick = match d.rows.get(i) {
                Some(r) => match &r.body {
                    Ok(body) => written(body).1,
                    Err(why) => format!("not measured: {}", not_measured(r.kind, why)),
                },
                None => "not measured".to_string(),
            };
            cells.push(pick);
        }
        cells.push(row.rule.to_string());
        table.row(&cells);
    }
    let cores: Vec<String> = machines
        .iter()
        .map(|f| format!("{} {} cores", f.name, f.loaded.summary.machine.cores))
        .collect();
    let mut out = format!(
        "Each column is one results folder's own pick, by the rule in its row applied to that \
         folder's numbers ({}); the numbers behind each pick are in the folder's own report \
         (`rtbench report <folder>`). A pick that differs between columns depends on the \
         machine or the run.\n\n",
        cores.join(", ")
    );
    out.push_str(&table.finish());
    out
}
