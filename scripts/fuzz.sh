#!/usr/bin/env bash
# The long fuzzing campaign of the parsers that take outside input (import file, compact
# stored form, expressions, survey CSV): crates/survey-core/tests/fuzz.rs with many cases
# per target, in release mode. Prints, per target, the inputs run, the time and the peak
# memory; a failure prints the (shrunk) input that broke it.
#
#   scripts/fuzz.sh [CASES_PER_TARGET]     (default 250000: 1 million inputs in all)
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-250000}"
export LSK_FUZZ_CASES="$cases"
start=$(date +%s)
cargo test --offline --release -p survey-core --test fuzz -- --nocapture --test-threads=1 2>&1 | grep --line-buffered -oE 'fuzz [^:]+: .*|test result.*|panicked.*|FAILED.*|error.*'
echo "fuzz: $((cases * 4)) generated inputs (4 targets × $cases) in $(( $(date +%s) - start )) s"
