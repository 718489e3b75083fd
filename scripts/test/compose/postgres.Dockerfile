# Stand-in for pgvector/pgvector:pg15 (postgres:15-bookworm with pgvector): Debian's PostgreSQL 15. Debian
# bookworm has no pgvector package, so the stand-in lacks it: the agent's ElizaOS memory then falls back
# (the agent runs on, with templates and no memory); the real image has it. Its entrypoint does what the
# official one does for this repo (POSTGRES_USER/PASSWORD/DB, /docker-entrypoint-initdb.d, listen on *).
FROM sothebais-standin/debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /docker-entrypoint-initdb.d /var/run/postgresql && chown postgres /var/run/postgresql
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["/bin/sh", "/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
