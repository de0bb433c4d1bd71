# Sourced by scripts/test.sh: private service instances on free ports, stopped on exit.
SERVICES_DIR=""
start_postgres() {
  if [ -n "${M2MSEC_PG_URL:-}" ]; then echo "using PostgreSQL at M2MSEC_PG_URL" >&2; return; fi
  local bindir port dir as=()
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  port=$(free_port)
  dir="$SERVICES_DIR/pg"
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; as=(runuser -u postgres --); fi
  # Run from the data's own folder: the postgres user may not enter the caller's working directory.
  (cd "$dir" && "${as[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U postgres >/dev/null)
  (cd "$dir" && "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null)
  export M2MSEC_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  PG_STOP=(env -C "$dir" "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop)
  echo "private PostgreSQL on 127.0.0.1:$port" >&2
}
start_services() {
  SERVICES_DIR=$(mktemp -d /tmp/m2msec-services.XXXXXX)
  chmod 755 "$SERVICES_DIR"
  start_postgres
}
stop_services() {
  [ -n "${PG_STOP:-}" ] && "${PG_STOP[@]}" >/dev/null 2>&1 || true
  [ -n "$SERVICES_DIR" ] && rm -rf "$SERVICES_DIR"
}
