# syntax=docker/dockerfile:1
# The Parker worker: the sources compiled to JavaScript (`npm run build`), run by plain node,
# with no npm or tsx process around it.
#   docker build -t parker .
#   docker run --rm -e TEMPORAL_ADDRESS=... -e DATABASE_URL=mysql://... parker
# docker-compose.yml runs it next to MySQL and a Temporal server.

# Node 22: Node 20 reached its end of life in April 2026, and the podcast server's
# libraries (fastify's cookie, @fastify/static's content-disposition) ask for 22.
ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: node_modules, with better-sqlite3's native addon, and dist/ ----
FROM ${NODE_IMAGE} AS build
# better-sqlite3 downloads a prebuilt binary when one matches; these build it from source when not.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# All dependencies first (tsc builds dist/), the development ones pruned after. npm 10 (what node:22 ships)
# runs install scripts; npm 11 runs only those listed under "allowScripts" in package.json,
# which include better-sqlite3. Either way the addon must load, or the build stops here;
# `npm rebuild` is the second chance for an npm that skipped the script.
RUN npm ci --no-audit --no-fund \
 && { node -e "new (require('better-sqlite3'))(':memory:').close()" 2>/dev/null \
      || npm rebuild better-sqlite3; } \
 && node -e "new (require('better-sqlite3'))(':memory:').close()" \
 && npm cache clean --force
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: no compilers ----
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    DOWNLOAD_DIR=/downloads \
    PARKER_DATA_DIR=/app/data \
    PARKER_CONFIG=/app/channels.yaml
# ffmpeg merges the video and audio formats yt-dlp fetches; python3-venv holds yt-dlp;
# libjemalloc2 is the worker's allocator (see the CMD). Its path depends on the
# architecture, so a link gives it one.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg python3 python3-venv ca-certificates libjemalloc2 \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s /usr/lib/"$(uname -m)"-linux-gnu/libjemalloc.so.2 /usr/local/lib/libjemalloc.so.2
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
COPY --from=build /app/dist ./dist
COPY package.json package-lock.json ./
# The code stays root-owned (read-only to the worker); only the data and download
# directories belong to the unprivileged `node` user (uid 1000) of the base image.
RUN mkdir -p /app/data /downloads && chown node:node /app/data /downloads
USER node
# jemalloc instead of glibc's malloc: a burst of crawls (every hourly channel due at once)
# grows glibc's per-thread arenas, and an idle worker kept about 60 MiB of that; jemalloc
# gives it back (BENCHMARKS.md, memory). The build stops here if it does not load.
ENV LD_PRELOAD=/usr/local/lib/libjemalloc.so.2
RUN node -e "process.exit(require('fs').readFileSync('/proc/self/maps', 'utf8').includes('libjemalloc') ? 0 : 1)"
# A young generation of 1 MiB instead of V8's 16: about 50 MiB less resident for an idle
# worker, no measurable cost to downloads (BENCHMARKS.md, memory). Array buffers swept at
# once rather than by a background task: every socket read and every block handed to the
# part writer's thread is an array buffer, and while the background sweep lags their bytes
# count against the heap's limit, so V8 ran a full mark-compact every 20-50 MB received;
# sweeping at once took a third off a download's CPU (BENCHMARKS.md, throughput). npm
# start:prod, the tests and the benchmarks run the compiled worker with these same flags.
CMD ["node", "--max-semi-space-size=1", "--no-concurrent-array-buffer-sweeping", "dist/worker.js"]
