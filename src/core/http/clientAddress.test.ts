import { isIP } from "node:net";
import { describe, expect, it } from "vitest";
import {
  CLIENT_ADDRESS_HEADER,
  clientAddressFromHeaders,
  isIpOrCidr,
  normalizeIp,
  parseTrustedProxies,
  pickClientAddress,
  stampClientAddress,
  UNKNOWN_ADDRESS,
} from "./clientAddress";

describe("normalizeIp", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["::ffff:127.0.0.1", "127.0.0.1"],
    ["::FFFF:7f00:1", "127.0.0.1"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8:0000:1:0:0:0:0", "2001:db8:0:1::"],
    ["::", "::"],
    ["::1", "::1"],
    ["1:0:0:2:0:0:0:3", "1:0:0:2::3"],
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
    ["fe80::1%eth0", "fe80::1"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
  ])("%s → %s", (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
    expect(isIP(expected)).not.toBe(0);
  });

  it.each([
    "",
    "unknown",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3.4 x",
    "0x7f.0.0.1",
    ":::",
    "1::2::3",
    "12345::",
    "1:2:3:4:5:6:7:8:9",
    "::ffff:1.2.3",
    "fe80::1%",
    "g::1",
  ])("refuses %j", (input) => {
    expect(normalizeIp(input)).toBeNull();
  });
});

describe("isIpOrCidr", () => {
  it.each(["10.0.0.5", "192.168.0.0/16", "0.0.0.0/0", "10.0.0.5/32", "fd00::/8", "::1", "::ffff:10.0.0.0/104", "::/0"])(
    "accepts %s",
    (entry) => {
      expect(isIpOrCidr(entry)).toBe(true);
    },
  );
  it.each(["", "localhost", "10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/8/8", "10.0.0.0/-1", "10.0.0.0/08x"])(
    "refuses %j",
    (entry) => {
      expect(isIpOrCidr(entry)).toBe(false);
    },
  );
});

describe("pickClientAddress", () => {
  const none = parseTrustedProxies([]);
  const local = parseTrustedProxies(["127.0.0.1"]);
  const chain = parseTrustedProxies(["10.0.0.0/8", "2001:db8::/32"]);

  it("without trusted proxies is the socket's peer, whatever the header says", () => {
    expect(pickClientAddress("127.0.0.1", "203.0.113.9", none)).toBe("127.0.0.1");
    expect(pickClientAddress("::ffff:198.51.100.7", "203.0.113.9, 10.0.0.1", none)).toBe("198.51.100.7");
    expect(pickClientAddress("198.51.100.7", undefined, none)).toBe("198.51.100.7");
  });

  it("from an untrusted peer ignores the header even when proxies are configured", () => {
    expect(pickClientAddress("198.51.100.7", "203.0.113.9", local)).toBe("198.51.100.7");
  });

  it("from a trusted peer takes the hop it reports", () => {
    expect(pickClientAddress("127.0.0.1", "203.0.113.9", local)).toBe("203.0.113.9");
    expect(pickClientAddress("::ffff:127.0.0.1", "203.0.113.9", local)).toBe("203.0.113.9");
    expect(pickClientAddress("127.0.0.1", " 2001:DB8::7 ", local)).toBe("2001:db8::7");
  });

  it("walks from the right only while the hop is trusted, so a client's own entries do not count", () => {
    // The client wrote "1.1.1.1" itself; the proxies 10.0.0.2 and 10.0.0.1 appended what they saw.
    expect(pickClientAddress("10.0.0.1", "1.1.1.1, 203.0.113.9, 10.0.0.2", chain)).toBe("203.0.113.9");
    expect(pickClientAddress("10.0.0.1", ["1.1.1.1, 203.0.113.9", "10.0.0.2"], chain)).toBe("203.0.113.9");
    expect(pickClientAddress("2001:db8::1", "203.0.113.9", chain)).toBe("203.0.113.9");
  });

  it("stops at the last trusted hop when the next entry is not an address", () => {
    expect(pickClientAddress("10.0.0.1", "203.0.113.9, unknown", chain)).toBe("10.0.0.1");
    expect(pickClientAddress("10.0.0.1", "", chain)).toBe("10.0.0.1");
  });

  it("is the last trusted hop when every hop is trusted", () => {
    expect(pickClientAddress("10.0.0.1", "10.0.0.3, 10.0.0.2", chain)).toBe("10.0.0.3");
  });

  it("reads entries with ports", () => {
    expect(pickClientAddress("127.0.0.1", "203.0.113.9:51234", local)).toBe("203.0.113.9");
    expect(pickClientAddress("127.0.0.1", "[2001:db8::7]:443", local)).toBe("2001:db8::7");
    expect(pickClientAddress("127.0.0.1", "[2001:db8::7]", local)).toBe("2001:db8::7");
  });

  it("matches IPv4 ranges against IPv4-mapped peers and IPv6 ranges by prefix", () => {
    const mapped = parseTrustedProxies(["::ffff:10.0.0.0/104"]);
    expect(pickClientAddress("10.1.2.3", "203.0.113.9", mapped)).toBe("203.0.113.9");
    expect(pickClientAddress("11.1.2.3", "203.0.113.9", mapped)).toBe("11.1.2.3");
    const v6 = parseTrustedProxies(["fd00::/8"]);
    expect(pickClientAddress("fdff::1", "203.0.113.9", v6)).toBe("203.0.113.9");
    expect(pickClientAddress("fe00::1", "203.0.113.9", v6)).toBe("fe00::1");
    const odd = parseTrustedProxies(["192.168.4.0/22"]);
    expect(pickClientAddress("192.168.7.255", "203.0.113.9", odd)).toBe("203.0.113.9");
    expect(pickClientAddress("192.168.8.0", "203.0.113.9", odd)).toBe("192.168.8.0");
  });

  it("is unknown without a peer address", () => {
    expect(pickClientAddress(undefined, "203.0.113.9", local)).toBe(UNKNOWN_ADDRESS);
  });

  it("refuses a bad trusted-proxy entry", () => {
    expect(() => parseTrustedProxies(["10.0.0.0/8", "proxy.local"])).toThrow(/proxy\.local/);
  });
});

describe("stampClientAddress and clientAddressFromHeaders", () => {
  it("ignores the header until our web server has stamped it (a client could have written it)", () => {
    expect(clientAddressFromHeaders({ [CLIENT_ADDRESS_HEADER]: "6.6.6.6" })).toBe(UNKNOWN_ADDRESS);
  });

  it("replaces a client-sent copy of the private header and reads it back from either header form", () => {
    const headers: Record<string, string | string[] | undefined> = {
      "x-forwarded-for": "203.0.113.9",
      [CLIENT_ADDRESS_HEADER]: ["6.6.6.6", "7.7.7.7"],
    };
    expect(stampClientAddress(headers, "::ffff:127.0.0.1", parseTrustedProxies([]))).toBe("127.0.0.1");
    expect(headers[CLIENT_ADDRESS_HEADER]).toBe("127.0.0.1");
    expect(clientAddressFromHeaders(headers)).toBe("127.0.0.1");
    expect(clientAddressFromHeaders(new Headers({ [CLIENT_ADDRESS_HEADER]: "2001:DB8::1" }))).toBe("2001:db8::1");
    expect(clientAddressFromHeaders(new Headers())).toBe(UNKNOWN_ADDRESS);
    expect(clientAddressFromHeaders({ [CLIENT_ADDRESS_HEADER]: "not-an-ip" })).toBe(UNKNOWN_ADDRESS);
  });
});
