# syntax=docker/dockerfile:1
# One image for every leadpipe process; pick the entry point with the command, e.g.
#   docker run IMAGE dist/apps/enricher/src/main.js
#   docker run IMAGE dist/tools/setup/main.js

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency needs an install script to build or run (the only one, @parcel/watcher,
# is an optional dev-only watcher), so skip them as the project's npm does by default.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY tools ./tools
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# The image's own "node" user (uid/gid 1000); files stay root-owned so the app cannot modify itself.
USER node
EXPOSE 3000 3001 3002 3003 4010
ENTRYPOINT ["node"]
CMD ["dist/apps/ingest/src/main.js"]
