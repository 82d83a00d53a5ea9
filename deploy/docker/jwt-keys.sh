#!/bin/sh
# One-shot (docker-compose.yml `jwt-keys`): creates the gateway's Ed25519 signing key (PKCS#8
# PEM) in /keys/private and its public key (SPKI PEM) in /keys/public, once. Both are handed to
# uid 10001, the services' user; subgraphs mount only the public volume.
set -eu
priv=/keys/private/jwt-ed25519.pem
pub=/keys/public/jwt-ed25519.pub.pem
if [ -s "$priv" ] && [ -s "$pub" ]; then
  echo "jwt-keys: keys exist, keeping them"
  exit 0
fi
umask 077
openssl genpkey -algorithm ed25519 -out "$priv.tmp"
openssl pkey -in "$priv.tmp" -pubout -out "$pub.tmp"
chown 10001:10001 "$priv.tmp" "$pub.tmp"
chmod 0400 "$priv.tmp"
chmod 0444 "$pub.tmp"
mv "$pub.tmp" "$pub"
mv "$priv.tmp" "$priv"
echo "jwt-keys: created a new Ed25519 key pair"
