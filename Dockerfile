# syntax=docker/dockerfile:1
# One image per Node service: docker build --build-arg SERVICE=ingest .
# SERVICE is one of ingest, broadcaster, history, sim-exchange.
ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS deps
ARG SERVICE
RUN npm install --global --no-fund --no-audit pnpm@10.34.8
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY core/package.json core/
COPY testing/package.json testing/
COPY sim-exchange/package.json sim-exchange/
COPY ingest/package.json ingest/
COPY broadcaster/package.json broadcaster/
COPY history/package.json history/
COPY ui/package.json ui/
COPY e2e/package.json e2e/
# Production dependencies of this service and the workspace packages it uses, nothing else.
RUN pnpm install --frozen-lockfile --prod --filter "@cryptostream/${SERVICE}..."

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production LOG_FORMAT=json
WORKDIR /app
COPY --from=deps /app ./
COPY core ./core
COPY ${SERVICE} ./${SERVICE}
WORKDIR /app/${SERVICE}
USER node
CMD ["node", "--import", "tsx", "src/main.ts"]
