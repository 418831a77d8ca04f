# syntax=docker/dockerfile:1
# The ingest service (LBSN imports). Build from the repository root:
#   docker build -f docker/ingest.Dockerfile -t photospots-ingest .
# It runs the bundle `npx nx run ingest:build` makes (dist/apps/ingest/main.js) with
# the production dependencies of this one workspace; a system test starts the
# same CMD against the built output (apps/system-tests/test/dockerfiles.test.ts).
ARG NODE_IMAGE=node:24-alpine

# package.json files only, so the dependency layers below are rebuilt only when they change.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /repo
COPY . .
RUN node docker/copy-manifests.mjs /out

FROM ${NODE_IMAGE} AS build
ENV NX_DAEMON=false NX_NO_CLOUD=true
WORKDIR /repo
COPY --from=manifests /out/ ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nx run ingest:build --skipNxCache

# Production dependencies of this workspace only. --omit=optional drops PGlite, which
# drizzle-orm lists as an optional peer and only `npm start` uses.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY --from=manifests /out/ ./
RUN npm ci --omit=dev --workspace apps/ingest --omit=optional --ignore-scripts --no-audit --no-fund \
 && npx --yes patch-package@8.0.1 --error-on-fail --error-on-warn \
 && node tools/patch-dependencies.ts \
 && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /repo/dist/apps/ingest ./
USER node
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTH_PORT || 3001) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "main.js"]
