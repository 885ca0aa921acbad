#!/usr/bin/env bash
# Brings this machine up to what the kit needs, idempotently: installs only what is missing
# or at the wrong version, and never downloads from GitHub (crates.io, npm, Debian only).
#   scripts/setup.sh            everything (build + test tools, Chromium)
#   scripts/setup.sh --build    only what building and serving the app needs
set -euo pipefail
cd "$(dirname "$0")/.."
want_browser=1
[ "${1:-}" = "--build" ] && want_browser=0

say() { printf '[setup] %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# 1. Rust target for the browser.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. Crates for offline builds (Trunk passes --offline to cargo).
cargo fetch --quiet

# 3. Trunk 0.21.x (0.22 needs a newer rustc than this machine has).
if ! trunk --version 2>/dev/null | grep -qE '^trunk 0\.21\.'; then
  say "installing Trunk 0.21 (compiles for ~11 minutes)"
  cargo install trunk --version '^0.21' --locked
fi

# 4. wasm-bindgen CLI at exactly the version in Cargo.lock (without --locked: see README).
wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$wbg" ] || { echo "[setup] no wasm-bindgen in Cargo.lock" >&2; exit 1; }
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wbg"; then
  say "installing wasm-bindgen-cli $wbg (compiles for ~4 minutes)"
  cargo install wasm-bindgen-cli --version "$wbg" --force
fi

# 5. Node packages: wasm-opt (binaryen) and playwright-core for the end-to-end tests.
if [ ! -x e2e/node_modules/.bin/wasm-opt ] || ! cmp -s e2e/package-lock.json e2e/node_modules/.package-lock.json.copy; then
  say "installing node packages in e2e/ (binaryen, playwright-core)"
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
  cp e2e/package-lock.json e2e/node_modules/.package-lock.json.copy
fi

# 6. Debian's Chromium and chromedriver (never a downloaded browser), and a CJK font so the
#    end-to-end screenshots show Chinese as tablets do (the Yi font ships with the app).
if [ "$want_browser" = 1 ] && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
    || [ ! -d /usr/share/fonts/opentype/noto ] || ! ls /usr/share/fonts/opentype/noto | grep -q CJK; }; then
  say "installing Debian's chromium, chromium-driver and fonts-noto-cjk"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null
fi

# 7. pyxform, ODK's XLSForm converter (PyPI), pinned: crates/forms/tests/pyxform.rs checks
#    that every shipped form converts with it, and e2e/tests/forms.test.mjs edits a workbook
#    with its dependency openpyxl, as an author does in Excel (test tools: not with --build).
pyxform=4.5.0
if [ "$want_browser" = 1 ] && [ "$(python3 -c 'import pyxform; print(pyxform.__version__)' 2>/dev/null)" != "$pyxform" ]; then
  say "installing pyxform $pyxform (PyPI)"
  python3 -m pip install --user --quiet --disable-pip-version-check "pyxform==$pyxform"
fi

say "ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(e2e/node_modules/.bin/wasm-opt --version | awk '{print $3}')$([ "$want_browser" = 1 ] && echo ", $(chromium --version)")$([ "$want_browser" = 1 ] && echo ", pyxform $pyxform")"
