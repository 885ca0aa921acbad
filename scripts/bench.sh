#!/usr/bin/env bash
# Performance benchmark of the release build (not a test: it prints each figure beside its
# budget and exits 0): first-visit bytes (gzip), time to the first typeable question and
# keystroke latency in a 20-member roster with the CPU throttled ×4, in headless Chromium
# against dist/ served on 127.0.0.1. See e2e/bench/perf.mjs.
#   scripts/bench.sh                      build (trunk build --release), then measure
#   scripts/bench.sh --no-build [--runs N] [--only 1,2,3] [--json FILE]   measure the build in dist/
set -euo pipefail
cd "$(dirname "$0")/.."
build=1
if [ "${1:-}" = "--no-build" ]; then build=0; shift; fi
scripts/setup.sh
. scripts/env.sh
if [ "$build" = 1 ]; then trunk build --release; fi
cd e2e
exec node bench/perf.mjs "$@"
