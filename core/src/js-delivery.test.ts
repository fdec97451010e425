import { describe, expect, it } from "vitest";
import { parseDelivery } from "./js-delivery";

describe("parseDelivery", () => {
  it("reads the reply subject nats-server 2.9 and later send", () => {
    const reply = "$JS.ACK.PRICES.zU5dYXoT.1.90071992547409.42.1763800000123456789.7";
    const delivery = parseDelivery(reply);
    expect(delivery).toMatchObject({ streamSeq: 90071992547409, deliverySeq: 42, pending: 7 });
    expect(reply.slice(delivery!.storedNanosStart, delivery!.storedNanosEnd)).toBe("1763800000123456789");
  });

  it("reads the longer form with a domain, an account hash and a trailing token", () => {
    const reply = "$JS.ACK.hub.ACCHASH.PRICES.zU5dYXoT.1.1001.3.1763800000123456789.0.Xk2";
    const delivery = parseDelivery(reply);
    expect(delivery).toMatchObject({ streamSeq: 1001, deliverySeq: 3, pending: 0 });
    expect(reply.slice(delivery!.storedNanosStart, delivery!.storedNanosEnd)).toBe("1763800000123456789");
  });

  it.each([
    ["an empty reply", ""],
    ["a plain inbox", "_INBOX.abc.def"],
    ["too few tokens", "$JS.ACK.PRICES.c.1.2.3"],
    ["a sequence that is not a number", "$JS.ACK.PRICES.c.1.x.3.1763800000123456789.0"],
    ["an empty token", "$JS.ACK.PRICES.c.1..3.1763800000123456789.0"],
  ])("refuses %s", (_, reply) => {
    expect(parseDelivery(reply)).toBeUndefined();
  });
});
