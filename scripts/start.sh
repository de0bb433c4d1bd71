#!/usr/bin/env bash
# Sets up and starts the reference IN-CSE with embedded defaults (no external services):
# HTTP on 127.0.0.1:8080, CSE-ID /id-in, CSEBase cse-in, data in ./.data/in-cse.
# Install and build output goes to .data/logs; on failure its end is printed. When no manifest, source or
# tsconfig changed since the last successful run, install and build are skipped and the CSE starts at once.
# Ctrl-C stops the CSE and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
mkdir -p .data/logs
ensure_pnpm
install_when_changed
build_when_changed
# node directly, not `pnpm start`: the CSE gets the signals itself and Ctrl-C exits 0 without pnpm's noise.
exec node apps/in-cse/dist/main.js
