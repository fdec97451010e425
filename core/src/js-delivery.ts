/** What the reply subject of a JetStream delivery says about it. */
export interface Delivery {
  streamSeq: number;
  deliverySeq: number;
  pending: number;
  /** Where the stored time (ns since epoch, in decimal) sits in the reply subject. */
  storedNanosStart: number;
  storedNanosEnd: number;
}

const DOT = 46;
const ZERO = 48;
const MAX_DOTS = 12;
const dotsSeen = new Int32Array(MAX_DOTS);

/**
 * Parses `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ns>.<pending>` and the longer
 * form with a domain and an account hash after `ACK` and a token at the end. It runs once per
 * tick of a window, so it reads the subject in place instead of splitting it into strings.
 */
export function parseDelivery(reply: string): Delivery | undefined {
  if (!reply.startsWith("$JS.ACK.")) return undefined;
  let dots = 0;
  for (let i = 0; i < reply.length; i++) {
    if (reply.charCodeAt(i) !== DOT) continue;
    if (dots === MAX_DOTS) return undefined;
    dotsSeen[dots++] = i;
  }
  const first = dots === 8 ? 5 : dots >= 10 ? 7 : -1; // the token of the stream sequence
  if (first < 0) return undefined;
  // Token n (from 0) lies between dot n-1 and dot n.
  const streamSeq = decimalAt(reply, dotsSeen[first - 1]! + 1, dotsSeen[first]!);
  const deliverySeq = decimalAt(reply, dotsSeen[first]! + 1, dotsSeen[first + 1]!);
  const pendingEnd = first + 3 < dots ? dotsSeen[first + 3]! : reply.length;
  const pending = decimalAt(reply, dotsSeen[first + 2]! + 1, pendingEnd);
  if (Number.isNaN(streamSeq + deliverySeq + pending)) return undefined;
  return { streamSeq, deliverySeq, pending, storedNanosStart: dotsSeen[first + 1]! + 1, storedNanosEnd: dotsSeen[first + 2]! };
}

/** The decimal integer at text[start, end), or NaN. */
function decimalAt(text: string, start: number, end: number): number {
  if (start >= end) return Number.NaN;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** Whether the decimal integer at text[start, end) is greater than `limit` (both without leading zeros; exact beyond 2^53). */
export function decimalAfter(text: string, start: number, end: number, limit: string): boolean {
  if (end - start !== limit.length) return end - start > limit.length;
  for (let i = 0; i < limit.length; i++) {
    const difference = text.charCodeAt(start + i) - limit.charCodeAt(i);
    if (difference !== 0) return difference > 0;
  }
  return false;
}
