/**
 * The UI benchmark's baseline (`pnpm --dir bench ui`), an entry of its own: the same app, but
 * every tick rendered on its own as it comes off the socket, and no windowing. Nothing of it is
 * in the production build.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createRoot } from "react-dom/client";
import { flushSync } from "react-dom";
import { App } from "../src/App";
import { RenderPolicyContext, type RenderPolicy } from "../src/render-policy";
import "../src/styles.css";

const everyTickAtOnce: RenderPolicy = {
  windowAboveRows: Number.POSITIVE_INFINITY,
  scheduleFrame: (flush) => flush(),
  deliverTicks: (ticks, applyTicks) => ticks.forEach((tick) => flushSync(() => applyTicks([tick]))),
};

createRoot(document.getElementById("root")!).render(
  <RenderPolicyContext.Provider value={everyTickAtOnce}>
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: 2, refetchOnWindowFocus: false } } })}>
      <App />
    </QueryClientProvider>
  </RenderPolicyContext.Provider>,
);
