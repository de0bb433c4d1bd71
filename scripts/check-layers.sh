#!/usr/bin/env bash
# DESIGN.md's layering, checked on the packages under the current directory (the repository root in `pnpm lint`).
# The rules are in .dependency-cruiser.cjs at the repository root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
exec "$root/node_modules/.bin/depcruise" --config "$root/.dependency-cruiser.cjs" --output-type err packages
