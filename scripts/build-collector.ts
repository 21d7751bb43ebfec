// `npm run build:collector`: src/collector/pulse.ts → public/pulse.js (scripts/lib/collectorBuild.ts).
import { gzipSync } from "node:zlib";
import path from "node:path";
import { COLLECTOR_OUTPUT, buildCollector, writeCollector } from "./lib/collectorBuild";

const root = path.resolve(import.meta.dirname, "..");
const wrote = await writeCollector(root);
const code = await buildCollector(root);
console.log(`${COLLECTOR_OUTPUT}: ${code.length} bytes, ${gzipSync(code, { level: 9 }).length} gzipped${wrote ? "" : " (unchanged)"}`);
