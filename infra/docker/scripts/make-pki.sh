#!/usr/bin/env bash
# Lab PKI and broker configuration for the compose scenario (run once, in the tools image):
# a P-256 CA constrained to m2msec.org, certificates with the TS-0003 10.1 SANs, a device PSK and
# the mosquitto configuration from infra/mosquitto. Keys stay in the /pki volume.
set -euo pipefail
PKI=${PKI:-/pki}
mkdir -p "$PKI"
cd "$PKI"
if [ -f done ]; then echo "PKI exists in $PKI"; exit 0; fi

openssl ecparam -name prime256v1 -genkey -noout -out ca.key
openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=m2msec lab CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign,digitalSignature \
  -addext "nameConstraints=critical,permitted;URI:m2msec.org,permitted;DNS:m2msec.org" -out ca.pem

issue() { # name cn eku san
  openssl ecparam -name prime256v1 -genkey -noout -out "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=%s\n' "$3" "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 -sha256 -extfile "$1.ext" -out "$1.pem"
  rm "$1.csr" "$1.ext"
}
issue in-cse id-in serverAuth DNS:id-in.m2msec.org
issue mn-cse id-mn clientAuth DNS:id-mn.id-in.m2msec.org
issue mn-mqtt id-mn clientAuth DNS:id-mn.id-in.m2msec.org      # CN = MQTT username
issue mn-mcc id-mn serverAuth DNS:id-mn.id-in.m2msec.org       # the MN-CSE's Mcc listener
issue in-client id-in clientAuth DNS:id-in.m2msec.org          # the IN-CSE forwarding down to it
issue broker broker.m2msec.org serverAuth DNS:broker.m2msec.org
issue ae2 Cae2 clientAuth URI:m2m://m2msec.org/id-in/Cae2
issue ae3 Cae3 clientAuth URI:m2m://m2msec.org/id-in/Cae3
# The operator's credential: security.administrators of config/in-cse.json names this SAN.
issue admin CAdmin clientAuth URI:m2m://m2msec.org/id-in/CAdmin
openssl rand -hex 32 > ae1.psk

cat > broker.json <<JSON
{
  "dir": "$PKI/mosquitto",
  "bindAddress": "0.0.0.0",
  "tls": { "port": 8883, "caFile": "$PKI/ca.pem", "certFile": "$PKI/broker.pem", "keyFile": "$PKI/broker.key" },
  "psk": { "port": 8884, "hint": "m2msec", "keys": [{ "identity": "12-ae1@m2msec.org", "keyHex": "$(cat ae1.psk)" }] },
  "cses": [{ "username": "id-mn", "cseId": "/id-mn" }],
  "clients": [{ "username": "12-ae1@m2msec.org", "ids": ["Cae1"] }],
  "runAsUser": "root"
}
JSON
(cd "${REPO:-/repo}" && pnpm exec tsx infra/mosquitto/write-config.ts "$PKI/broker.json")
# The apps run as uid 10001: their keys are theirs alone (0600; the IN-CSE and MN-CSE refuse to start on a
# key file that group or others can read, docs/hardening.md). mosquitto runs as root inside its own
# container and keeps its persistence in $PKI/mosquitto. The CA key stays root's.
chmod 644 ./*.pem
for k in ./*.key ae1.psk; do
  [ "$k" = ./ca.key ] && continue
  chown 10001 "$k"
  chmod 600 "$k"
done
chmod 600 ca.key
# The IN-CSE's key-encryption key, outside its data volume (the secure profile refuses one inside it):
# 32 random bytes, the IN-CSE's alone.
[ -f in-cse.kek ] || head -c 32 /dev/urandom > in-cse.kek
chown 10001 in-cse.kek 2>/dev/null || true
chmod 600 in-cse.kek
touch done
echo "PKI written to $PKI"
