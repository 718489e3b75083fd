#!/bin/sh
# Run once by the postgres image at the first start of an empty data volume (/docker-entrypoint-initdb.d).
# POSTGRES_USER (sothebais) owns the indexer's database and writes it (the indexer writer; the API
# replicas only read). This adds:
#   - role `agent` (AGENT_DB_PASSWORD): read-only on the indexer's database — it can connect and SELECT
#     from every schema and table the indexer creates now or later (Ponder makes one schema per
#     deployment, service/schema.ts), and can create or change nothing there;
#   - database `agent`, owned by that role: the agent's ElizaOS memory (POSTGRES_URL of the agent), the
#     only place it writes.
# Changing AGENT_DB_PASSWORD later: ALTER ROLE agent PASSWORD '...' (this script runs only once).
set -eu
: "${AGENT_DB_PASSWORD:?set AGENT_DB_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" --set agent_password="$AGENT_DB_PASSWORD" --set owner="$POSTGRES_USER" <<'SQL'
CREATE ROLE agent LOGIN PASSWORD :'agent_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
ALTER ROLE agent SET default_transaction_read_only = on;
-- The indexer's database: read-only.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE :"DBNAME" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"DBNAME" TO agent;
GRANT USAGE ON SCHEMA public TO agent;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO agent;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" GRANT USAGE ON SCHEMAS TO agent;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" GRANT SELECT ON TABLES TO agent;
-- Its own database for ElizaOS's memory, where the read-only default does not apply.
CREATE DATABASE agent OWNER agent;
ALTER ROLE agent IN DATABASE agent SET default_transaction_read_only = off;
-- The extensions ElizaOS's SQL plugin needs, made by the superuser (the agent role cannot).
-- (vector comes with the pgvector/pgvector image; skipped where the server lacks it.)
\c agent
SELECT 'CREATE EXTENSION IF NOT EXISTS vector' WHERE EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') \gexec
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
SQL
