// `npm test`: sets up a fresh checkout and runs every check and test (see scripts/test/main.ts).
import { ensureDependencies, handOver } from "./bootstrap.mjs";

ensureDependencies();
handOver("scripts/test/main.ts", process.argv.slice(2));
