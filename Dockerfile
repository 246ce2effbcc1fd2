# One image for the API, the worker and the one-shot setup; docker-compose.yml picks the command.
# Build: TypeScript compiled by tsc on the current LTS Node; run: plain JavaScript, no tsx, no dev dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY workflows ./workflows
COPY activities ./activities
COPY api ./api
COPY worker ./worker
COPY connection ./connection
COPY domain ./domain
COPY db ./db
COPY providers ./providers
COPY telemetry ./telemetry
# the dashboard's TypeScript, bundled by esbuild when the API first serves it (api/dashboard.ts)
COPY dashboard ./dashboard
COPY scripts ./scripts
RUN npx tsc -p tsconfig.build.json && cp -r db/migrations dist/db/migrations && cp -r dashboard dist/dashboard

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000 9464
CMD ["node", "dist/api/main.js"]
