#!/usr/bin/env bash
# Installs the Debian packages the tests use as real peers and services, when missing.
set -euo pipefail
pkgs=(
  openssl curl gnutls-bin          # independent TLS / PSK / EST peers
  mosquitto                        # MQTT broker (TS-0010 tests)
  postgresql                       # store contract tests, shared-state deployments
  haproxy                          # load balancer in front of IN-CSE replicas (test-e2e scale-out)
  nats-server                      # the clustered MQTT broker (JetStream + MQTT) of test-e2e/test/docker/broker
  pg-auto-failover-cli postgresql-15-auto-failover  # PostgreSQL primary + synchronous standby (test-e2e pg-failover)
  softhsm2 opensc                  # PKCS#11 secure environment
  libosmocore-utils                # osmo-auc-gen: Milenage / GBA cross-checks
  pskctool                         # PSKC (RFC 6030) validation
  libxml2-utils                    # xmllint: DSKPP messages against their schema
  docker.io docker-compose         # the docker scenarios (a private dockerd, scripts/lib/dockerd.sh) and compose files
  python3                          # an independent TLS stack (ssl module) for EST's tls-unique check
  python3-jwcrypto                 # an independent JOSE implementation for the ESData interop tests
  libssl-dev libcoap3-bin          # DTLS addon headers (packages/dtls); libcoap's coap-client/-server (TS-0008)
  chromium                         # the console's browser tests (playwright-core, never a downloaded browser)
)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}" >&2
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
