import { formatAge, useNow } from "../clock";

/** Past this, a tick is shown as stale. */
export const STALE_AFTER_MS = 60_000;

export function TickAge({ ts }: { ts: number }) {
  const age = useNow() - ts;
  const stale = age > STALE_AFTER_MS;
  return (
    <span className={stale ? "age stale" : "age"} data-testid="age" title={new Date(ts).toLocaleString()}>
      {stale ? `stale · ${formatAge(age)}` : formatAge(age)}
    </span>
  );
}
