import type { SequencedTick } from "@cryptostream/core/contracts";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { fetchHistory, fetchSymbols, fetchWindow } from "../api";
import { formatChange, formatPrice } from "../format";
import { advance, playedTicks, seriesStats } from "../replay";
import { linkTo, useSearchView } from "../route";
import { mergeSeries } from "../series";
import { usePriceStore } from "../store";
import { chartViewFromSearch, searchFromChartView } from "../timeframes";
import { basePrice, change24h } from "../changes";
import { CandlePanel, TimeframeSwitch } from "./CandlePanel";
import { CoinIcon } from "./CoinIcon";
import { DetailChart } from "./DetailChart";
import { ReplayPanel, type Playback } from "./ReplayPanel";
import { SeriesStats } from "./SeriesStats";
import { SourceNote, useSymbolStatus } from "./DataStatus";
import { TickAge } from "./TickAge";
import { VenuePanel } from "./VenuePanel";

const NO_TICKS: SequencedTick[] = [];
const PLAYBACK_STEP_MS = 100;

/** Plays a fetched window: the position moves by real time times the speed until the last tick. */
function usePlayback(ticks: readonly SequencedTick[] | undefined, playback: Playback | undefined, update: (next: Playback) => void) {
  const firstTs = ticks?.[0]?.ts;
  const lastTs = ticks?.[ticks.length - 1]?.ts;
  useEffect(() => {
    if (!playback || firstTs === undefined || playback.positionTs >= firstTs) return;
    update({ ...playback, positionTs: firstTs });
  }, [playback, firstTs, update]);
  useEffect(() => {
    if (!playback?.playing || lastTs === undefined) return;
    const timer = setInterval(() => {
      const positionTs = advance(playback.positionTs, PLAYBACK_STEP_MS, playback.speed, lastTs);
      update({ ...playback, positionTs, playing: positionTs < lastTs });
    }, PLAYBACK_STEP_MS);
    return () => clearInterval(timer);
  }, [playback, lastTs, update]);
}

/** The Live view: the last 50 ticks and every live one, and a replay of a recent window. */
function LivePanel({ symbol, live, rising }: { symbol: string; live: readonly SequencedTick[]; rising: boolean }) {
  // Fetched again on arrival: the board's feed is throttled, so the live ticks it kept may skip some.
  const history = useQuery({
    queryKey: ["history", symbol],
    queryFn: ({ signal }) => fetchHistory(symbol, signal),
    staleTime: Infinity,
    refetchOnMount: "always",
  });
  const [playback, setPlayback] = useState<Playback | undefined>(undefined);
  const replayWindow = useQuery({
    queryKey: ["window", symbol, playback?.minutes],
    queryFn: ({ signal }) => fetchWindow(symbol, playback!.minutes, signal),
    enabled: playback !== undefined,
    staleTime: Infinity,
  });
  usePlayback(replayWindow.data, playback, setPlayback);

  const liveSeries = useMemo(() => mergeSeries(history.data?.ticks ?? NO_TICKS, live), [history.data, live]);
  const windowTicks = replayWindow.data ?? NO_TICKS;
  const series = playback ? playedTicks(windowTicks, playback.positionTs) : liveSeries;
  const firstTs = windowTicks[0]?.ts ?? 0;
  const lastTs = windowTicks[windowTicks.length - 1]?.ts ?? 0;
  return (
    <>
      <SeriesStats stats={seriesStats(series)} count={series.length} />
      <DetailChart series={series} rising={rising} domain={playback && windowTicks.length > 0 ? [firstTs, lastTs] : undefined} />
      <ReplayPanel playback={playback} onPlayback={setPlayback} windowTicks={windowTicks} loading={replayWindow.isPending} />
    </>
  );
}

export function CoinPage({ symbol }: { symbol: string }) {
  const [chartView, setChartView] = useSearchView(chartViewFromSearch, searchFromChartView);
  const tick = usePriceStore((state) => state.latest[symbol]);
  const live = usePriceStore((state) => state.live[symbol] ?? NO_TICKS);
  const standing = usePriceStore((state) => state.references[symbol]);
  const { stale, sourceDown } = useSymbolStatus(symbol, tick?.source);
  // Asked again every minute, as the board does: the 24-hour change's base (24 h before the answer) moves on with it.
  const assets = useQuery({ queryKey: ["symbols"], queryFn: ({ signal }) => fetchSymbols(signal), staleTime: 60_000, refetchInterval: 60_000 });
  const entry = assets.data?.symbols.find((s) => s.symbol === symbol);
  const asset = entry?.asset;
  const name = asset?.name ?? symbol.toUpperCase();
  const base24h = basePrice(entry, "24h");
  const change = tick && change24h(tick, base24h);
  const rising = (change ?? 0) >= 0;

  return (
    <article className="coin-page" aria-label={`${name} detail`}>
      <a className="back" {...linkTo("/")}>
        ← All coins
      </a>
      <header className="coin-header">
        <CoinIcon symbol={symbol} image={asset?.image} />
        <h2>
          {name} {asset && <span className="ticker">{symbol.toUpperCase()}</span>}
        </h2>
        {tick && (
          <>
            <span className="price" data-testid="price">
              {formatPrice(tick.price)}
            </span>
            {change !== undefined && (
              <span
                className={`change ${rising ? "up" : "down"}`}
                data-testid="change-24h"
                title={base24h === undefined ? "24 h, as the venues report it" : "24 h"}
              >
                {formatChange(change)}
              </span>
            )}
            <TickAge ts={tick.ts} stale={stale !== undefined} />
            <SourceNote source={tick.source} down={sourceDown} />
          </>
        )}
      </header>

      <VenuePanel tick={tick} standing={standing} />
      <TimeframeSwitch view={chartView} onView={setChartView} />
      {chartView.timeframe === "live" ? (
        <LivePanel symbol={symbol} live={live} rising={rising} />
      ) : (
        <CandlePanel symbol={symbol} timeframe={chartView.timeframe} mode={chartView.mode} live={live} base24h={base24h} />
      )}
    </article>
  );
}
