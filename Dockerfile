# One image for both processes: `api` runs api/server.ts, `worker` runs worker/main.ts.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# patch-package applies these on install (see README, Benchmarks).
COPY patches ./patches
RUN npm install --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY infra ./infra
COPY domain ./domain
COPY db ./db
COPY activities ./activities
COPY workflows ./workflows
COPY worker ./worker
COPY api ./api
USER node
CMD ["node", "--import", "tsx", "api/server.ts"]
