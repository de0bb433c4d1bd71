#!/usr/bin/env bash
# Runs every test of the monorepo on a fresh machine that has only Node:
# installs what the tests need, starts private services on free ports, builds, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
. scripts/lib/services.sh
bash scripts/ensure-debs.sh
ensure_pnpm
pnpm install --frozen-lockfile --reporter=append-only >/dev/null
start_services
trap stop_services EXIT
export M2MSEC_TEST_REPORT="$SERVICES_DIR/report"; mkdir -p "$M2MSEC_TEST_REPORT"
pnpm run lint >/dev/null || { pnpm run lint | tail -30; echo 'lint failed (pnpm lint)'; exit 1; }
pnpm run build --output-logs=errors-only
set +e
pnpm run test "$@"
rc=$?
set -e
node scripts/test-summary.mjs "$M2MSEC_TEST_REPORT" || rc=1
exit $rc
