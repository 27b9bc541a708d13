#!/usr/bin/env bash
# Builds the release archive dist/sluice-<version>.tar.gz: bin/sluice, lib/sluice.jar, cluster-config/, the
# examples, systemd/sluice-node.service, an example node config, README.md and OPERATIONS.md. On the target it needs
# a JDK 17 only (and Debian's Python packages for score.py: bin/sluice setup installs them): no Maven, no repository.
# --no-build: package the jar that is there (mvn package built it); otherwise build it first.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
if [ "${1:-}" != "--no-build" ]; then
  mvn -B -q -DskipTests package -pl verticles -am
fi
jar="verticles/target/sluice.jar"
[ -f "$jar" ] || { echo "release: $jar is missing (run mvn -B package)" >&2; exit 1; }
version="$(python3 -c 'import sys, zipfile
for line in zipfile.ZipFile(sys.argv[1]).read("sluice-release.properties").decode().splitlines():
    if line.startswith("version="): print(line[8:].strip())' "$jar")"
name="sluice-$version"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stage="$work/$name"
mkdir -p "$stage/bin" "$stage/lib" "$stage/systemd" "$stage/scripts"
cp bin/sluice "$stage/bin/"
cp "$jar" "$stage/lib/sluice.jar"
cp scripts/setup.sh "$stage/scripts/"
cp -r cluster-config "$stage/"
# the examples as the repository has them: no trained models (bin/sluice setup trains them), no caches
tar -C . --exclude='*.pkl' --exclude='__pycache__' -cf - examples | tar -C "$stage" -xf -
cp systemd/sluice-node.service "$stage/systemd/"
cp verticles/src/main/resources/sluice-node.yaml "$stage/sluice-node.yaml"
cp release/README.md "$stage/README.md"
cp docs/operations.md "$stage/OPERATIONS.md"
mkdir -p dist
tar -C "$work" -czf "dist/$name.tar.gz" "$name"
echo "dist/$name.tar.gz"
