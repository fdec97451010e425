import type { SequencedTick } from "@cryptostream/core/contracts";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatPrice } from "../format";
import { MIN_TIME_SPAN_MS, axisPrice, priceAxisWidth, timeTicks } from "../chart-axes";

export const time = (ts: number) => new Date(ts).toLocaleTimeString();
/** Short time labels for the axis: the tooltip has the whole time. */
const axisTime = (ts: number) => new Date(ts).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** The span of the series' times, at least {@link MIN_TIME_SPAN_MS} (ending at its last tick), so labels name different seconds. */
function timeSpan(series: readonly SequencedTick[]): [number, number] {
  const last = series.at(-1)?.ts ?? 0;
  return [Math.min(series[0]?.ts ?? last, last - MIN_TIME_SPAN_MS), last];
}

/** A coin's price over `series`, across `domain` when replaying a window, else across the data. */
export function DetailChart({ series, rising, domain }: { series: readonly SequencedTick[]; rising: boolean; domain: [number, number] | undefined }) {
  const span = domain ?? timeSpan(series);
  return (
    <div className="detail-chart" data-testid="detail-chart">
      <ResponsiveContainer width="100%" height={360}>
        <LineChart data={series as SequencedTick[]} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis
            dataKey="ts"
            type="number"
            scale="time"
            domain={span}
            ticks={timeTicks(span[0], span[1])}
            tickFormatter={axisTime}
            minTickGap={56}
            interval="preserveStartEnd"
            stroke="var(--muted)"
          />
          <YAxis domain={["auto", "auto"]} tickFormatter={axisPrice} width={priceAxisWidth(series.map((tick) => tick.price))} stroke="var(--muted)" />
          <Tooltip
            formatter={(value) => [formatPrice(Number(value)), "Price"]}
            labelFormatter={(ts) => time(Number(ts))}
            contentStyle={{ background: "var(--card)", borderColor: "var(--border)" }}
          />
          <Line type="linear" dataKey="price" stroke={rising ? "var(--up)" : "var(--down)"} strokeWidth={2} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
