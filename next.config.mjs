/** @type {import('next').NextConfig} */
const nextConfig = {
  // Lets several builds (tests, benchmarks) live side by side.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  poweredByHeader: false,
  reactStrictMode: true,
  // The tracker's URL never changes (docs/collector.md, "Build"): browsers keep it a day and may
  // use a stale copy for a week while revalidating (Next.js adds the ETag to revalidate with).
  async headers() {
    return [{ source: "/pulse.js", headers: [{ key: "Cache-Control", value: "public, max-age=86400, stale-while-revalidate=604800" }] }];
  },
  // Server-only libraries with native or dynamic requires are loaded by Node, not bundled.
  serverExternalPackages: [
    "kafkajs",
    "bullmq",
    "ioredis",
    "pino",
    "pg",
    "@prisma/adapter-pg",
    "@prisma/client",
    "rate-limiter-flexible",
    "bcryptjs",
    "@duckdb/node-api",
    "pg-copy-streams",
  ],
};

export default nextConfig;
