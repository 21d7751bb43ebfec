# One image for the web app, the consumer and the ETL worker (docker-compose.yml picks the command).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# npm 11 skips install scripts, so generate the Prisma client and build explicitly.
RUN npx prisma generate && NODE_ENV=production npx next build
ENV NODE_ENV=production
EXPOSE 3000
# Our server in front of Next (client address from app.trusted_proxies), as npm run web.
CMD ["node", "--import", "tsx", "src/server/web/main.ts", "-p", "3000"]
