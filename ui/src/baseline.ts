/**
 * A build for benchmarks only (`VITE_RENDER_EVERY_TICK=1`): each tick rendered on
 * its own as it comes off the socket, and no windowing. `pnpm --dir bench ui`
 * measures the real build against it; the flag is false, and the code behind it
 * dropped, in every other build.
 */
export const RENDER_EVERY_TICK = import.meta.env.VITE_RENDER_EVERY_TICK === "1";
