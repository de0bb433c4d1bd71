#!/usr/bin/env bash
# Sets up and starts the reference IN-CSE with embedded defaults (no external services):
# HTTP on 127.0.0.1:8080, CSE-ID /id-in, CSEBase cse-in, data in ./.data/in-cse.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
ensure_pnpm
pnpm install --frozen-lockfile --reporter=append-only >/dev/null
pnpm run build --output-logs=errors-only --filter @m2msec/in-cse...
exec pnpm start
