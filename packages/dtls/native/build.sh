#!/bin/sh
# Builds the DTLS addon against the system OpenSSL (Debian: libssl-dev for the headers, libssl3 at run time)
# and Node's headers (npm_config_nodedir, else /usr/include/node). A machine without them still builds the
# rest of the project: the addon is optional, loaded lazily, and its absence is reported when a DTLS
# listener is asked to start.
cd "$(dirname "$0")/.." || exit 1
NODEDIR="${npm_config_nodedir:-/usr}"
INC="$NODEDIR/include/node"
if [ ! -f "$INC/node_api.h" ]; then
  echo "dtls: Node headers not found in $INC; the DTLS addon is not built" >&2
  exit 0
fi
if [ ! -f /usr/include/openssl/ssl.h ]; then
  echo "dtls: OpenSSL headers missing (Debian package libssl-dev); the DTLS addon is not built" >&2
  exit 0
fi
mkdir -p build
${CC:-cc} -O2 -Wall -Wextra -fPIC -shared -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
  -DNODE_GYP_MODULE_NAME=m2msec_dtls -I"$INC" native/dtls.c -o build/m2msec_dtls.node -lssl -lcrypto ||
  { echo "dtls: addon build failed; DTLS listeners will refuse to start" >&2; exit 0; }
