/**
 * A site's hostnames: where its browser collector may send from (docs/sites.md). Plain lower-case
 * host names without scheme, port or path; "*.example.com" also accepts every subdomain.
 */

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOSTNAME = new RegExp(`^(?:\\*\\.)?(?:${LABEL}\\.)*${LABEL}$`);
export const MAX_HOSTNAMES = 50;

export class HostnameError extends Error {}

/** Lower-cases, trims and checks one hostname; throws HostnameError naming what is wrong. */
export function normalizeHostname(input: string): string {
  const host = input.trim().toLowerCase().replace(/\.$/, "");
  if (/^[a-z]+:\/\//.test(host) || /[/:?#@]/.test(host)) {
    throw new HostnameError(`"${input}" must be a host name only, like shop.example.com (no https://, port or path)`);
  }
  if (host.length === 0 || host.length > 253 || !HOSTNAME.test(host)) throw new HostnameError(`"${input}" is not a host name`);
  return host;
}

export function normalizeHostnames(inputs: readonly string[]): string[] {
  const hosts = [
    ...new Set(
      inputs
        .map((h) => h.trim())
        .filter(Boolean)
        .map(normalizeHostname),
    ),
  ];
  if (hosts.length > MAX_HOSTNAMES) throw new HostnameError(`at most ${MAX_HOSTNAMES} hostnames`);
  return hosts;
}

/** Whether `host` (from a request's Origin) is one of the site's hostnames. */
export function hostnameAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase();
  return allowed.some((a) => (a.startsWith("*.") ? h === a.slice(2) || h.endsWith(a.slice(1)) : h === a));
}
