import { useEffect, useState } from "react";
import { usePriceStore, type ConnectionStatus } from "../store";

export function statusLabel(status: ConnectionStatus, now: number): string {
  switch (status.state) {
    case "connecting":
      return "Connecting";
    case "live":
      return "Live";
    case "reconnecting":
      return `Reconnecting in ${Math.max(0, Math.ceil((status.retryAt - now) / 1000))} s`;
    case "offline":
      return "Offline";
  }
}

export function StatusPill() {
  const status = usePriceStore((state) => state.status);
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (status.state !== "reconnecting") return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [status]);
  return (
    <span className={`status-pill status-${status.state}`} role="status" aria-live="polite" data-testid="status">
      {statusLabel(status, now)}
    </span>
  );
}
