// Exits 0 when something accepts TCP connections at the host and port of a URL (nats://host:port),
// trying for up to the seconds given second (default: once), else 1.
//   node scripts/port-open.mjs http://127.0.0.1:9100 30
import { connect } from "node:net";

const url = new URL(process.argv[2] ?? "nats://127.0.0.1:4222");
const deadline = Date.now() + Number(process.argv[3] ?? 0) * 1_000;
const port = Number(url.port || (url.protocol === "http:" ? 80 : 4222));

const answers = () =>
  new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port, timeout: 1000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });

for (;;) {
  if (await answers()) process.exit(0);
  if (Date.now() >= deadline) process.exit(1);
  await new Promise((resolve) => setTimeout(resolve, 100));
}
