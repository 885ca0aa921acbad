#!/usr/bin/env bash
# Runs every test level, after bringing the machine up to date (idempotent):
#   1. native tests of the pure core and the native tools (cargo test, every crate but the app)
#   2. browser tests of components and storage (wasm-bindgen-test in headless Chromium)
#   3. end-to-end tests of the release build served on 127.0.0.1 (playwright-core + Chromium);
#      e2e/tests/bureau.test.mjs also runs the bureau's tool (target/debug/liangshan-bureau and
#      the ignored test crates/bureau/tests/e2e_register.rs, both built by level 1) on the files
#      the app wrote
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. scripts/env.sh

echo "== 1/3 native: the core and the native tools (every crate but the app)"
cargo test --offline --workspace --exclude liangshan-survey

echo "== 2/3 browser: components and storage (headless Chromium)"
cargo test --offline -p liangshan-survey --target wasm32-unknown-unknown

echo "== 3/3 end to end: release build in headless Chromium"
trunk build --release
scripts/size.sh dist
(cd e2e && npm test)
