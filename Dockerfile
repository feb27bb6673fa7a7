# One image for every service of the distributed mode; docker-compose.yml picks the service by command:
#   node -r @swc-node/register apps/<gateway|enricher|sink|simulator>/src/main.ts
# The project runs TypeScript through @swc-node/register (no compile step), so the runtime keeps that
# one devDependency (with @swc/core and its peer typescript) and drops every other one.

# Debian (glibc), not Alpine: chdb and @swc/core ship glibc builds only.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json .swcrc ./
COPY apps ./apps
COPY libs ./libs
# Optional: `docker build --build-arg TYPECHECK=true .` refuses an image whose sources do not type-check.
ARG TYPECHECK=false
RUN if [ "$TYPECHECK" = "true" ]; then npx tsc -p tsconfig.json --noEmit; fi
# Promote the runtime's TypeScript loader to a dependency at its locked version, then drop the rest of
# devDependencies (jest, eslint, the Grafana SDK, ...). Works offline: everything is already installed.
RUN set -eu; \
    locked() { node -p "require('./package-lock.json').packages['node_modules/$1'].version"; }; \
    npm pkg set "dependencies.@swc-node/register=$(locked @swc-node/register)" "dependencies.@swc/core=$(locked @swc/core)"; \
    npm pkg delete "devDependencies.@swc-node/register" "devDependencies.@swc/core"; \
    npm prune --omit=dev --offline --no-audit --no-fund; \
    node -e "require.resolve('@swc-node/register'); require.resolve('@swc/core')"

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/package.json /app/tsconfig.json /app/.swcrc ./
COPY apps ./apps
COPY libs ./libs
# The services keep no local state in the distributed mode (Kafka and ClickHouse do); run unprivileged.
USER node
# Each service answers /health on its PORT; docker-compose.yml sets the healthcheck per service.
CMD ["node", "-r", "@swc-node/register", "apps/gateway/src/main.ts"]
