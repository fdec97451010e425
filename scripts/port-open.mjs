// Exits 0 when something accepts TCP connections at the host and port of a URL (nats://host:port).
import { connect } from "node:net";

const url = new URL(process.argv[2] ?? "nats://127.0.0.1:4222");
const socket = connect({ host: url.hostname, port: Number(url.port || 4222), timeout: 1000 });
socket.once("connect", () => process.exit(0));
socket.once("error", () => process.exit(1));
socket.once("timeout", () => process.exit(1));
