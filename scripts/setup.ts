/**
 * `npm run setup`: prepares PostgreSQL, Redis, Kafka topics and the admin user without starting
 * anything (the docker-compose `setup` service runs it before the web app and workers).
 */
import { ConfigError, ServiceError, setUp } from "./platform/setup";

setUp({ build: false })
  .then(() => {
    console.log("Setup complete.");
    process.exit(0);
  })
  .catch((err: unknown) => {
    console.error(err instanceof ConfigError || err instanceof ServiceError ? `\n✗ ${err.message}` : err);
    process.exit(1);
  });
