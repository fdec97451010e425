import { describe, expect, it } from "vitest";
import { clientAddress, parseTrustedProxies, type TrustedProxies } from "./client-address";

const trust = (text: string) => parseTrustedProxies(text) as TrustedProxies;

describe("clientAddress", () => {
  it("is the peer when no proxy is trusted, whatever the client wrote", () => {
    expect(clientAddress("203.0.113.9", "1.2.3.4", trust("false"))).toBe("203.0.113.9");
  });

  it("with one trusted hop takes the entry the proxy appended, not the leftmost one the client wrote", () => {
    // nginx's $proxy_add_x_forwarded_for: the client's own header, then the address nginx saw.
    expect(clientAddress("172.18.0.5", "6.6.6.6, 7.7.7.7, 203.0.113.9", trust("true"))).toBe("203.0.113.9");
    expect(clientAddress("172.18.0.5", "203.0.113.9", trust("1"))).toBe("203.0.113.9");
    expect(clientAddress("172.18.0.5", "1.1.1.1, 203.0.113.9, 10.0.0.2", trust("2"))).toBe("203.0.113.9");
    expect(clientAddress("172.18.0.5", undefined, trust("1"))).toBe("172.18.0.5");
  });

  it("with trusted addresses walks from the right past every trusted proxy to the first untrusted hop", () => {
    const proxies = trust("10.0.0.0/8, ::1");
    expect(clientAddress("::ffff:10.0.0.7", "6.6.6.6, 203.0.113.9, 10.1.2.3", proxies)).toBe("203.0.113.9");
    expect(clientAddress("203.0.113.50", "6.6.6.6", proxies)).toBe("203.0.113.50");
    expect(clientAddress("::1", "10.0.0.1, 10.0.0.2", proxies)).toBe("10.0.0.1");
  });

  it.each(["yes", "11", "10.0.0.0/33", "not-an-ip", "10.0.0.1/8/2", "::1/129"])("refuses TRUST_PROXY=%j with a reason", (text) => {
    expect(typeof parseTrustedProxies(text)).toBe("string");
  });
});
