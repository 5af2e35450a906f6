//! Fields of JSON values, and JSON and CSV files, read or failing with the text at hand.

use std::fs;
use std::path::Path;

use serde_json::Value;

/// `v[key]`; panics naming the key and the value when it is missing.
pub fn field<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key)
        .unwrap_or_else(|| panic!("no field {key:?} in {v}"))
}

pub fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    field(v, key)
        .as_str()
        .unwrap_or_else(|| panic!("{key:?} is not a string in {v}"))
}

pub fn num(v: &Value, key: &str) -> f64 {
    field(v, key)
        .as_f64()
        .unwrap_or_else(|| panic!("{key:?} is not a number in {v}"))
}

pub fn whole(v: &Value, key: &str) -> u64 {
    field(v, key)
        .as_u64()
        .unwrap_or_else(|| panic!("{key:?} is not a whole number in {v}"))
}

pub fn array<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    field(v, key)
        .as_array()
        .unwrap_or_else(|| panic!("{key:?} is not an array in {v}"))
}

/// Parses `text` (stdout or a file named `what`), failing with the text.
pub fn parse_json(what: &str, text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{what} is not JSON ({e}):\n{text}"))
}

/// The cells a run printed with `--format json`: an array of objects.
pub fn json_cells(stdout: &str) -> Vec<Value> {
    let Value::Array(cells) = parse_json("stdout", stdout) else {
        panic!("JSON output is not an array:\n{stdout}");
    };
    for c in &cells {
        assert!(c.is_object(), "JSON cell is not an object: {c}");
    }
    cells
}

pub fn read_text(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

pub fn read_json(path: &Path) -> Value {
    parse_json(&path.display().to_string(), &read_text(path))
}

/// A CSV file as (header, rows).
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let text = read_text(path);
    let name = path.display();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r
        .headers()
        .unwrap_or_else(|e| panic!("{name} has no header ({e}):\n{text}"))
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{name} does not parse ({e}):\n{text}"));
    (header, rows)
}
