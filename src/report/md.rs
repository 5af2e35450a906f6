//! The one markdown table builder: a header, a separator, and rows whose cells are escaped
//! so no text from a results file can break the table.

/// A markdown table being built.
#[derive(Debug, Clone)]
pub struct MdTable {
    out: String,
}

impl MdTable {
    /// A table with these column headers.
    pub fn new(header: &[&str]) -> MdTable {
        let mut t = MdTable { out: String::new() };
        t.row(header);
        t.out.push('|');
        for _ in header {
            t.out.push_str("---|");
        }
        t.out.push('\n');
        t
    }

    /// Adds a row, one text per column.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        self.out.push('|');
        for c in cells {
            self.out.push(' ');
            self.out.push_str(&cell(c.as_ref()));
            self.out.push_str(" |");
        }
        self.out.push('\n');
    }

    /// The table's text, ending with a line break.
    pub fn finish(self) -> String {
        self.out
    }
}

/// Text for one table cell: no line breaks, `|` escaped.
pub fn cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}

/// Text from a results file for a line of markdown: line breaks (`\n`, `\r`) become
/// spaces, so no string in a record can start a line of its own, such as a marker that
/// would end its section early.
pub fn inline(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_escaped_and_rows_end_with_a_bar() {
        let mut t = MdTable::new(&["a", "b"]);
        t.row(&["x|y", "two\nlines"]);
        t.row(&["", "-"]);
        assert_eq!(
            t.finish(),
            "| a | b |\n|---|---|\n| x\\|y | two lines |\n|  | - |\n"
        );
    }
}
