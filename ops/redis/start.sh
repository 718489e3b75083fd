#!/bin/sh
# Starts redis-server with the ACL users of ops/redis/users.acl, their passwords taken from the
# environment (REDIS_RELAYER_PASSWORD, REDIS_AGENT_PASSWORD, REDIS_BROADCASTER_PASSWORD,
# REDIS_OPERATOR_PASSWORD, REDIS_MONITOR_PASSWORD), and the durability the relayer's exactly-once needs: an append-only file
# fsynced on every write (appendfsync always; relayer/src/store.ts). Extra arguments go to redis-server.
set -eu
template=/etc/sothebais/redis/users.acl
acl=/run/sothebais-redis/users.acl
mkdir -p "$(dirname "$acl")"
umask 077
: > "$acl"
for var in REDIS_RELAYER_PASSWORD REDIS_AGENT_PASSWORD REDIS_BROADCASTER_PASSWORD REDIS_OPERATOR_PASSWORD REDIS_MONITOR_PASSWORD; do
  eval "value=\${$var:-}"
  [ -n "$value" ] || { echo "ops/redis/start.sh: $var is not set" >&2; exit 1; }
  case "$value" in *[!A-Za-z0-9._~-]*) echo "ops/redis/start.sh: $var may hold only letters, digits and . _ ~ - (it goes into URLs and the ACL file)" >&2; exit 1;; esac
done
# Comments and blank lines dropped (an ACL file holds only user lines); ${VAR} replaced.
grep -v -e '^#' -e '^[[:space:]]*$' "$template" | sed \
  -e "s|\${REDIS_RELAYER_PASSWORD}|$REDIS_RELAYER_PASSWORD|g" \
  -e "s|\${REDIS_AGENT_PASSWORD}|$REDIS_AGENT_PASSWORD|g" \
  -e "s|\${REDIS_BROADCASTER_PASSWORD}|$REDIS_BROADCASTER_PASSWORD|g" \
  -e "s|\${REDIS_OPERATOR_PASSWORD}|$REDIS_OPERATOR_PASSWORD|g" \
  -e "s|\${REDIS_MONITOR_PASSWORD}|$REDIS_MONITOR_PASSWORD|g" > "$acl"
[ "$(id -u)" = 0 ] && chown redis "$acl" "$(dirname "$acl")" 2>/dev/null || true
set -- redis-server --aclfile "$acl" --appendonly yes --appendfsync always --dir /data --protected-mode no "$@"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id redis >/dev/null 2>&1; then
  chown -R redis /data 2>/dev/null || true
  exec setpriv --reuid=redis --regid=redis --init-groups "$@"
fi
exec "$@"
