# Sourced by scripts/*.sh: pnpm and native-build settings for a machine that has only Node.
PNPM_VERSION=10.34.8
if [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi  # node-gyp: use local headers, never download
export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1
ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version)" = "$PNPM_VERSION" ]; then return; fi
  echo "installing pnpm $PNPM_VERSION" >&2
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1 || npm install -g --prefix "$HOME/.local" "pnpm@$PNPM_VERSION" >/dev/null
  export PATH="$HOME/.local/bin:$PATH"
}
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
