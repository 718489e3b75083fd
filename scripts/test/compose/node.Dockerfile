# Stand-in for node:24-bookworm-slim when Docker Hub cannot be reached: Debian bookworm (debootstrap)
# with the Node 24 binary and npm this repo already runs on, and the image's `node` user (uid 1000).
# The host's own CA certificates (ca/, from /usr/local/share/ca-certificates) are trusted too, so npm
# reaches the registry the way the host does (behind a TLS-inspecting egress proxy, for one).
FROM sothebais-standin/debian:bookworm
COPY ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
CMD ["node"]
