import type { SequencedTick } from "@cryptostream/core/contracts";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { fetchCandles } from "../api";
import { change24h } from "../changes";
import { formatChange } from "../format";
import { RANGES, TIMEFRAME_LABELS, TIMEFRAMES, chartBars, withLiveTicks, type ChartMode, type Timeframe } from "../timeframes";
import { CandleChart } from "./CandleChart";

type ChartView = { timeframe: Timeframe; mode: ChartMode };

/** Live, 1H, 24H, 7D, 30D, 1Y, and candles or a line. */
export function TimeframeSwitch({ view, onView }: { view: ChartView; onView: (view: ChartView) => void }) {
  return (
    <div className="timeframes" role="toolbar" aria-label="Chart range">
      {TIMEFRAMES.map((timeframe) => (
        <button key={timeframe} type="button" aria-pressed={view.timeframe === timeframe} onClick={() => onView({ ...view, timeframe })}>
          {TIMEFRAME_LABELS[timeframe]}
        </button>
      ))}
      {view.timeframe !== "live" && (
        <span className="chart-modes">
          {(["candles", "line"] as const).map((mode) => (
            <button key={mode} type="button" aria-pressed={view.mode === mode} onClick={() => onView({ ...view, mode })}>
              {mode === "candles" ? "Candles" : "Line"}
            </button>
          ))}
        </span>
      )}
    </div>
  );
}

/**
 * A range of candles from `/api/candles`, with the live ticks folded into the forming candle by
 * the same `CandleAggregator` the server uses, so the last bar moves with every tick.
 */
export function CandlePanel({
  symbol,
  timeframe,
  mode,
  live,
  base24h,
}: {
  symbol: string;
  timeframe: Exclude<Timeframe, "live">;
  mode: ChartMode;
  live: readonly SequencedTick[];
  /** The 24-hour change's base (see `change24h`): the 24H range's change is that one, as in the header and on the board. */
  base24h?: number | undefined;
}) {
  const { spanMs, interval } = RANGES[timeframe];
  const candles = useQuery({
    queryKey: ["candles", symbol, timeframe],
    queryFn: ({ signal }) => fetchCandles(symbol, interval, Date.now() - spanMs, signal),
    staleTime: 60_000,
    refetchInterval: 60_000,
  });
  const bars = useMemo(() => {
    if (!candles.data) return [];
    const { closed, forming } = withLiveTicks(candles.data.candles, candles.data.forming, live, interval);
    return chartBars(closed, forming, interval, Date.now() - spanMs, Date.now());
  }, [candles.data, live, interval, spanMs]);
  const first = bars.find((bar) => bar.open !== null);
  const last = bars.findLast((bar) => bar.close !== null);
  const change =
    timeframe === "24h" && base24h !== undefined && last
      ? change24h({ price: last.close! }, base24h)
      : first && last
        ? (last.close! / first.open! - 1) * 100
        : undefined;
  const rising = (change ?? 0) >= 0;
  if (candles.isError) return <p className="empty">Candles could not be loaded: {candles.error.message}</p>;
  if (!candles.data) return <p className="empty">Loading candles…</p>;
  return (
    <section aria-label={`${TIMEFRAME_LABELS[timeframe]} chart`}>
      <p className="range-change">
        {change === undefined ? (
          "No data in this range yet"
        ) : (
          <span className={`change ${rising ? "up" : "down"}`} data-testid="range-change">
            {formatChange(change)}
          </span>
        )}{" "}
        <span className="muted">
          over {TIMEFRAME_LABELS[timeframe]}, {interval} candles
        </span>
      </p>
      <CandleChart bars={bars} mode={mode} timeframe={timeframe} rising={rising} />
    </section>
  );
}
