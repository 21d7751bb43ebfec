/** IANA time zones (docs/sites.md): a site's dates are days in its zone. */

const known = new Map<string, boolean>();

/** Whether Node's ICU knows this IANA zone name (e.g. "Europe/Berlin", "UTC"). */
export function isTimeZone(name: string): boolean {
  let ok = known.get(name);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: name });
      ok = /^[A-Za-z0-9_+\-/]{1,64}$/.test(name);
    } catch {
      ok = false;
    }
    known.set(name, ok);
  }
  return ok;
}

/** Every zone the runtime knows, for the settings form (UTC first). */
export function timeZoneNames(): string[] {
  const names = Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC");
  return ["UTC", ...names];
}
