import { describe, expect, it } from "vitest";
import { refuseUnsafeMutation } from "./mutationGuard";

const APP = "https://pulse.example.com";

function request(method: string, headers: Record<string, string>): Request {
  return new Request(`${APP}/api/trpc/apiKeys.create`, { method, headers, body: method === "POST" ? "{}" : undefined });
}

describe("refuseUnsafeMutation", () => {
  it("lets a same-origin JSON POST through", () => {
    for (const origin of [APP, "https://PULSE.example.com", "https://pulse.example.com:443"]) {
      for (const type of ["application/json", "application/json; charset=utf-8", "Application/JSON"]) {
        expect(refuseUnsafeMutation(request("POST", { origin, "content-type": type }), APP), `${origin} ${type}`).toBeNull();
      }
    }
  });

  it("answers 403 for a missing, opaque, malformed or foreign Origin", () => {
    const foreign = [
      "https://evil.example",
      "http://pulse.example.com",
      "https://pulse.example.com:8443",
      "https://pulse.example.com.evil.example",
      "null",
      "not a url",
    ];
    for (const origin of [...foreign, undefined]) {
      const headers: Record<string, string> = { "content-type": "application/json", ...(origin === undefined ? {} : { origin }) };
      expect(refuseUnsafeMutation(request("POST", headers), APP)?.status, String(origin)).toBe(403);
    }
  });

  it("answers 415 for a same-origin body that is not JSON", () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp"]) {
      expect(refuseUnsafeMutation(request("POST", { origin: APP, "content-type": type }), APP)?.status, type).toBe(415);
    }
    expect(refuseUnsafeMutation(request("POST", { origin: APP }), APP)?.status).toBe(415);
  });

  it("leaves GET (queries) alone", () => {
    expect(refuseUnsafeMutation(request("GET", {}), APP)).toBeNull();
  });
});
