#!/usr/bin/env bash
# Type-checks tests and benches (issue 11 item 7): every package or app with a tsconfig.test.json is
# compiled with its src, test and bench directories, without emitting (the build's tsconfig.json covers
# src only). `pnpm lint` runs it. A package joins by adding tsconfig.test.json once its tests type-check.
# The top-level suites (test-e2e, test-conformance, fuzz) have their own tsconfig.test.json: their build
# type-checks test/ too, but turbo's build inputs are src/** only, so a cached build would miss a test change.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tsc="$root/node_modules/.bin/tsc"
# Tests import other workspace packages through their built declarations (dist/*.d.ts): on a fresh clone
# build first (turbo makes this a no-op when nothing changed), or every such import is an error.
if [ ! -f "$root/packages/protocol/dist/index.d.ts" ] || [ ! -f "$root/apps/in-cse/dist/main.d.ts" ]; then
  echo "typecheck-tests: building first (the tests read the packages' built declarations)" >&2
  (cd "$root" && pnpm run build --output-logs=errors-only >&2)
fi
failed=0
checked=0
for config in "$root"/packages/*/tsconfig.test.json "$root"/apps/*/tsconfig.test.json "$root"/*/tsconfig.test.json; do
  [ -f "$config" ] || continue
  dir=$(dirname "$config")
  checked=$((checked + 1))
  if ! (cd "$dir" && "$tsc" -p tsconfig.test.json); then
    echo "type errors in the tests of ${dir#"$root"/}" >&2
    failed=1
  fi
done
echo "tests and benches type-checked in $checked packages"
exit $failed
