import type { SequencedTick } from "@cryptostream/core/contracts";
import { memo, useMemo } from "react";
import { SPARKLINE_HEIGHT, SPARKLINE_WIDTH, sparklinePoints } from "../sparkline";

export interface SparklineProps {
  ticks: readonly SequencedTick[];
  rising: boolean;
}

/**
 * A card's sparkline: one SVG polyline, stretched to the card. Hundreds of cards draw one each,
 * so it is a path of ~50 points rather than a chart library's tree of components and observers
 * (the detail page's interactive chart is Recharts).
 */
export const Sparkline = memo(function Sparkline({ ticks, rising }: SparklineProps) {
  const points = useMemo(() => sparklinePoints(ticks.map((tick) => tick.price)), [ticks]);
  return (
    <div className="price-chart" aria-hidden="true">
      <svg viewBox={`0 0 ${SPARKLINE_WIDTH} ${SPARKLINE_HEIGHT}`} preserveAspectRatio="none" width="100%" height={72} aria-hidden="true">
        <polyline
          className="sparkline"
          points={points}
          fill="none"
          stroke={rising ? "var(--up)" : "var(--down)"}
          strokeWidth={1.5}
          vectorEffect="non-scaling-stroke"
        />
      </svg>
    </div>
  );
});
