import type { SequencedTick } from "@cryptostream/core/contracts";
import { memo } from "react";
import { Line, LineChart, ResponsiveContainer, Tooltip, YAxis } from "recharts";
import { formatPrice } from "../format";

export interface PriceChartProps {
  ticks: readonly SequencedTick[];
  rising: boolean;
}

/** A card's sparkline; memoised, so a card that re-renders for its price leaves the chart alone. */
export const PriceChart = memo(function PriceChart({ ticks, rising }: PriceChartProps) {
  return (
    <div className="price-chart" aria-hidden="true">
      <ResponsiveContainer width="100%" height={72}>
        <LineChart data={ticks as SequencedTick[]} margin={{ top: 4, right: 0, bottom: 4, left: 0 }}>
          <YAxis hide domain={["dataMin", "dataMax"]} />
          <Tooltip
            formatter={(value) => formatPrice(Number(value))}
            labelFormatter={(_, payload) => {
              const ts = payload?.[0]?.payload?.ts;
              return typeof ts === "number" ? new Date(ts).toLocaleTimeString() : "";
            }}
          />
          <Line
            type="linear"
            dataKey="price"
            stroke={rising ? "var(--up)" : "var(--down)"}
            strokeWidth={1.5}
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
});
