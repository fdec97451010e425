import { describe, expect, it } from "vitest";
import { formatChange, formatPrice } from "./format";

describe("formatPrice", () => {
  it.each([
    [98421.57, "$98,421.57"],
    [98421.5, "$98,421.50"],
    [3412.884, "$3,412.88"],
    [241.37, "$241.37"],
    [1.23456, "$1.2346"],
    [0.4512, "$0.4512"],
    [0.449, "$0.4490"],
    [0.000012134, "$0.00001213"],
  ])("%d is %s", (price, text) => expect(formatPrice(price)).toBe(text));
});

describe("formatChange", () => {
  it.each([
    [1.62491, "+1.62%"],
    [-0.456, "\u22120.46%"],
    [0.001, "0.00%"],
    [-0.001, "0.00%"],
  ])("%d is %s", (percent, text) => expect(formatChange(percent)).toBe(text));
});
