# Sourced by the scripts: puts the project's tools on PATH.
export PATH="$HOME/.cargo/bin:$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/e2e/node_modules/.bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
