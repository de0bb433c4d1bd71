#!/usr/bin/env bash
# A local topology in one command (also `pnpm dev:topology`): installs and builds like scripts/start.sh,
# then scripts/topology/main.mjs makes a development PKI and starts the IN-CSE, MN-CSE, MEF, MAF and an AE
# on loopback in the secure profile, prints the URLs and what to try next. Options: --help.
# Ctrl-C stops everything and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
case " $* " in *" --help "* | *" -h "*) exec node scripts/topology/main.mjs --help ;; esac
mkdir -p .data/logs
ensure_pnpm
install_when_changed
echo "building the topology's programs (log: .data/logs/build.log)" >&2
run_logged 'build' .data/logs/build.log pnpm run build --output-logs=errors-only --filter @m2msec/in-cse... \
  --filter @m2msec/mn-cse... --filter @m2msec/ae... --filter @m2msec/mef-app... --filter @m2msec/maf-app...
# node directly, not through pnpm: the runner gets the signals itself and Ctrl-C exits 0 without pnpm's noise.
exec node scripts/topology/main.mjs "$@"
