# syntax=docker/dockerfile:1
# The learnhook hub as an image: `docker build -t learnhook .` at the repository root, or let
# deploy/docker-compose.yml build it. Configuration comes only from the environment (the README's
# settings table); the embedded store and its secret.key live on the /data volume.
#
# The project's CI machine has no Docker engine and cannot pull base images, so CI never builds
# this file. It keeps to what CI does run instead: the install step is scripts/install.sh (which
# .ci/run calls), the start command is package.json's start script, and the health check is
# scripts/healthcheck.mjs; test/deploy/dockerfile.test.ts holds it to those and runs the two scripts.

# Node 24.21.0 is the version package.json pins (the `node` devDependency, which CI's `npm test`
# runs on). The official image carries the same official linux-x64 build, so the run stage uses
# its Node and drops the npm-provisioned copy; test/deploy keeps this tag and the pin equal.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The npm CI runs: scripts/install.sh explains why an older one will not do.
RUN npm install --global --no-audit --no-fund npm@11.19.1
# Manifests first, so a source change does not redo the install.
COPY package.json package-lock.json ./
COPY core/package.json core/
COPY zapier/package.json zapier/
COPY n8n-node/package.json n8n-node/
COPY scripts/install.sh scripts/
RUN scripts/install.sh
# What CI installed, less what only building and testing need (vitest, Biome, TypeScript, the
# Zapier and n8n tooling, the provisioned Node): about 45 MB of node_modules instead of 1.4 GB.
RUN npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
WORKDIR /app
RUN groupadd --system --gid 10001 learnhook \
  && useradd --system --uid 10001 --gid learnhook --home-dir /data --no-create-home learnhook \
  && mkdir /data && chown learnhook:learnhook /data
COPY --from=build /app/node_modules node_modules
COPY package.json package-lock.json ./
COPY core/package.json core/
COPY core/src core/src
COPY scripts/healthcheck.mjs scripts/
# The Zapier app and the n8n package are not in this image: drop npm's links to their folders.
RUN find node_modules -xtype l -delete

# `learnhook keys create ...` works in the container (docker compose exec learnhook learnhook ...).
ENV PATH=/app/node_modules/.bin:$PATH \
  LEARNHOOK_DATA=/data/learnhook.db \
  HOST=0.0.0.0 \
  PORT=8080
VOLUME /data
EXPOSE 8080
USER learnhook

# Node's own fetch: slim images have no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "scripts/healthcheck.mjs"]

# package.json's start script, run without npm in between: node is PID 1 and gets SIGTERM itself
# (the hub then finishes in-flight requests and deliveries and exits 0).
CMD ["node", "--max-semi-space-size=4", "core/src/cli.ts", "serve"]
