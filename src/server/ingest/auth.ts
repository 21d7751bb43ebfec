/**
 * The API key of a request: `Authorization: Bearer <key>` or `X-API-Key: <key>`.
 * Returns null when neither header carries a key.
 */
export function apiKeyFromHeaders(headers: Headers): string | null {
  const authorization = headers.get("authorization");
  if (authorization) {
    const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1]!;
  }
  const header = headers.get("x-api-key")?.trim();
  return header ? header : null;
}
