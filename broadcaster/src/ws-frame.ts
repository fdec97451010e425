/** What a pre-framed message is written to: the connection's own TCP socket. */
export interface FrameSink {
  write(frame: Buffer): unknown;
}

const FIN_TEXT = 0x81;

/**
 * One unmasked WebSocket text frame (RFC 6455 §5.2) holding `payload`, as the server sends
 * it: made once and written as is to every socket that gets the same message.
 */
export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = FIN_TEXT;
  if (length < 126) frame[1] = length;
  else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}
