import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { coinbaseProductOf, krakenPairOf } from "@cryptostream/core";
import { WebSocketServer, type WebSocket } from "ws";
import type { CoinState } from "./market";
import type { SimVenue, VenueQuotes } from "./venue-quotes";
import { toCoinbaseTicker, toKrakenTicker } from "./wire-format";

/** Coinbase closes a connection that has not subscribed within 5 s. */
const SUBSCRIBE_DEADLINE_MS = 5_000;

interface VenueClient {
  socket: WebSocket;
  /** Tracked symbols it subscribed the ticker of. */
  symbols: Set<string>;
  heartbeats: boolean;
  sequence: number;
  deadline: NodeJS.Timeout | undefined;
}

/**
 * The WebSocket side of one venue that streams tickers (Coinbase Advanced Trade or Kraken v2):
 * its subscriptions, its heartbeats, and what tests make it do.
 */
export class VenueSockets {
  readonly clients = new Set<VenueClient>();
  accepted = 0;
  /** While down, every connection is closed and new ones are refused. */
  down = false;
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor(
    readonly venue: SimVenue,
    private readonly coins: ReadonlyMap<string, CoinState>,
    private readonly quotes: VenueQuotes,
    /** Called for every ticker sent (snapshots too), with its price and how many connections it went to. */
    private readonly onTicker?: (venue: SimVenue, coin: Readonly<CoinState>, price: number, recipients: number) => void,
  ) {}

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.down) return void socket.end("HTTP/1.1 503 Service Unavailable\r\n\r\n");
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const client: VenueClient = { socket: ws, symbols: new Set(), heartbeats: false, sequence: 0, deadline: undefined };
      this.clients.add(client);
      this.accepted++;
      if (this.venue === "kraken")
        this.send(client, {
          channel: "status",
          type: "update",
          data: [{ version: "2.0.10", system: "online", api_version: "v2", connection_id: this.accepted }],
        });
      else client.deadline = setTimeout(() => ws.close(1008, "no subscription"), SUBSCRIBE_DEADLINE_MS);
      ws.on("message", (data) => this.answer(client, data.toString()));
      ws.on("close", () => this.forget(client));
      ws.on("error", () => this.forget(client));
    });
  }

  /** Each subscribed coin's ticker, unless the venue is frozen. */
  sendTickers(coins: readonly CoinState[]): void {
    if (this.quotes.behaviour(this.venue).frozen) return;
    for (const coin of coins) {
      let recipients = 0;
      for (const client of this.clients) {
        if (!client.symbols.has(coin.asset.symbol)) continue;
        this.sendTicker(client, coin, "update");
        recipients++;
      }
      this.onTicker?.(this.venue, coin, this.quotes.quote(this.venue, coin.asset.symbol, coin.price), recipients);
    }
  }

  /** Heartbeats: Coinbase's to subscribers of `heartbeats`, Kraken's to everyone. */
  sendHeartbeats(now: number): void {
    for (const client of this.clients) {
      if (this.venue === "kraken") this.send(client, { channel: "heartbeat" });
      else if (client.heartbeats)
        this.sendCoinbase(client, "heartbeats", now, [{ current_time: new Date(now).toISOString(), heartbeat_counter: client.sequence }]);
    }
  }

  setDown(down: boolean): void {
    this.down = down;
    if (down) for (const client of this.clients) client.socket.terminate();
  }

  close(): void {
    for (const client of this.clients) client.socket.terminate();
    this.wss.close();
  }

  private forget(client: VenueClient): void {
    clearTimeout(client.deadline);
    this.clients.delete(client);
  }

  private answer(client: VenueClient, text: string): void {
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(text);
    } catch {
      return this.venue === "kraken"
        ? this.send(client, { error: "Malformed request", success: false })
        : this.send(client, { type: "error", message: "malformed JSON" });
    }
    if (this.venue === "kraken") this.answerKraken(client, request);
    else this.answerCoinbase(client, request);
  }

  private answerCoinbase(client: VenueClient, request: Record<string, unknown>): void {
    const products = Array.isArray(request.product_ids) ? request.product_ids.map(String) : [];
    if (request.type !== "subscribe" || (request.channel !== "ticker" && request.channel !== "heartbeats")) {
      return this.send(client, { type: "error", message: "Failure to subscribe" });
    }
    clearTimeout(client.deadline);
    const now = Date.now();
    if (request.channel === "heartbeats") client.heartbeats = true;
    const added = products.flatMap((product) => this.symbolOf((coin) => coinbaseProductOf(coin.asset) === product));
    added.forEach((symbol) => client.symbols.add(symbol));
    const subscriptions = {
      ticker: [...client.symbols].map((symbol) => coinbaseProductOf(this.coins.get(symbol)!.asset)),
      ...(client.heartbeats && { heartbeats: ["heartbeats"] }),
    };
    this.sendCoinbase(client, "subscriptions", now, [{ subscriptions }]);
    for (const symbol of added) this.sendSnapshot(client, this.coins.get(symbol)!);
  }

  private answerKraken(client: VenueClient, request: Record<string, unknown>): void {
    const timeIn = new Date().toISOString();
    if (request.method === "ping") return this.send(client, { method: "pong", req_id: request.req_id, time_in: timeIn, time_out: new Date().toISOString() });
    const params = (request.params ?? {}) as { channel?: unknown; symbol?: unknown };
    if (request.method !== "subscribe" || params.channel !== "ticker" || !Array.isArray(params.symbol)) {
      return this.send(client, { error: "Unsupported request", method: request.method, success: false, time_in: timeIn, time_out: timeIn });
    }
    for (const pair of params.symbol.map(String)) {
      const [symbol] = this.symbolOf((coin) => krakenPairOf(coin.asset) === pair);
      if (!symbol) {
        this.send(client, {
          method: "subscribe",
          error: `Currency pair not supported ${pair}`,
          success: false,
          symbol: pair,
          time_in: timeIn,
          time_out: timeIn,
        });
        continue;
      }
      client.symbols.add(symbol);
      this.send(client, {
        method: "subscribe",
        result: { channel: "ticker", event_trigger: "trades", snapshot: true, symbol: pair },
        success: true,
        time_in: timeIn,
        time_out: timeIn,
      });
      this.sendSnapshot(client, this.coins.get(symbol)!);
    }
  }

  private symbolOf(matches: (coin: CoinState) => boolean): string[] {
    for (const [symbol, coin] of this.coins) if (matches(coin)) return [symbol];
    return [];
  }

  /** A snapshot is an event too: the coin's state as the venue has it now, sent to one connection. */
  private sendSnapshot(client: VenueClient, coin: CoinState): void {
    this.sendTicker(client, coin, "snapshot");
    this.onTicker?.(this.venue, coin, this.quotes.quote(this.venue, coin.asset.symbol, coin.price), 1);
  }

  private sendTicker(client: VenueClient, coin: CoinState, type: "snapshot" | "update"): void {
    const price = this.quotes.quote(this.venue, coin.asset.symbol, coin.price);
    if (this.venue === "kraken") return this.send(client, { channel: "ticker", type, data: [toKrakenTicker(coin, price)] });
    this.sendCoinbase(client, "ticker", coin.updatedAt, [{ type, tickers: [toCoinbaseTicker(coin, price)] }]);
  }

  private sendCoinbase(client: VenueClient, channel: string, at: number, events: unknown[]): void {
    this.send(client, { channel, client_id: "", timestamp: new Date(at).toISOString(), sequence_num: client.sequence++, events });
  }

  private send(client: VenueClient, message: unknown): void {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(JSON.stringify(message));
  }
}
