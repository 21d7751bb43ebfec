// `npm start`: sets up a fresh checkout and runs the whole platform (see scripts/platform/main.ts).
import { ensureDependencies, handOver } from "./bootstrap.mjs";

ensureDependencies();
handOver("scripts/platform/main.ts", process.argv.slice(2));
