import type { ReferenceInput, StatusReport, Tick } from "@cryptostream/core/contracts";
import { formatPrice } from "../format";

const DROP_NOTES: Record<NonNullable<ReferenceInput["dropped"]>, string> = {
  outlier: "left out: too far from the others",
  stale: "left out: no recent price",
  last_resort: "standby: used only when no exchange is fresh",
};

const WITHHELD_NOTES: Record<string, string> = {
  no_majority: "Price held: the two fresh exchanges disagree and there is no third to side with either.",
  no_fresh_venue: "Price held: no venue has a recent price.",
  unconfirmed: "Price held: the one venue with a recent price is far from what the others last said.",
};

function offBy(price: number, reference: number): string {
  const percent = ((price - reference) / reference) * 100;
  return `${percent >= 0 ? "+" : ""}${percent.toFixed(Math.abs(percent) >= 10 ? 0 : 3)}%`;
}

/** Each venue's latest price beside the reference price, and which were left out and why. */
export function VenuePanel({ tick, standing }: { tick: Tick | undefined; standing: NonNullable<StatusReport["references"]>[string] | undefined }) {
  const inputs = tick?.inputs;
  if (!tick || !inputs || inputs.length === 0) return null;
  return (
    <section className="venues" aria-label="Venues">
      <h3>
        Venues{" "}
        <span className="method">{tick.source === "index" ? `median of ${inputs.filter((input) => !input.dropped).length}` : `from ${tick.source}`}</span>
      </h3>
      {standing?.withheld && (
        <p className="venues-withheld" role="status">
          {WITHHELD_NOTES[standing.withheld]}
        </p>
      )}
      <table className="venue-table">
        <thead>
          <tr>
            <th scope="col">Venue</th>
            <th scope="col">Price</th>
            <th scope="col">vs reference</th>
            <th scope="col" className="venue-age">
              Age
            </th>
            <th scope="col">Used</th>
          </tr>
        </thead>
        <tbody>
          {inputs.map((input) => (
            <tr key={input.venue} data-testid={`venue-${input.venue}`} className={input.dropped ? "dropped" : undefined}>
              <th scope="row">{input.venue}</th>
              <td>{formatPrice(input.price)}</td>
              <td>{offBy(input.price, tick.price)}</td>
              <td className="venue-age">{(input.age / 1000).toFixed(1)} s</td>
              <td>{input.dropped ? DROP_NOTES[input.dropped] : "yes"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
