import { formatAge, useNow } from "../clock";

/** A tick's age; marked stale when the broadcaster says its symbol is (no guessing from the age). */
export function TickAge({ ts, stale = false }: { ts: number; stale?: boolean }) {
  const age = useNow() - ts;
  return (
    <span className={stale ? "age stale" : "age"} data-testid="age" title={new Date(ts).toLocaleString()}>
      {stale ? `stale · ${formatAge(age)}` : formatAge(age)}
    </span>
  );
}
