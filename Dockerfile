# syntax=docker/dockerfile:1
#
# One image for both processes of a deployment:
#   worker (default):  node dist/worker/main.js   — also applies ledger migrations
#   API:               node dist/api/main.js      — docker-compose.yml overrides the command
#
# Build:  docker build -t furusato-ops .

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------
# build: dev dependencies, TypeScript compile, pre-bundled workflow code
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app

# puppeteer-core never downloads a browser; this only guards against a full
# `puppeteer` package appearing in the tree later.
ENV PUPPETEER_SKIP_DOWNLOAD=true

# Dependencies first so that source edits reuse the cached layer.
# The image's npm (10.x) ignores package.json "allowScripts" (an npm 11
# setting) and runs install scripts by default, which is what we want here.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .
# templates/ may be empty (git drops empty folders); make sure it exists so
# the runtime stage can always copy it.
RUN mkdir -p templates && npm run build

# ---------------------------------------------------------------------------
# runtime: production dependencies, compiled output, Chromium for PDFs
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app

# chromium       — PDF rendering through puppeteer-core (/usr/bin/chromium)
# fonts-noto-cjk — Japanese glyphs for those PDFs; without it kanji render as boxes
# tini           — PID 1 that forwards SIGTERM and reaps Chromium's child processes
# Note for the PDF code: inside a container Chromium usually has to be started
# with --no-sandbox (or the container given a seccomp profile that allows its sandbox).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      chromium \
      fonts-noto-cjk \
      ca-certificates \
      tini \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    PUPPETEER_SKIP_DOWNLOAD=true \
    PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

COPY --from=build /app/dist ./dist
COPY --from=build /app/templates ./templates

# Application files stay root-owned (read-only to the process); the app runs as
# the unprivileged `node` user (uid 1000) that the base image provides, whose
# home directory gives Chromium a writable profile location.
USER node

# The worker drains in-flight tasks on SIGTERM (shutdownGraceTime 10 s);
# give containers a stop timeout above that (docker-compose.yml does).
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/worker/main.js"]
