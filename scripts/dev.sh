#!/usr/bin/env bash
# Runs the kit locally at http://127.0.0.1:8080 with live reload (sets the machine up first).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --build
. scripts/env.sh
exec trunk serve --address 127.0.0.1 --port "${PORT:-8080}"
