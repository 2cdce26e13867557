#!/usr/bin/env bash
# Makes the TLS fixtures of the route tests (run by hand; the files are committed): a test CA and
# a certificate for 127.0.0.1 and localhost it signed, and a second CA, trusted by nobody, with a
# certificate for the same names. Test keys, valid for 100 years, for 127.0.0.1 only: never use
# them anywhere else.
set -euo pipefail
cd "$(dirname "$0")"
for who in trusted untrusted; do
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 \
    -subj "/CN=hybrid-router test CA ($who)" -keyout "$who-ca.key" -out "$who-ca.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$who-server.key" -out "$who-server.csr"
  openssl x509 -req -in "$who-server.csr" -CA "$who-ca.pem" -CAkey "$who-ca.key" \
    -CAcreateserial -days 36500 -out "$who-server.pem" \
    -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')
  rm -f "$who-server.csr" "$who-ca.srl" "$who-ca.key"
done
