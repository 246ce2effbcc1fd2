# One image for the API, the worker and the setup job; docker-compose.yml picks the command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY domain ./domain
COPY db ./db
COPY providers ./providers
COPY activities ./activities
COPY workflows ./workflows
COPY worker ./worker
COPY connection ./connection
COPY api ./api
COPY dashboard ./dashboard
COPY scripts ./scripts
COPY tsconfig.json ./
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "api/main.ts"]
