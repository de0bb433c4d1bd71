#!/usr/bin/env bash
# Builds the m2msec images with no image registry (issue 18 item 1):
#   m2msec/base:<hash>     this machine's Node runtime and Debian's mosquitto with the shared libraries they and
#                          the native addons (better-sqlite3, pkcs11js; packages/dtls loads libssl3) need, found
#                          with ldd, imported with `docker import`. <hash>: of the binaries and libraries copied.
#   m2msec/<app>:<hash>    one per app (in-cse, mn-cse, ae, mef, maf, das): the base plus `pnpm deploy --prod` of
#                          the built app (dist/ and production node_modules/), user 10001. <hash>: of the base
#                          and the app's inputs (lockfile, every package.json and dist/, this script).
#   m2msec/mosquitto:<hash> the base running mosquitto as user 10001.
#   m2msec/postgres:<hash>, m2msec/haproxy:<hash>  Debian's PostgreSQL and HAProxy for topology (b), see step 3.
# Each is also tagged :latest. An image whose tag exists is not rebuilt, so a warm re-run takes seconds.
# Needs: a built monorepo (pnpm run build), docker reachable (DOCKER_HOST), pnpm, ldd.
# Usage: infra/docker/scripts/build-images.sh [app ...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
apps=("$@")
[ ${#apps[@]} -eq 0 ] && apps=(in-cse mn-cse ae mef maf das)
work=$(mktemp -d /tmp/m2msec-images.XXXXXX)
trap 'rm -rf "$work"' EXIT
export DOCKER_BUILDKIT=0 # the legacy builder: no buildx component needed; these Dockerfiles only COPY
have() { docker image inspect "$1" >/dev/null 2>&1; }
build() { # tag context
  docker build -q -t "$1" "$2" >/dev/null 2>"$work/build.err" || { cat "$work/build.err" >&2; exit 1; }
}

# 1. The base: what it holds is listed first, hashed, and only assembled when that hash has no image yet.
libs() { ldd "$1" 2>/dev/null | awk '/=> \//{print $3} /^[[:space:]]*\/lib/{print $1}'; }
{
  libs "$(command -v node)"
  libs /usr/sbin/mosquitto
  # Every native addon: node-gyp builds (build/Release) and prebuilt napi-rs packages (e.g. @node-rs/argon2's
  # argon2.linux-x64-gnu.node, which needs libgcc_s and librt).
  find -L "$repo/node_modules/.pnpm" -maxdepth 6 -name '*.node' 2>/dev/null |
    while read -r f; do libs "$f"; done
  # packages/dtls opens libssl3 at run time through its FFI, which ldd cannot see.
  echo /lib/x86_64-linux-gnu/libssl.so.3
  echo /lib/x86_64-linux-gnu/libcrypto.so.3
  echo /lib64/ld-linux-x86-64.so.2
} | grep -v '^$' | sort -u >"$work/libs.txt"
base_hash=$(
  {
    sha256sum "$(command -v node)" /usr/sbin/mosquitto "$0"
    xargs -a "$work/libs.txt" readlink -f | xargs sha256sum
    cat "$work/libs.txt"
  } | sha256sum | cut -c1-16
)
base=m2msec/base:$base_hash
if have "$base"; then
  echo "$base (cached)"
else
  root=$work/rootfs
  mkdir -p "$root"/{usr/bin,usr/sbin,etc,tmp,data,run/m2msec}
  chmod 1777 "$root/tmp"
  cp -L "$(command -v node)" "$root/usr/bin/node"
  cp -L /usr/sbin/mosquitto "$root/usr/sbin/mosquitto"
  while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done <"$work/libs.txt"
  # Users: root and m2msec (uid 10001), which every app and mosquitto run as.
  printf 'root:x:0:0:root:/root:/sbin/nologin\nm2msec:x:10001:10001:m2msec:/data:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nm2msec:x:10001:\n' >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  chown 10001:10001 "$root/data"
  chmod 0700 "$root/data"
  # Owners as they are (root, and 10001 for /data, which a named volume mounted there inherits).
  tar --sort=name --mtime=@0 --numeric-owner -C "$root" -cf - . |
    docker import --change 'ENV PATH=/usr/bin:/usr/sbin' - "$base" >/dev/null
  echo "$base (imported)"
fi

# 2. The apps' inputs: the lockfile, this script, every workspace package.json and dist/ (sorted, by content).
inputs_hash=$(
  cd "$repo"
  {
    sha256sum pnpm-lock.yaml "$0"
    find packages apps -maxdepth 2 -name package.json -not -path '*/node_modules/*' -print0 | sort -z | xargs -0 sha256sum
    find packages/*/dist apps/*/dist -type f -print0 2>/dev/null | sort -z | xargs -0 sha256sum
  } | sha256sum | cut -c1-16
)
for app in "${apps[@]}"; do
  [ -f "$repo/apps/$app/dist/main.js" ] || { echo "apps/$app is not built (pnpm run build)" >&2; exit 1; }
  tag=m2msec/$app:$(printf '%s %s %s' "$base" "$inputs_hash" "$app" | sha256sum | cut -c1-16)
  if have "$tag"; then
    echo "$tag (cached)"
  else
    ctx=$work/ctx-$app
    (cd "$repo" && pnpm --filter "./apps/$app" deploy --prod --legacy "$ctx/app" >"$work/deploy-$app.log" 2>&1) ||
      { tail -n 20 "$work/deploy-$app.log" >&2; exit 1; }
    # Sources, tests and local data stay out of the image: dist/ and node_modules/ are what runs.
    rm -rf "$ctx/app"/{src,test,bench,.data,tsconfig.json,vitest.config.ts}
    cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $base
COPY app /app
WORKDIR /app
USER 10001:10001
ENV NODE_ENV=production M2MSEC_DATA_DIR=/data HOME=/data
LABEL org.m2msec.app=$app org.m2msec.inputs=$inputs_hash
ENTRYPOINT ["/usr/bin/node"]
CMD ["dist/main.js"]
DOCKERFILE
    build "$tag" "$ctx"
    rm -rf "$ctx"
    echo "$tag (built)"
  fi
  docker tag "$tag" "m2msec/$app:latest"
done
tag=m2msec/mosquitto:$base_hash
if have "$tag"; then
  echo "$tag (cached)"
else
  mkdir -p "$work/ctx-mosquitto"
  printf 'FROM %s\nUSER 10001:10001\nENTRYPOINT ["/usr/sbin/mosquitto"]\nCMD ["-c", "/run/m2msec/mosquitto.conf"]\n' \
    "$base" >"$work/ctx-mosquitto/Dockerfile"
  build "$tag" "$work/ctx-mosquitto"
  echo "$tag (built)"
fi
docker tag "$tag" m2msec/mosquitto:latest

# 3. Topology (b)'s infrastructure, Debian's own programs each on a root of its own (no shell either):
#   m2msec/postgres:<hash>  PostgreSQL 15's server (its share/ and lib/ without the JIT), run as 10001 on a data
#                           directory the scenario makes with the host's initdb (initdb needs a shell, the image not);
#   m2msec/haproxy:<hash>   HAProxy, run as 10001 with the configuration mounted at /run/m2msec;
#   m2msec/nats:<hash>      NATS (JetStream, MQTT listener), run as 10001 with /run/m2msec/nats.conf.
# <hash>: of the files copied. Skipped (and said) when the Debian package is not installed here.
infra_image() { # name entrypoint-json paths...
  local name=$1 entry=$2
  shift 2
  local list=$work/infra-$name.txt
  {
    for p in "$@"; do
      if [ -d "$p" ]; then find "$p" -type f -not -name 'llvmjit*' -not -path '*/bitcode/*'; else echo "$p"; fi
      [ -f "$p" ] && [ -x "$p" ] && libs "$p"
    done
    echo /lib64/ld-linux-x86-64.so.2
  } | grep -v '^$' | sort -u >"$list"
  local hash
  hash=$({ xargs -a "$list" readlink -f | xargs sha256sum; cat "$list"; sha256sum "$0"; } | sha256sum | cut -c1-16)
  local tag=m2msec/$name:$hash
  if have "$tag"; then
    echo "$tag (cached)"
  else
    local root=$work/rootfs-$name
    mkdir -p "$root"/{etc,tmp,data,run/m2msec}
    chmod 1777 "$root/tmp"
    while read -r f; do
      mkdir -p "$root$(dirname "$f")"
      cp -L "$f" "$root$f"
    done <"$list"
    printf 'root:x:0:0:root:/root:/sbin/nologin\nm2msec:x:10001:10001:m2msec:/data:/sbin/nologin\n' >"$root/etc/passwd"
    printf 'root:x:0:\nm2msec:x:10001:\n' >"$root/etc/group"
    printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
    chown 10001:10001 "$root/data"
    tar --sort=name --mtime=@0 --numeric-owner -C "$root" -cf - . |
      docker import --change 'ENV PATH=/usr/bin:/usr/sbin' --change 'USER 10001:10001' \
        --change "ENTRYPOINT $entry" - "$tag" >/dev/null
    rm -rf "$root"
    echo "$tag (imported)"
  fi
  docker tag "$tag" "m2msec/$name:latest"
  infra_built+=("$name")
}
infra_built=()
pgbin=/usr/lib/postgresql/15/bin/postgres
if [ -x "$pgbin" ]; then
  infra_image postgres "[\"$pgbin\"]" "$pgbin" /usr/lib/postgresql/15/lib /usr/share/postgresql/15 \
    /usr/share/zoneinfo/Etc/UTC /usr/share/zoneinfo/UTC
else
  echo "m2msec/postgres skipped: $pgbin is not installed (Debian package postgresql-15)"
fi
if [ -x /usr/sbin/haproxy ]; then
  infra_image haproxy '["/usr/sbin/haproxy", "-db", "-f", "/run/m2msec/haproxy.cfg"]' /usr/sbin/haproxy
else
  echo "m2msec/haproxy skipped: /usr/sbin/haproxy is not installed (Debian package haproxy)"
fi
# The clustered MQTT broker of topology (b): NATS with JetStream and its MQTT listener (compose.broker.yaml).
if [ -x /usr/sbin/nats-server ]; then
  infra_image nats '["/usr/sbin/nats-server", "-c", "/run/m2msec/nats.conf"]' /usr/sbin/nats-server
else
  echo "m2msec/nats skipped: /usr/sbin/nats-server is not installed (Debian package nats-server)"
fi
# Older builds of these images (other hashes) would pile up in the engine's store: only the current ones stay.
for name in "${apps[@]}" mosquitto "${infra_built[@]}" base; do # base last: the others are built on it
  current=$(docker image inspect --format '{{.Id}}' "m2msec/$name:latest" 2>/dev/null || docker image inspect --format '{{.Id}}' "$base" 2>/dev/null)
  docker images --format '{{.Repository}}:{{.Tag}} {{.ID}}' "m2msec/$name" |
    while read -r ref id; do
      case "$current" in *"$id"*) continue ;; esac
      docker rmi "$ref" >/dev/null 2>&1 || true
    done
done
