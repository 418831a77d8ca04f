# syntax=docker/dockerfile:1
# The migrate job (applies the migrations, then exits). Build from the repository root:
#   docker build -f docker/migrate.Dockerfile -t photospots-migrate .
# It runs the bundle `npx nx run migrate:build` makes (dist/apps/migrate/main.js) with
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
RUN npx nx run migrate:build --skipNxCache

# Production dependencies of this workspace only. --omit=optional drops PGlite, which
# drizzle-orm lists as an optional peer and only `npm start` uses.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY --from=manifests /out/ ./
RUN npm ci --omit=dev --workspace apps/migrate --omit=optional --ignore-scripts --no-audit --no-fund \
 && npx --yes patch-package@8.0.1 --error-on-fail --error-on-warn \
 && node tools/patch-dependencies.ts \
 && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /repo/dist/apps/migrate ./
USER node
# A one-shot job: it is done when it exits 0 (compose: service_completed_successfully).
HEALTHCHECK NONE
CMD ["node", "main.js"]
