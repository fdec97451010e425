import react from "@vitejs/plugin-react";
import { defineConfig, type ProxyOptions } from "vite";

const broadcasterUrl = process.env.BROADCASTER_URL ?? "http://127.0.0.1:8080";
const historyUrl = process.env.HISTORY_URL ?? "http://127.0.0.1:8081";
const port = Number(process.env.UI_PORT ?? 3000);

/**
 * The browser talks to one origin: `/ws` goes to the broadcaster, `/api` to history. `xfwd`
 * appends the browser's address to `X-Forwarded-For`, which the services take as the client's
 * from this one hop (`TRUST_PROXY=1` in scripts/run-stack.sh), so their per-address limits hold.
 */
const proxy: Record<string, ProxyOptions> = {
  "/ws": { target: broadcasterUrl, ws: true, xfwd: true },
  "/api": { target: historyUrl, xfwd: true },
};

export default defineConfig({
  plugins: [react()],
  server: { port, strictPort: true, proxy },
  preview: { port, strictPort: true, proxy },
  build: {
    sourcemap: true,
    rolldownOptions: {
      output: {
        // Vendor code changes rarely: separate chunks stay cached across releases.
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: "charts", test: /node_modules[\\/](recharts|d3-[a-z-]+|victory-vendor|es-toolkit|immer|reselect|@reduxjs|redux|decimal\.js-light)/ },
          ],
        },
      },
    },
  },
});
