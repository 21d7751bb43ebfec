/**
 * The API key of a request: `Authorization: Bearer <key>` or `X-API-Key: <key>`.
 * Returns null when neither header carries a key.
 */
export function apiKeyFromHeaders(authorization: string | null | undefined, xApiKey: string | null | undefined): string | null {
  if (authorization) {
    const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1]!;
  }
  const header = xApiKey?.trim();
  return header ? header : null;
}
