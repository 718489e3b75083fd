#!/usr/bin/env bash
# Makes sure the four base images compose.yaml and the Dockerfile start FROM exist in the local engine:
# node:24-bookworm-slim, pgvector/pgvector:pg15, redis:7-bookworm, caddy:2. Each is pulled if a registry
# answers; where none does (these machines reach only Debian's and npm's package servers), a stand-in is
# built under the same name from Debian bookworm (debootstrap, imported once) and Debian's packages:
# node.Dockerfile, postgres.Dockerfile, redis.Dockerfile, caddy.Dockerfile beside this script.
# Stand-ins are labelled sothebais.standin=1; a real image already present is never replaced.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
rootfs="${SOTHEBAIS_ROOTFS:-/var/tmp/sothebais-rootfs}"
say() { printf '[base-images] %s\n' "$*" >&2; }

have() { docker image inspect "$1" >/dev/null 2>&1; }

base() {
  have sothebais-standin/debian:bookworm && return 0
  if [ ! -x "$rootfs/bin/sh" ] || [ ! -f "$rootfs/etc/apt/sources.list" ]; then
    command -v debootstrap >/dev/null || { say "debootstrap is missing (apt-get install debootstrap)"; exit 1; }
    say "debootstrap of Debian bookworm into $rootfs (a few minutes, once)"
    rm -rf "$rootfs.tmp"
    debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs.tmp" http://deb.debian.org/debian >/tmp/sothebais-debootstrap.log 2>&1 \
      || { tail -5 /tmp/sothebais-debootstrap.log >&2; exit 1; }
    rm -rf "$rootfs" && mv "$rootfs.tmp" "$rootfs"
  fi
  say "importing the bookworm root file system as sothebais-standin/debian:bookworm"
  tar -C "$rootfs" -c . | docker import --change 'CMD ["/bin/bash"]' - sothebais-standin/debian:bookworm >/dev/null
}

standin() { # image, dockerfile, context
  base
  say "building stand-in $1 from $2"
  docker build -q --label sothebais.standin=1 -t "$1" -f "$here/$2" "$3" >/dev/null
}

for image in node:24-bookworm-slim pgvector/pgvector:pg15 redis:7-bookworm caddy:2; do
  have "$image" && continue
  if timeout 30 docker pull -q "$image" >/dev/null 2>&1; then say "pulled $image"; continue; fi
  case "$image" in
    node:*)
      ctx="$(mktemp -d)"
      node_bin="$(command -v node)"; node_bin="$(readlink -f "$node_bin")"
      "$node_bin" -e 'process.exit(process.versions.node.split(".")[0] === "24" ? 0 : 1)' || { say "node on PATH is not Node 24"; exit 1; }
      npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
      cp "$node_bin" "$ctx/node"; cp -a "$npm_dir" "$ctx/npm"; mkdir "$ctx/ca"
      cp /usr/local/share/ca-certificates/*.crt "$ctx/ca/" 2>/dev/null || true
      standin "$image" node.Dockerfile "$ctx"; rm -rf "$ctx" ;;
    pgvector/*|postgres:*) standin "$image" postgres.Dockerfile "$here" ;;
    redis:*) standin "$image" redis.Dockerfile "$here" ;;
    caddy:*) standin "$image" caddy.Dockerfile "$here" ;;
  esac
done
say "base images ready"
