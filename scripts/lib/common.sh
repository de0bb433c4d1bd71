# Sourced by scripts/*.sh: pnpm and native-build settings for a machine that has only Node.
PNPM_VERSION=10.34.8
if [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi  # node-gyp: use local headers, never download
export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1
# Corepack's pnpm shim tries to download the pinned pnpm and, failing its signature check on this registry,
# prints a stack trace: never let it answer. A pnpm that npm put in ~/.local/bin comes first.
export COREPACK_ENABLE_STRICT=0 COREPACK_ENABLE_DOWNLOAD_PROMPT=0 COREPACK_ENABLE_AUTO_PIN=0
case ":$PATH:" in *":$HOME/.local/bin:"*) ;; *) [ -d "$HOME/.local/bin" ] && export PATH="$HOME/.local/bin:$PATH" ;; esac
pnpm_version() { pnpm --version 2>/dev/null | tail -n 1; }
ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm_version)" = "$PNPM_VERSION" ]; then return; fi
  echo "installing pnpm $PNPM_VERSION with npm" >&2
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1 ||
    npm install -g --prefix "$HOME/.local" "pnpm@$PNPM_VERSION" >/dev/null 2>&1 || {
    echo "could not install pnpm $PNPM_VERSION with npm (is the npm registry reachable?)" >&2
    return 1
  }
  export PATH="$HOME/.local/bin:$PATH"
  hash -r
  [ "$(pnpm_version)" = "$PNPM_VERSION" ] || { echo "pnpm on PATH is not $PNPM_VERSION: $(command -v pnpm)" >&2; return 1; }
}
# Runs "$@" with its output in a log file; on failure prints the log's end and where the whole log is.
run_logged() {
  local what=$1 log=$2
  shift 2
  if ! "$@" >"$log" 2>&1; then
    echo "$what failed; the last lines of $log:" >&2
    tail -n 40 "$log" >&2
    return 1
  fi
}
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
# Installs only when the lockfile or a manifest changed since the last successful install.
install_when_changed() {
  local stamp=node_modules/.m2msec-install-stamp
  if [ ! -f "$stamp" ] || [ -n "$(find pnpm-lock.yaml package.json pnpm-workspace.yaml packages/*/package.json \
    apps/*/package.json examples/*/package.json test-e2e/package.json -newer "$stamp" 2>/dev/null | head -n 1)" ]; then
    echo "installing dependencies (log: .data/logs/install.log)" >&2
    run_logged 'pnpm install' .data/logs/install.log pnpm install --frozen-lockfile --reporter=append-only
    touch "$stamp"
  else
    echo "dependencies up to date: install skipped" >&2
  fi
}
# Builds the IN-CSE and what it depends on only when a source, manifest or tsconfig changed since the last
# successful build (turbo would also skip the work, but only after starting up and hashing every package).
build_when_changed() {
  local stamp=apps/in-cse/dist/.m2msec-build-stamp
  if [ ! -f "$stamp" ] || [ -n "$(find packages/*/src apps/*/src packages/*/package.json apps/*/package.json \
    packages/*/tsconfig.json apps/*/tsconfig.json tsconfig.base.json pnpm-lock.yaml -newer "$stamp" 2>/dev/null | head -n 1)" ]; then
    echo "building the IN-CSE (log: .data/logs/build.log)" >&2
    local started=.data/logs/.build-started
    touch "$started" # a file edited during the build is newer than the stamp: built again next time
    run_logged 'build' .data/logs/build.log pnpm run build --output-logs=errors-only --filter @m2msec/in-cse...
    mv "$started" "$stamp"
  else
    echo "build up to date: build skipped" >&2
  fi
}
