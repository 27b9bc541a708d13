#!/usr/bin/env bash
# scripts/cluster-ca.sh DIR [NAME]: the folder for mutual TLS between nodes (sluice node --cluster-tls DIR).
# Makes a private CA (ca.pem, ca-key.pem) unless DIR already has one, then a certificate signed by it (NAME.pem,
# NAME-key.pem; NAME defaults to "node", the files every node reads). Copy ca.pem, node.pem and node-key.pem to each
# node; keep ca-key.pem off the nodes. A member whose certificate the CA did not sign can neither send to the nodes
# nor receive from them over the event bus.
set -euo pipefail
dir="${1:?usage: scripts/cluster-ca.sh DIR [NAME]}"
name="${2:-node}"
command -v openssl >/dev/null || { echo "cluster-ca.sh: needs openssl (apt-get install openssl)" >&2; exit 1; }
umask 077
mkdir -p "$dir"
if [ ! -f "$dir/ca.pem" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=sluice cluster CA" \
    -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" 2>/dev/null
fi
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=sluice $name" \
  -keyout "$dir/$name-key.pem" -out "$dir/$name.csr" 2>/dev/null
openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial -days 825 \
  -extfile <(printf 'subjectAltName=DNS:sluice-%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$name") \
  -out "$dir/$name.pem" 2>/dev/null
rm -f "$dir/$name.csr" "$dir/ca.srl"
echo "$dir: ca.pem, $name.pem, $name-key.pem"
