#!/usr/bin/env bash
# Sets up and starts the reference IN-CSE with embedded defaults (no external services):
# HTTP on 127.0.0.1:8080, CSE-ID /id-in, CSEBase cse-in, data in ./.data/in-cse.
# Install and build output goes to .data/logs; on failure its end is printed. Ctrl-C stops the CSE.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
mkdir -p .data/logs
ensure_pnpm
install_when_changed
echo "building the IN-CSE (log: .data/logs/build.log)" >&2
run_logged 'build' .data/logs/build.log pnpm run build --output-logs=errors-only --filter @m2msec/in-cse...
# node directly, not `pnpm start`: the CSE gets the signals itself and Ctrl-C exits 0 without pnpm's noise.
exec node apps/in-cse/dist/main.js
