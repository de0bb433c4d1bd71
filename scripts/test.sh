#!/usr/bin/env bash
# Runs every test of the monorepo on a fresh machine that has only Node:
# installs what the tests need, starts private services on free ports, builds, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
. scripts/lib/services.sh
. scripts/lib/dockerd.sh
bash scripts/ensure-debs.sh
ensure_pnpm
pnpm install --frozen-lockfile --reporter=append-only >/dev/null
start_services
trap 'docker_stop; stop_services' EXIT
export M2MSEC_TEST_REPORT="$SERVICES_DIR/report"; mkdir -p "$M2MSEC_TEST_REPORT"
# Build first: the test type-check in lint reads the declarations that other packages' builds emit.
pnpm run build --output-logs=errors-only
pnpm run lint >/dev/null || { pnpm run lint | tail -30; echo 'lint failed (pnpm lint)'; exit 1; }
# Docker scenarios (issue 18): a private dockerd (firewall untouched) and images built here; skipped, and said so, when Docker cannot run.
docker_prepare_scenarios "$M2MSEC_TEST_REPORT"
set +e
pnpm run test "$@"
rc=$?
set -e
node scripts/test-summary.mjs "$M2MSEC_TEST_REPORT" || rc=1
exit $rc
