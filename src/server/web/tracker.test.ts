import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../test/support/app";
import { loadTracker } from "./tracker";

let server: Server;
let url: string;
let file: Buffer;

beforeAll(async () => {
  // The repository's own build of the tracker and next.config.mjs: the headers are the configured ones.
  file = (await import("node:fs")).readFileSync(`${REPO_ROOT}/public/pulse.js`);
  server = createServer(await loadTracker(REPO_ROOT));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pulse.js`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("/pulse.js on the fast path", () => {
  it("serves the built file with next.config.mjs's caching, gzip when asked, and an ETag to revalidate", async () => {
    const plain = await fetch(url, { headers: { "accept-encoding": "identity" } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get("content-type")).toBe("application/javascript; charset=utf-8");
    expect(plain.headers.get("cache-control")).toBe("public, max-age=86400, stale-while-revalidate=604800");
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
    expect(Buffer.from(await plain.arrayBuffer()).equals(file)).toBe(true);

    const raw = await new Promise<{ encoding?: string; body: Buffer }>((resolve) => {
      import("node:http").then(({ get }) =>
        get(url, { headers: { "accept-encoding": "gzip, br" } }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ encoding: res.headers["content-encoding"], body: Buffer.concat(chunks) }));
        }),
      );
    });
    expect(raw.encoding).toBe("gzip");
    expect(gunzipSync(raw.body).equals(file)).toBe(true);

    const etag = plain.headers.get("etag")!;
    expect((await fetch(url, { headers: { "if-none-match": etag } })).status).toBe(304);
    expect((await fetch(url, { headers: { "if-none-match": `W/${etag}, "other"` } })).status).toBe(304);
    expect((await fetch(url, { headers: { "if-none-match": '"stale"' } })).status).toBe(200);
  });

  it("only GET and HEAD", async () => {
    expect((await fetch(url, { method: "HEAD" })).status).toBe(200);
    const post = await fetch(url, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });
});
