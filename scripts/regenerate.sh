#!/usr/bin/env bash
# Regenerates BENCHMARK.md from a fresh measurement on this machine:
#   1. builds rtbench in release mode;
#   2. runs the full profile (cells, probes, memory pass) into results/<YYYY-MM-DD>-<host>;
#   3. checks the notes' claims into the same folder;
#   4. draws the charts (SVG and PNG) and rewrites BENCHMARK.md's generated sections.
# The folder name is computed as rtbench computes its default: the UTC date, and the host
# name lowercased with every run of other characters than [a-z0-9] as one '-', no '-' at
# the ends, at most 40 characters ("host" if nothing is left).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { printf 'regenerate: %s\n' "$*" >&2; }

date_utc="$(date -u +%F)"
host="$(uname -n | LC_ALL=C tr '[:upper:]' '[:lower:]' \
    | LC_ALL=C sed -E 's/[^a-z0-9]+/-/g; s/^-+//' | cut -c1-40 | sed -E 's/-+$//')"
host="${host:-host}"
out="results/${date_utc}-${host}"
bin="target/release/rtbench"

say "building rtbench (release)"
cargo build --release --quiet

if ! "$bin" report --help >/dev/null 2>&1; then
    say "this rtbench has no 'report' command yet; cannot draw charts or update BENCHMARK.md"
    exit 2
fi

say "measuring the full profile into $out"
"$bin" run --profile full --out "$out"

say "checking the claims into $out (with the CPython column when python3 is here)"
"$bin" claims --python --out "$out"

say "drawing charts and updating BENCHMARK.md from $out"
"$bin" report "$out" --png --update-benchmark

say "done: $out/ (summary.json, raw.csv, claims.json, charts/) and BENCHMARK.md"
say "review with: git diff BENCHMARK.md"
