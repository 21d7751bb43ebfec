/** @type {import('next').NextConfig} */
const nextConfig = {
  // Lets several builds (tests, benchmarks) live side by side.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  poweredByHeader: false,
  reactStrictMode: true,
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
  ],
};

export default nextConfig;
