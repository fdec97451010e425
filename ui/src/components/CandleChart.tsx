import { Bar, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatPrice } from "../format";
import { axisPrice, priceAxisWidth } from "../chart-axes";
import { axisLabel, type ChartBar, type ChartMode, type Timeframe } from "../timeframes";

interface CandleShapeProps {
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  payload?: ChartBar;
}

/** One candle: the wick over the bar's `[low, high]` span Recharts placed, the body from open to close within it. */
function CandleShape({ x = 0, y = 0, width = 0, height = 0, payload }: CandleShapeProps) {
  if (!payload || payload.open === null || payload.close === null || payload.high === null || payload.low === null) return null;
  const { open, close, high, low } = payload;
  const span = high - low || 1;
  const at = (value: number) => y + ((high - value) / span) * height;
  const rising = close >= open;
  const color = rising ? "var(--up)" : "var(--down)";
  const bodyTop = at(Math.max(open, close));
  const bodyHeight = Math.max(1, at(Math.min(open, close)) - bodyTop);
  const middle = x + width / 2;
  return (
    <g data-testid="candle" data-forming={payload.forming ? "true" : undefined}>
      <line x1={middle} x2={middle} y1={y} y2={y + height} stroke={color} strokeWidth={1} />
      <rect x={x + width * 0.15} width={Math.max(1, width * 0.7)} y={bodyTop} height={bodyHeight} fill={color} fillOpacity={payload.forming ? 0.5 : 1} />
    </g>
  );
}

function CandleTooltip({ active, payload, timeframe }: { active?: boolean; payload?: { payload: ChartBar }[]; timeframe: Timeframe }) {
  const bar = payload?.[0]?.payload;
  if (!active || !bar) return null;
  const time = new Date(bar.openTime).toLocaleString(
    "en-US",
    timeframe === "1y" || timeframe === "30d" ? { dateStyle: "medium" } : { dateStyle: "medium", timeStyle: "short" },
  );
  return (
    <div className="chart-tooltip" data-testid="chart-tooltip">
      <p>{time}</p>
      {bar.close === null ? (
        <p className="muted">No data</p>
      ) : (
        <dl>
          <dt>O</dt>
          <dd>{formatPrice(bar.open!)}</dd>
          <dt>H</dt>
          <dd>{formatPrice(bar.high!)}</dd>
          <dt>L</dt>
          <dd>{formatPrice(bar.low!)}</dd>
          <dt>C</dt>
          <dd>{formatPrice(bar.close)}</dd>
        </dl>
      )}
    </div>
  );
}

/**
 * A range of candles as candlesticks or as a line of closes. Every bar of the range has a slot, so
 * time with no data is empty: no candle, and no line drawn across it.
 */
export function CandleChart({ bars, mode, timeframe, rising }: { bars: readonly ChartBar[]; mode: ChartMode; timeframe: Timeframe; rising: boolean }) {
  return (
    <div className="detail-chart" data-testid="candle-chart" data-mode={mode} data-bars={bars.length} data-filled={bars.filter((b) => b.close !== null).length}>
      <ResponsiveContainer width="100%" height={360}>
        <ComposedChart data={bars as ChartBar[]} margin={{ top: 8, right: 16, bottom: 8, left: 8 }} barCategoryGap={0}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="openTime" tickFormatter={(ts: number) => axisLabel(timeframe, ts)} minTickGap={40} stroke="var(--muted)" />
          <YAxis
            domain={["auto", "auto"]}
            tickFormatter={axisPrice}
            width={priceAxisWidth(bars.flatMap((bar) => (bar.high === null || bar.low === null ? [] : [bar.high, bar.low])))}
            stroke="var(--muted)"
          />
          <Tooltip content={<CandleTooltip timeframe={timeframe} />} cursor={{ stroke: "var(--muted)", strokeDasharray: "3 3" }} isAnimationActive={false} />
          {mode === "candles" ? (
            <Bar dataKey="range" shape={<CandleShape />} isAnimationActive={false} />
          ) : (
            <Line
              type="linear"
              dataKey="close"
              connectNulls={false}
              stroke={rising ? "var(--up)" : "var(--down)"}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
          )}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
