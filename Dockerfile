# Every service's production image, one target each, built from the repo root:
#   docker build --target indexer -t sothebais/indexer .
# compose.yaml builds them all. The stages above the targets are shared: the workspace manifests are
# copied and the ABIs generated once for the six images, and each target adds only its own part.
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

# The contracts compiled and their ABIs written to common/src/abis (generated, not in git). Only the
# sources, without the Solidity tests (--no-tests): compiling the tests with viaIR took 13 of the 31
# minutes of the first image in the compose test, and a test edit no longer invalidates this layer.
FROM manifests AS abis
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY hardhat.config.ts ./
COPY contracts/src contracts/src
COPY common common
COPY scripts/src/gen-abis.ts scripts/src/gen-abis.ts
RUN npx hardhat build --quiet --no-tests && node scripts/src/gen-abis.ts

# What every Node service runs on: the shared package with its ABIs. Each target adds the production
# dependencies of its own workspace (and nothing of the others) and its folder.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production LOG_LEVEL=info DEPLOYMENTS_DIR=/app/deployments
WORKDIR /app
COPY --from=manifests /app/package.json ./
# Every workspace's tsconfig.json extends it (Ponder resolves the indexer's at start).
COPY tsconfig.base.json ./
COPY common common
COPY --from=abis /app/common/src/abis common/src/abis
STOPSIGNAL SIGTERM

FROM manifests AS indexer-deps
RUN npm ci --no-audit --no-fund --omit=dev --workspace @sothebais/indexer --include-workspace-root=false

FROM runtime AS indexer
COPY --from=indexer-deps /app/node_modules node_modules
# Ponder writes its codegen (ponder-env.d.ts, generated/) and .ponder/ into the folder at start.
COPY --chown=node:node indexer indexer
ENV PORT=42069
USER node
EXPOSE 42069
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:42069/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["npm", "start", "-w", "@sothebais/indexer"]

FROM manifests AS relayer-deps
RUN npm ci --no-audit --no-fund --omit=dev --workspace @sothebais/relayer --include-workspace-root=false

FROM runtime AS relayer
COPY --from=relayer-deps /app/node_modules node_modules
COPY relayer relayer
ENV PORT=8788
USER node
EXPOSE 8788
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:8788/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "relayer/src/main.ts"]

FROM manifests AS agent-deps
RUN npm ci --no-audit --no-fund --omit=dev --workspace @sothebais/agent --include-workspace-root=false

FROM runtime AS agent
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng \
 && rm -rf /var/lib/apt/lists/*
COPY --from=agent-deps /app/node_modules node_modules
COPY agent agent
# Listen beyond the container's loopback; keep the ElizaOS PGlite store on a volume (or set POSTGRES_URL).
ENV PORT=8791 BIND_HOST=0.0.0.0 PGLITE_DATA_DIR=/data/agent
RUN mkdir -p /data/agent && chown node /data/agent
VOLUME /data/agent
USER node
EXPOSE 8791
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:8791/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "agent/src/main.ts"]

FROM manifests AS broadcaster-deps
RUN npm ci --no-audit --no-fund --omit=dev --workspace @sothebais/broadcaster --include-workspace-root=false

FROM runtime AS broadcaster
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg espeak-ng fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
COPY --from=broadcaster-deps /app/node_modules node_modules
COPY broadcaster broadcaster
ENV PORT=8790
USER node
EXPOSE 8790
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:8790/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--max-semi-space-size=2", "broadcaster/src/main.ts"]

FROM manifests AS operator-deps
RUN npm ci --no-audit --no-fund --omit=dev --workspace @sothebais/operator --include-workspace-root=false

# The operator API (sign-in, service controls, their audit): reached only through the dApp's server
# (/svc/operator), never published.
FROM runtime AS operator
COPY --from=operator-deps /app/node_modules node_modules
COPY operator operator
# multiformats 14 (Helia's) sits in the workspace's own node_modules: the root one is the dApp's older 9.
COPY --from=operator-deps /app/operator/node_modules operator/node_modules
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

FROM node:24-bookworm-slim AS dapp
# Metrics on their own port (9469), reachable on the compose network for Prometheus, never published.
ENV NODE_ENV=production DEPLOYMENTS_DIR=/app/deployments DAPP_HOST=0.0.0.0 DAPP_PORT=5173 DAPP_METRICS_HOST=0.0.0.0 DAPP_METRICS_PORT=9469
WORKDIR /app
COPY --from=dapp-build /app/node_modules node_modules
COPY --from=dapp-build /app/package.json ./
COPY --from=dapp-build /app/common common
COPY --from=dapp-build /app/dapp dapp
USER node
EXPOSE 5173 9469
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:5173/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dapp/server/main.ts"]
