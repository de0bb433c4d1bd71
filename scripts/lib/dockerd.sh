# Sourced by scripts/*.sh: a private Docker engine for the docker scenarios (issue 18), started so that it
# leaves the machine's firewall and forwarding as it found them.
#   --iptables=false --ip-forward=false --ip-masq=false: dockerd otherwise sets the FORWARD policy to DROP
#     (which stops the network-namespace e2e suite) and turns on IP forwarding; containers talk over their own
#     compose bridges, which need neither.
#   --bridge=none: no docker0; every scenario network is a compose network.
# Images live in a persistent data root (M2MSEC_DOCKER_ROOT, default ~/.cache/m2msec/docker) so a warm run
# reuses the base and app images; the socket, pidfile and exec root are under a temp dir and go away with it.
# Sets DOCKER_HOST; docker_stop stops only the engine this started (by its pid).
M2MSEC_DOCKERD_PID=""
M2MSEC_DOCKERD_DIR=""
M2MSEC_FW_BEFORE=""
# IP forwarding and whether bridged traffic goes through iptables: neither may change.
docker_forwarding_state() {
  cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || true
}
docker_start() {
  M2MSEC_DOCKER_SKIP=""
  if ! command -v dockerd >/dev/null 2>&1; then M2MSEC_DOCKER_SKIP="dockerd is not installed (Debian package docker.io)"; return 1; fi
  if [ "$(id -u)" -ne 0 ]; then M2MSEC_DOCKER_SKIP="dockerd needs root here (no rootless set-up)"; return 1; fi
  local root=${M2MSEC_DOCKER_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/m2msec/docker}
  M2MSEC_DOCKERD_DIR=$(mktemp -d /tmp/m2msec-dockerd.XXXXXX)
  mkdir -p "$root"
  local fw_before; fw_before=$(iptables-save 2>/dev/null | grep -v '^#' || true)
  M2MSEC_FW_BEFORE=$fw_before
  iptables-save >"$M2MSEC_DOCKERD_DIR/iptables.before" 2>/dev/null || true
  local fwd_before; fwd_before=$(docker_forwarding_state)
  dockerd --data-root "$root" --exec-root "$M2MSEC_DOCKERD_DIR/exec" --pidfile "$M2MSEC_DOCKERD_DIR/dockerd.pid" \
    --host "unix://$M2MSEC_DOCKERD_DIR/docker.sock" --iptables=false --ip6tables=false --ip-forward=false \
    --ip-masq=false --bridge=none --userland-proxy=false \
    >"$M2MSEC_DOCKERD_DIR/dockerd.log" 2>&1 &
  M2MSEC_DOCKERD_PID=$!
  export DOCKER_HOST="unix://$M2MSEC_DOCKERD_DIR/docker.sock"
  local i
  for i in $(seq 1 150); do
    if docker version >/dev/null 2>&1; then break; fi
    if ! kill -0 "$M2MSEC_DOCKERD_PID" 2>/dev/null; then break; fi
    sleep 0.2
  done
  if ! docker version >/dev/null 2>&1; then
    M2MSEC_DOCKER_SKIP="dockerd did not start: $(tail -n 3 "$M2MSEC_DOCKERD_DIR/dockerd.log" | tr '\n' ' ')"
    docker_stop
    return 1
  fi
  # Checked, not assumed: a dockerd that touched the firewall or forwarding is stopped and the run says so.
  if [ "$(iptables-save 2>/dev/null | grep -v '^#' || true)" != "$fw_before" ] ||
    [ "$(docker_forwarding_state)" != "$fwd_before" ]; then
    M2MSEC_DOCKER_SKIP="dockerd changed the firewall or IP forwarding despite --iptables=false --ip-forward=false"
    docker_stop
    return 1
  fi
}
docker_stop() {
  if [ -n "$M2MSEC_DOCKERD_PID" ] && kill -0 "$M2MSEC_DOCKERD_PID" 2>/dev/null; then
    kill "$M2MSEC_DOCKERD_PID" 2>/dev/null || true
    local i
    for i in $(seq 1 100); do kill -0 "$M2MSEC_DOCKERD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$M2MSEC_DOCKERD_PID" 2>/dev/null || true
  fi
  M2MSEC_DOCKERD_PID=""
  # Whatever happened meanwhile, the firewall is left as it was found.
  if [ -n "$M2MSEC_DOCKERD_DIR" ] && [ -s "$M2MSEC_DOCKERD_DIR/iptables.before" ] &&
    [ "$(iptables-save 2>/dev/null | grep -v '^#' || true)" != "$M2MSEC_FW_BEFORE" ]; then
    echo "dockerd changed the firewall: restoring the rules saved before it started" >&2
    iptables-restore <"$M2MSEC_DOCKERD_DIR/iptables.before" || true
  fi
  [ -n "$M2MSEC_DOCKERD_DIR" ] && rm -rf "$M2MSEC_DOCKERD_DIR"
  M2MSEC_DOCKERD_DIR=""
}
# The docker scenarios of test-e2e (test/docker/*): a private engine and the images, then M2MSEC_DOCKER=1.
# When Docker cannot run here the reason goes to $1/docker-skipped.txt (scripts/test-summary.mjs prints it);
# an engine that runs but images that do not build is a failure ($1/docker-failed.txt), not a skip.
docker_prepare_scenarios() {
  local report=$1 t0
  t0=$(date +%s)
  if ! docker_start; then
    echo "$M2MSEC_DOCKER_SKIP" >"$report/docker-skipped.txt"
    return 0
  fi
  if ! run_logged 'building the docker images' "$M2MSEC_DOCKERD_DIR/images.log" bash infra/docker/scripts/build-images.sh; then
    echo "infra/docker/scripts/build-images.sh failed (see above)" >"$report/docker-failed.txt"
    return 0
  fi
  echo "docker engine and images ready in $(($(date +%s) - t0)) s: $(grep -c '(cached)' "$M2MSEC_DOCKERD_DIR/images.log") cached, $(grep -c -E '\((built|imported)\)' "$M2MSEC_DOCKERD_DIR/images.log") built" |
    tee "$report/docker-ready.txt" >&2
  export M2MSEC_DOCKER=1
}
