#!/usr/bin/env bash
# Installs (Debian's package), starts and prepares a local PostgreSQL for the store tests and for multi-machine
# clusters on one test box. Prints the JDBC URL on stdout. Idempotent. Needs root or sudo.
set -euo pipefail
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "postgres: installing Debian's postgresql ..." >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  $sudo pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  $sudo pg_ctlcluster "$version" main start >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
# the multi-host tests' nodes live in network namespaces (scripts/netns.sh) and reach the store over the bridge
hba=$($sudo runuser -u postgres -- psql -p "$port" -qtAc "SHOW hba_file")
if ! $sudo grep -q '10.210.77.0/24' "$hba"; then
  echo "host all all 10.210.77.0/24 scram-sha-256" | $sudo tee -a "$hba" >/dev/null
  $sudo runuser -u postgres -- psql -p "$port" -qc "ALTER SYSTEM SET listen_addresses = '*'" >&2
  $sudo pg_ctlcluster "$version" main restart >&2
fi
user="${SLUICE_PG_USER:-sluice}"
pass="${SLUICE_PG_PASSWORD:-sluice-test}"
db="${SLUICE_PG_DB:-sluice_test}"
as_pg() { $sudo runuser -u postgres -- "$@"; }
as_pg psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname='$user'" | grep -q 1 \
  || as_pg psql -p "$port" -qc "CREATE ROLE $user LOGIN PASSWORD '$pass'" >&2
as_pg psql -p "$port" -qtAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
  || as_pg psql -p "$port" -qc "CREATE DATABASE $db OWNER $user" >&2
echo "jdbc:postgresql://127.0.0.1:$port/$db?user=$user&password=$pass"
