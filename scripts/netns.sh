#!/usr/bin/env bash
# Test hosts for multi-host tests: N network namespaces (sluice-h1..hN) with their own addresses
# (10.210.77.11, .12, ...) on a bridge (sluice-br, 10.210.77.1 in the root namespace). Only these addresses and
# loopback are ever targeted. Needs root.
#   scripts/netns.sh up [N]     create (idempotent)
#   scripts/netns.sh cut K      take host K's link down      scripts/netns.sh heal K   bring it back
#   scripts/netns.sh down [N]   remove everything
set -euo pipefail
cmd="${1:-}"
n="${2:-3}"
net=10.210.77
case "$cmd" in
  up)
    ip link show sluice-br >/dev/null 2>&1 || {
      ip link add sluice-br type bridge
      ip addr add "$net.1/24" dev sluice-br
    }
    ip link set sluice-br up
    for i in $(seq 1 "$n"); do
      ns="sluice-h$i"
      ip netns list | grep -qw "$ns" || ip netns add "$ns"
      if ! ip link show "sluice-v$i" >/dev/null 2>&1; then
        ip link add "sluice-v$i" type veth peer name "sluice-p$i"
        ip link set "sluice-p$i" netns "$ns"
        ip link set "sluice-v$i" master sluice-br
        ip netns exec "$ns" ip link set "sluice-p$i" name eth0
        ip netns exec "$ns" ip addr add "$net.1$i/24" dev eth0
      fi
      ip link set "sluice-v$i" up
      ip netns exec "$ns" ip link set lo up
      ip netns exec "$ns" ip link set eth0 up
      ip netns exec "$ns" ip route replace default via "$net.1"
    done
    ;;
  cut) ip link set "sluice-v$n" down ;;
  heal) ip link set "sluice-v$n" up ;;
  down)
    for i in $(seq 1 "$n"); do
      ip link del "sluice-v$i" 2>/dev/null || true
      ip netns del "sluice-h$i" 2>/dev/null || true
    done
    ip link del sluice-br 2>/dev/null || true
    ;;
  *) echo "usage: $0 up|cut|heal|down [N]" >&2; exit 2 ;;
esac
