import { gaussian, seededRandom } from "./random";

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** How far back the past reaches: two years of hours. */
export const PAST_HOURS = 2 * 8_766;
/** Live minute bars kept. */
const LIVE_MINUTES_KEPT = 3 * 1_440;

export interface Bar {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base-asset volume. */
  volume: number;
  trades: number;
}

export interface PricePathOptions {
  /** The price at `anchorMs`: the past ends there and the live market starts there. */
  price: number;
  anchorMs: number;
  /** Standard deviation of the log price over one minute. */
  sigmaPerMinute: number;
  /** Base-asset volume of an ordinary minute. */
  volumePerMinute: number;
  seed: number;
  /** Past windows in which the exchange did not trade (maintenance): no bar opens in them. */
  outages?: readonly { fromMs: number; toMs: number }[];
}

/**
 * One coin's price path in minute bars: a past drawn backwards from the anchor (hourly steps of
 * the same volatility as the live market, each hour filled in by a Brownian bridge between its
 * ends, every hour from a seed of its own, so any bar can be drawn alone and always the same), and
 * the live market's bars recorded as it moves. The past ends at the anchor's price, exactly where
 * the live prices start.
 */
export class PricePath {
  /** Start of the first live minute; every earlier minute is the drawn past. */
  readonly liveFrom: number;
  private readonly hourLogs: Float64Array;
  /** Minute bars of recently asked past hours (drawn again when dropped), and every past hour's own bar. */
  private readonly hours = new Map<number, Bar[]>();
  private readonly hourTotals = new Map<number, Bar>();
  private readonly live = new Map<number, Bar>();
  private lastLive: Bar | undefined;

  constructor(private readonly options: PricePathOptions) {
    this.liveFrom = Math.floor(options.anchorMs / MINUTE) * MINUTE;
    const firstHour = Math.floor(this.liveFrom / HOUR) * HOUR;
    const random = seededRandom(options.seed);
    const step = (minutes: number) => options.sigmaPerMinute * Math.sqrt(minutes) * gaussian(random);
    this.hourLogs = new Float64Array(PAST_HOURS + 1);
    this.hourLogs[0] = Math.log(options.price) - step((this.liveFrom - firstHour) / MINUTE);
    for (let k = 1; k <= PAST_HOURS; k++) this.hourLogs[k] = this.hourLogs[k - 1]! - step(60);
  }

  /** The earliest minute the path has. */
  get start(): number {
    return Math.floor(this.liveFrom / HOUR) * HOUR - PAST_HOURS * HOUR;
  }

  /** Records a live price at `ts` into its minute bar. */
  record(price: number, ts: number): void {
    const openTime = Math.max(this.liveFrom, Math.floor(ts / MINUTE) * MINUTE);
    let bar = this.live.get(openTime);
    if (!bar) {
      const open = this.lastLive?.close ?? this.options.price;
      bar = { openTime, open, high: open, low: open, close: open, volume: 0, trades: 0 };
      this.live.set(openTime, bar);
      this.live.delete(openTime - LIVE_MINUTES_KEPT * MINUTE);
    }
    bar.high = Math.max(bar.high, price);
    bar.low = Math.min(bar.low, price);
    bar.close = price;
    bar.trades++;
    bar.volume += this.options.volumePerMinute / 60;
    this.lastLive = bar;
  }

  /** The minute bar that opens at `openTime`, past or live. */
  minute(openTime: number): Bar | undefined {
    if (openTime >= this.liveFrom) return this.live.get(openTime);
    if (openTime < this.start || this.options.outages?.some((o) => openTime >= o.fromMs && openTime < o.toMs)) return undefined;
    const hour = Math.floor(openTime / HOUR) * HOUR;
    return this.pastHour(hour)[(openTime - hour) / MINUTE];
  }

  /** Bars of `intervalMs` (a multiple of a minute) opening from `from` to `to`, oldest first; the newest may be forming. */
  bars(intervalMs: number, from: number, to: number): Bar[] {
    const bars: Bar[] = [];
    const first = Math.max(Math.ceil(from / intervalMs) * intervalMs, Math.ceil(this.start / intervalMs) * intervalMs);
    for (let openTime = first; openTime <= to; openTime += intervalMs) {
      const bar = this.aggregate(openTime, intervalMs);
      if (bar) bars.push(bar);
    }
    return bars;
  }

  private aggregate(openTime: number, intervalMs: number): Bar | undefined {
    const unit = intervalMs >= HOUR && openTime + intervalMs <= this.liveFrom ? HOUR : MINUTE;
    let bar: Bar | undefined;
    for (let t = openTime; t < openTime + intervalMs; t += unit) {
      const part = unit === HOUR ? this.hourBar(t) : this.minute(t);
      if (!part) continue;
      if (!bar) bar = { ...part, openTime };
      else {
        bar.high = Math.max(bar.high, part.high);
        bar.low = Math.min(bar.low, part.low);
        bar.close = part.close;
        bar.volume += part.volume;
        bar.trades += part.trades;
      }
    }
    return bar;
  }

  private hourBar(hour: number): Bar | undefined {
    if (hour < this.start) return undefined;
    let total = this.hourTotals.get(hour);
    if (!total) {
      const minutes = this.pastHour(hour).filter((m) => this.minute(m.openTime) !== undefined);
      if (minutes.length === 0) return undefined;
      total = { ...minutes[0]! };
      for (const m of minutes.slice(1)) {
        Object.assign(total, { high: Math.max(total.high, m.high), low: Math.min(total.low, m.low), close: m.close });
        Object.assign(total, { volume: total.volume + m.volume, trades: total.trades + m.trades });
      }
      this.hourTotals.set(hour, total);
    }
    return total;
  }

  /** The minute bars of a past hour (up to the live start), drawn as a Brownian bridge between its ends. */
  private pastHour(hour: number): Bar[] {
    const cached = this.hours.get(hour);
    if (cached) return cached;
    const firstHour = Math.floor(this.liveFrom / HOUR) * HOUR;
    const k = (firstHour - hour) / HOUR;
    const startLog = this.hourLogs[k]!;
    const endLog = k === 0 ? Math.log(this.options.price) : this.hourLogs[k - 1]!;
    const steps = k === 0 ? (this.liveFrom - firstHour) / MINUTE : 60;
    const random = seededRandom(this.options.seed ^ Math.floor(hour / HOUR));
    const walk = [0];
    for (let i = 1; i <= steps; i++) walk.push(walk[i - 1]! + this.options.sigmaPerMinute * gaussian(random));
    const logs = walk.map((w, i) => startLog + w - (i / steps) * (walk[steps]! - (endLog - startLog)));
    const bars: Bar[] = [];
    for (let i = 0; i < steps; i++) {
      const open = roundPrice(Math.exp(logs[i]!));
      const close = roundPrice(Math.exp(logs[i + 1]!));
      const wick = () => Math.abs(gaussian(random)) * this.options.sigmaPerMinute * 0.3;
      const high = roundPrice(Math.max(open, close) * Math.exp(wick()));
      const low = roundPrice(Math.min(open, close) * Math.exp(-wick()));
      const volume = this.options.volumePerMinute * (0.5 + random());
      bars.push({ openTime: hour + i * MINUTE, open, high, low, close, volume, trades: 20 + Math.floor(random() * 200) });
    }
    if (this.hours.size > 1_000) this.hours.clear();
    this.hours.set(hour, bars);
    return bars;
  }
}

/** Eight significant digits, as exchanges quote. */
export function roundPrice(price: number): number {
  return Number(price.toPrecision(8));
}
