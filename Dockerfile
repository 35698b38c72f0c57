# syntax=docker/dockerfile:1
# The Parker worker. No build step: the TypeScript sources run under tsx, as in development.
#   docker build -t parker .
#   docker run --rm -e TEMPORAL_ADDRESS=... -e DATABASE_URL=mysql://... parker
# docker-compose.yml runs it next to MySQL and a Temporal server.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: node_modules, with better-sqlite3's native addon ----
FROM ${NODE_IMAGE} AS build
# better-sqlite3 downloads a prebuilt binary when one matches; these build it from source when not.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# All dependencies: tsx (a runtime dependency) loads the sources. npm 10 (what node:20 ships)
# runs install scripts; npm 11 runs only those listed under "allowScripts" in package.json,
# which include better-sqlite3. Either way the addon must load, or the build stops here;
# `npm rebuild` is the second chance for an npm that skipped the script.
RUN npm ci --no-audit --no-fund \
 && { node -e "new (require('better-sqlite3'))(':memory:').close()" 2>/dev/null \
      || npm rebuild better-sqlite3; } \
 && node -e "new (require('better-sqlite3'))(':memory:').close()" \
 && npm cache clean --force

# ---- runtime: no compilers ----
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    DOWNLOAD_DIR=/downloads \
    PARKER_DATA_DIR=/app/data \
    PARKER_CONFIG=/app/channels.yaml
# ffmpeg merges the video and audio formats yt-dlp fetches; python3-venv holds yt-dlp.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg python3 python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The pinned yt-dlp from PyPI with its default extras (yt-dlp-ejs, YouTube's challenge
# solver, among them), in the same place the worker looks for it in development.
# Optional parts: `docker build --build-arg PARKER_YTDLP_OPTIONAL=pot-provider,curl-cffi .`
ARG PARKER_YTDLP_OPTIONAL=""
COPY scripts/ensure-ytdlp.sh scripts/ytdlp-requirements.txt ./scripts/
COPY scripts/ytdlp-optional ./scripts/ytdlp-optional
RUN PARKER_YTDLP_OPTIONAL="$PARKER_YTDLP_OPTIONAL" scripts/ensure-ytdlp.sh
COPY --from=build /app/node_modules ./node_modules
# The JS runtime yt-dlp runs those challenges in: Deno from the npm package `deno`. The
# build stops here unless yt-dlp finds it and yt-dlp-ejs, as the worker checks at start.
RUN .tools/ytdlp/bin/yt-dlp --ignore-config --no-js-runtimes --js-runtimes deno:/app/node_modules/deno/bin.cjs -v 2>&1 \
      | grep '^\[debug\] JS runtimes: deno-' \
 && .tools/ytdlp/bin/python -c 'import yt_dlp_ejs'
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
# The sources stay root-owned (read-only to the worker); only the data and download
# directories belong to the unprivileged `node` user (uid 1000) of the base image.
RUN mkdir -p /app/data /downloads && chown node:node /app/data /downloads
USER node
CMD ["node", "--import", "tsx", "src/worker.ts"]
