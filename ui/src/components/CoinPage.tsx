import type { SequencedTick } from "@cryptostream/core/contracts";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { fetchHistory, fetchSymbols, fetchWindow } from "../api";
import { formatChange, formatPrice } from "../format";
import { REPLAY_SPEEDS, REPLAY_WINDOWS_MINUTES, advance, playedTicks, seriesStats } from "../replay";
import { linkTo } from "../route";
import { mergeSeries } from "../series";
import { usePriceStore } from "../store";
import { CoinIcon } from "./CoinIcon";
import { TickAge } from "./TickAge";

const NO_TICKS: SequencedTick[] = [];
const PLAYBACK_STEP_MS = 100;
const time = (ts: number) => new Date(ts).toLocaleTimeString();

interface Playback {
  minutes: number;
  speed: number;
  playing: boolean;
  positionTs: number;
}

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

export function CoinPage({ symbol }: { symbol: string }) {
  const tick = usePriceStore((state) => state.latest[symbol]);
  const live = usePriceStore((state) => state.live[symbol] ?? NO_TICKS);
  const history = useQuery({ queryKey: ["history", symbol], queryFn: ({ signal }) => fetchHistory(symbol, signal), staleTime: Infinity });
  const assets = useQuery({ queryKey: ["symbols"], queryFn: ({ signal }) => fetchSymbols(signal), staleTime: 5 * 60_000 });
  const asset = assets.data?.symbols.find((s) => s.symbol === symbol)?.asset;
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
  const stats = seriesStats(series);
  const firstTs = windowTicks[0]?.ts ?? 0;
  const lastTs = windowTicks[windowTicks.length - 1]?.ts ?? 0;
  const name = asset?.name ?? symbol.toUpperCase();
  const rising = (tick?.change24h ?? 0) >= 0;

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
            {tick.change24h !== undefined && <span className={`change ${rising ? "up" : "down"}`}>{formatChange(tick.change24h)}</span>}
            <TickAge ts={tick.ts} />
          </>
        )}
      </header>

      <dl className="stats" data-testid="stats">
        <div>
          <dt>Min</dt>
          <dd>{stats ? formatPrice(stats.min) : "–"}</dd>
        </div>
        <div>
          <dt>Max</dt>
          <dd>{stats ? formatPrice(stats.max) : "–"}</dd>
        </div>
        <div>
          <dt>Last</dt>
          <dd>{stats ? formatPrice(stats.last) : "–"}</dd>
        </div>
        <div>
          <dt>Ticks</dt>
          <dd>{series.length}</dd>
        </div>
      </dl>

      <div className="detail-chart" data-testid="detail-chart">
        <ResponsiveContainer width="100%" height={360}>
          <LineChart data={series} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
            <XAxis
              dataKey="ts"
              type="number"
              scale="time"
              domain={playback && windowTicks.length > 0 ? [firstTs, lastTs] : ["dataMin", "dataMax"]}
              tickFormatter={time}
              stroke="var(--muted)"
            />
            <YAxis domain={["auto", "auto"]} tickFormatter={(v: number) => formatPrice(v)} width={96} stroke="var(--muted)" />
            <Tooltip
              formatter={(value) => [formatPrice(Number(value)), "Price"]}
              labelFormatter={(ts) => time(Number(ts))}
              contentStyle={{ background: "var(--card)", borderColor: "var(--border)" }}
            />
            <Line type="linear" dataKey="price" stroke={rising ? "var(--up)" : "var(--down)"} strokeWidth={2} dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>

      <section className="replay" aria-label="Replay">
        {playback === undefined ? (
          <div className="replay-start">
            <span>Replay the last</span>
            {REPLAY_WINDOWS_MINUTES.map((minutes) => (
              <button key={minutes} type="button" onClick={() => setPlayback({ minutes, speed: 10, playing: true, positionTs: 0 })}>
                {minutes} min
              </button>
            ))}
          </div>
        ) : (
          <div className="replay-controls">
            <button type="button" onClick={() => setPlayback({ ...playback, playing: !playback.playing })} disabled={windowTicks.length === 0}>
              {playback.playing ? "Pause" : "Play"}
            </button>
            {REPLAY_SPEEDS.map((speed) => (
              <button key={speed} type="button" aria-pressed={playback.speed === speed} onClick={() => setPlayback({ ...playback, speed })}>
                {speed}×
              </button>
            ))}
            <input
              type="range"
              aria-label="Replay position"
              min={firstTs}
              max={lastTs}
              step={1000}
              value={Math.max(firstTs, Math.min(playback.positionTs, lastTs))}
              onChange={(event) => setPlayback({ ...playback, positionTs: Number(event.target.value) })}
              disabled={windowTicks.length === 0}
            />
            <span className="replay-time" data-testid="replay-time">
              {replayWindow.isPending ? "loading…" : windowTicks.length === 0 ? "no ticks kept in this window" : time(Math.max(firstTs, playback.positionTs))}
            </span>
            <button type="button" onClick={() => setPlayback(undefined)}>
              Back to live
            </button>
          </div>
        )}
      </section>
    </article>
  );
}
