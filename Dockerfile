# Every service's production image, one target each, built from the repo root with BuildKit (Docker 23+
# by default; on an older engine DOCKER_BUILDKIT=1, and for docker-compose v1 also
# COMPOSE_DOCKER_CLI_BUILD=1):
#   docker build --target indexer -t sothebais/indexer .
#   node scripts/src/images.ts          # all six, in parallel, tagged as compose.yaml names them
# The legacy builder cannot build this file: the npm steps mount one download cache, so the whole
# tree's packages are fetched once for every image (each npm ci in the legacy builder fetched them
# again: 31 minutes for the first image of seven on the compose test's first run).
# The deployment record of the target chain is mounted at /app/deployments (DEPLOYMENTS_DIR).

FROM node:24-bookworm-slim AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY common/package.json common/
COPY indexer/package.json indexer/
COPY relayer/package.json relayer/
COPY broadcaster/package.json broadcaster/
COPY agent/package.json agent/
COPY dapp/package.json dapp/
COPY operator/package.json operator/
COPY scripts/package.json scripts/

# The whole tree (dev dependencies included): what the contracts' compile and the dApp's build need.
FROM manifests AS build-deps
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --no-audit --no-fund --ignore-scripts --prefer-offline

# The contracts compiled and their ABIs written to common/src/abis (generated, not in git). Only the
# sources, without the Solidity tests (--no-tests): compiling the tests with viaIR took 13 minutes, and
# a test edit no longer invalidates this layer.
FROM build-deps AS abis
COPY hardhat.config.ts ./
COPY contracts/src contracts/src
COPY common common
COPY scripts/src/gen-abis.ts scripts/src/gen-abis.ts
RUN npx hardhat build --quiet --no-tests && node scripts/src/gen-abis.ts

# The production dependencies of the five Node services, one layer that every service image shares:
# installed once, stored and pulled once per host. Each image's own layers are only its folder (and, for
# the media services, their Debian packages).
FROM manifests AS service-deps
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --no-audit --no-fund --omit=dev --prefer-offline --include-workspace-root=false \
      -w @sothebais/common -w @sothebais/indexer -w @sothebais/relayer -w @sothebais/broadcaster \
      -w @sothebais/agent -w @sothebais/operator

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production LOG_LEVEL=info DEPLOYMENTS_DIR=/app/deployments
WORKDIR /app
# The manifests and every node_modules folder (the root one, and a workspace's own where its versions
# differ: multiformats 14 of the operator's Helia sits in operator/node_modules).
COPY --from=service-deps /app ./
# Every workspace's tsconfig.json extends it (Ponder resolves the indexer's at start).
COPY tsconfig.base.json ./
COPY common common
COPY --from=abis /app/common/src/abis common/src/abis
STOPSIGNAL SIGTERM

FROM runtime AS indexer
# Ponder writes its codegen (ponder-env.d.ts, generated/) and .ponder/ into the folder at start.
COPY --chown=node:node indexer indexer
ENV PORT=42069
USER node
EXPOSE 42069
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:42069/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["npm", "start", "-w", "@sothebais/indexer"]

FROM runtime AS relayer
COPY relayer relayer
ENV PORT=8788
USER node
EXPOSE 8788
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:8788/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "relayer/src/main.ts"]

FROM runtime AS agent
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng \
 && rm -rf /var/lib/apt/lists/*
COPY agent agent
# Listen beyond the container's loopback; keep the ElizaOS PGlite store on a volume (or set POSTGRES_URL).
ENV PORT=8791 BIND_HOST=0.0.0.0 PGLITE_DATA_DIR=/data/agent
RUN mkdir -p /data/agent && chown node /data/agent
VOLUME /data/agent
USER node
EXPOSE 8791
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:8791/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "agent/src/main.ts"]

FROM runtime AS broadcaster
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg espeak-ng fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
COPY broadcaster broadcaster
ENV PORT=8790
USER node
EXPOSE 8790
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:8790/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--max-semi-space-size=2", "broadcaster/src/main.ts"]

# The operator API (sign-in, service controls, their audit): reached only through the dApp's server
# (/svc/operator), never published.
FROM runtime AS operator
COPY operator operator
# The IPFS node's blocks and pin records: a volume (compose `ipfs`), owned by the user the service runs as.
RUN mkdir -p /data/ipfs && chown node:node /data/ipfs
ENV OPERATOR_PORT=8794 OPERATOR_HOST=0.0.0.0 IPFS_DIR=/data/ipfs
USER node
EXPOSE 8794
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:8794/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "operator/src/main.ts"]

# The dApp: the `vite build` output served by its own production server (dapp/server, Hono), which also
# serves /config.json (from the mounted deployment record) and only the proxies a browser needs.
FROM abis AS dapp-build
# dapp/tsconfig.json extends it; Vite's transform reads it.
COPY tsconfig.base.json ./
COPY dapp dapp
RUN npm run build -w @sothebais/dapp

# The server's own production dependencies (Hono, viem): what the browser runs is already in dist/.
FROM manifests AS dapp-deps
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --no-audit --no-fund --omit=dev --prefer-offline --include-workspace-root=false \
      -w @sothebais/common -w @sothebais/dapp

FROM node:24-bookworm-slim AS dapp
# Metrics on their own port (9469), reachable on the compose network for Prometheus, never published.
ENV NODE_ENV=production DEPLOYMENTS_DIR=/app/deployments DAPP_HOST=0.0.0.0 DAPP_PORT=5173 DAPP_METRICS_HOST=0.0.0.0 DAPP_METRICS_PORT=9469
WORKDIR /app
COPY --from=dapp-deps /app ./
COPY --from=abis /app/common common
COPY --from=dapp-build /app/dapp/dist dapp/dist
COPY dapp/package.json dapp/
COPY dapp/server dapp/server
USER node
EXPOSE 5173 9469
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:5173/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dapp/server/main.ts"]
