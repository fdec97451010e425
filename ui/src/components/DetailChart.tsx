import type { SequencedTick } from "@cryptostream/core/contracts";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatPrice } from "../format";

export const time = (ts: number) => new Date(ts).toLocaleTimeString();

/** A coin's price over `series`, across `domain` when replaying a window, else across the data. */
export function DetailChart({ series, rising, domain }: { series: readonly SequencedTick[]; rising: boolean; domain: [number, number] | undefined }) {
  return (
    <div className="detail-chart" data-testid="detail-chart">
      <ResponsiveContainer width="100%" height={360}>
        <LineChart data={series as SequencedTick[]} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="ts" type="number" scale="time" domain={domain ?? ["dataMin", "dataMax"]} tickFormatter={time} stroke="var(--muted)" />
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
  );
}
