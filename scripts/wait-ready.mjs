// Prints `message` once every URL answers 2xx (each service's /healthz, the UI's page), so the
// line a person acts on comes only when a page opened at once works. Gives up after 5 minutes.
//   node scripts/wait-ready.mjs "CryptoStream is ready: open http://localhost:3000" http://127.0.0.1:8080/healthz ...
const [message, ...urls] = process.argv.slice(2);
const deadline = Date.now() + 5 * 60_000;

const answers = async (url) => {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
};

while (Date.now() < deadline) {
  const ready = await Promise.all(urls.map(answers));
  if (ready.every(Boolean)) {
    process.stdout.write(`\n  ${message}\n\n`);
    process.exit(0);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
process.stderr.write(`not ready after 5 minutes: ${urls.join(" ")}\n`);
process.exit(1);
