import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { closeServer, listen, type Logger } from "@cryptostream/core";
import { WebSocketServer, type WebSocket } from "ws";
import { KLINES_WEIGHT, coinGeckoOhlc, klines, type RestAnswer } from "./history-endpoints";
import { Market, type CoinState, type MarketOptions } from "./market";
import { VenueQuotes, type SimVenue, type VenueBehaviour } from "./venue-quotes";
import { VenueSockets } from "./venue-sockets";
import { toBinanceMiniTicker, toCoinGeckoMarket, toCoinGeckoSimplePrice } from "./wire-format";

/** How often Coinbase and Kraken send heartbeats. */
const HEARTBEAT_INTERVAL_MS = 1_000;

export interface SimExchangeOptions extends MarketOptions {
  port?: number;
  host?: string;
  /** How often prices move and mini tickers are pushed; 0 moves only on {@link SimExchange.tick}. */
  intervalMs?: number;
  /** How often the server pings each WebSocket, as Binance does every 20 s. */
  pingIntervalMs?: number;
  logger?: Logger;
  /** Binance's request weight per minute (6,000 on api.binance.com); past it, 429 with Retry-After. */
  binanceWeightLimit?: number;
  /** Called for every mini ticker sent, with how many Binance connections it went to. */
  onMiniTicker?: (coin: Readonly<CoinState>, recipients: number) => void;
  /** Called for every Coinbase or Kraken ticker sent (snapshots too), with its price and how many connections it went to. */
  onVenueTicker?: (venue: SimVenue, coin: Readonly<CoinState>, price: number, recipients: number) => void;
}

export interface SimExchange {
  market: Market;
  port: number;
  /** Base URL for `BINANCE_WS_URL`. */
  binanceWsUrl: string;
  /** Base URL for `COINGECKO_API_URL`. */
  coingeckoApiUrl: string;
  /** URL for `COINBASE_WS_URL`. */
  coinbaseWsUrl: string;
  /** URL for `KRAKEN_WS_URL`. */
  krakenWsUrl: string;
  /** Makes Coinbase or Kraken misbehave (a factor off, frozen, flapping); `{}` makes it behave again. */
  behaveVenue(venue: SimVenue, behaviour: VenueBehaviour): void;
  /** Takes Coinbase or Kraken down (its connections dropped, new ones refused with 503), or back up. */
  setVenueDown(venue: SimVenue, down: boolean): void;
  /** Open connections to Coinbase or Kraken. */
  venueClientCount(venue: SimVenue): number;
  /** Sends a raw text frame to every client of Coinbase or Kraken. */
  sendRawToVenueClients(venue: SimVenue, text: string): void;
  /** A venue's quote of a symbol now. */
  venueQuote(venue: SimVenue, symbol: string): number;
  /** Moves the market one step and pushes mini tickers to every subscriber. */
  tick(): void;
  /** Sends a raw text frame to every Binance client, to test how bad frames are handled. */
  sendRawToBinanceClients(text: string): void;
  binanceClientCount(): number;
  /** Streams of each open Binance connection, in the order they connected. */
  binanceStreams(): string[][];
  /** Binance connections accepted so far. */
  binanceConnectionsAccepted(): number;
  /** Closes every Binance connection: cleanly (1000), or abruptly by destroying the socket. */
  dropBinanceClients(how: "close" | "destroy"): void;
  /** While silent, no mini ticker and no ping is sent: a stalled upstream. */
  setBinanceSilent(silent: boolean): void;
  /** Pings every Binance client with this payload, as Binance does every 20 s. */
  pingBinanceClients(payload: string): void;
  /** Payloads of the pongs received, in order. */
  readonly pongs: string[];
  /**
   * Misbehaves on the next CoinGecko requests, one entry each, in order: answers with
   * `status` (and Retry-After seconds) instead of prices, and/or only after `delayMs`.
   */
  misbehaveCoinGecko(...requests: CoinGeckoMisbehaviour[]): void;
  /** Times (ms since epoch) of the CoinGecko requests received. */
  readonly coingeckoRequests: number[];
  /** Base URL for Binance's REST API (`BINANCE_REST_URL`). */
  binanceRestUrl: string;
  /** Misbehaves on the next Binance REST requests, one entry each, in order, like {@link misbehaveCoinGecko}. */
  misbehaveBinanceRest(...requests: CoinGeckoMisbehaviour[]): void;
  /** Paths and query strings of the Binance REST requests received, with the weight used after each. */
  readonly binanceRestRequests: { url: string; at: number; usedWeight: number; status: number }[];
  close(): Promise<void>;
}

export interface CoinGeckoMisbehaviour {
  /** An error status instead of the prices, e.g. 429 or 503. */
  status?: number;
  retryAfterSeconds?: number;
  /** Answer this late: a slow upstream. */
  delayMs?: number;
}

interface BinanceClient {
  socket: WebSocket;
  streams: Set<string>;
}

/** The Binance side: combined-stream WebSocket clients, their subscriptions, and what the tests ask of them. */
class BinanceClients {
  readonly clients = new Set<BinanceClient>();
  readonly pongs: string[] = [];
  accepted = 0;
  silent = false;
  private readonly wss = new WebSocketServer({ noServer: true });

  /** Takes an upgrade to `/stream?streams=...` or `/ws/...`; anything else is not found. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const streams = streamsOf(new URL(req.url ?? "/", "http://localhost"));
    if (!streams) {
      socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const client: BinanceClient = { socket: ws, streams };
      this.clients.add(client);
      this.accepted++;
      ws.on("pong", (data) => this.pongs.push(data.toString()));
      ws.on("message", (data) => answerControl(client, data.toString()));
      ws.on("close", () => this.clients.delete(client));
      ws.on("error", () => this.clients.delete(client));
    });
  }

  /** Sends each coin's mini ticker to the clients subscribed to it; says how many got each. */
  send(coins: readonly CoinState[], onSent?: (coin: Readonly<CoinState>, recipients: number) => void): void {
    if (this.silent) return;
    for (const coin of coins) {
      const message = toBinanceMiniTicker(coin);
      let frame: string | undefined;
      let recipients = 0;
      for (const client of this.clients) {
        if (!client.streams.has(message.stream) || client.socket.readyState !== client.socket.OPEN) continue;
        frame ??= JSON.stringify(message);
        client.socket.send(frame);
        recipients++;
      }
      onSent?.(coin, recipients);
    }
  }

  ping(payload: string): void {
    for (const client of this.clients) client.socket.ping(payload);
  }

  close(): void {
    for (const client of this.clients) client.socket.terminate();
    this.wss.close();
  }
}

/** Answers a request as queued by a test (an error status, late), or else with `serve`. */
function misbehavingHandler(
  misbehaviours: CoinGeckoMisbehaviour[],
  errorBody: (status: number) => unknown,
  serve: (req: IncomingMessage, res: ServerResponse) => void,
) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const misbehaviour = misbehaviours.shift() ?? {};
    const answer = () => {
      if (res.destroyed) return;
      if (misbehaviour.status === undefined) return serve(req, res);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (misbehaviour.retryAfterSeconds !== undefined) headers["retry-after"] = String(misbehaviour.retryAfterSeconds);
      res.writeHead(misbehaviour.status, headers);
      res.end(JSON.stringify(errorBody(misbehaviour.status)));
    };
    if (misbehaviour.delayMs) setTimeout(answer, misbehaviour.delayMs);
    else answer();
  };
}

/** The CoinGecko side: REST answers, each request's time, and misbehaviours queued by tests. */
function coinGeckoHandler(market: Market, requests: number[], misbehaviours: CoinGeckoMisbehaviour[]) {
  const handle = misbehavingHandler(
    misbehaviours,
    (status) => ({ status: { error_code: status, error_message: "You've exceeded the Rate Limit." } }),
    (req, res) => serveCoinGecko(market, req, res),
  );
  return (req: IncomingMessage, res: ServerResponse) => {
    requests.push(Date.now());
    handle(req, res);
  };
}

/** Binance's REST side: klines, within a request weight per minute, reported in `X-MBX-USED-WEIGHT-1M`. */
function binanceRestHandler(market: Market, weightLimit: number, requests: SimExchange["binanceRestRequests"], misbehaviours: CoinGeckoMisbehaviour[]) {
  let minute = 0;
  let used = 0;
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const now = Date.now();
    if (Math.floor(now / 60_000) !== minute) [minute, used] = [Math.floor(now / 60_000), 0];
    used += KLINES_WEIGHT;
    const headers: Record<string, string> = { "content-type": "application/json", "x-mbx-used-weight-1m": String(used) };
    let answer: RestAnswer;
    if (used > weightLimit) {
      headers["retry-after"] = String(Math.ceil(((minute + 1) * 60_000 - now) / 1_000));
      answer = { status: 429, body: { code: -1003, msg: `Too many requests; current limit of IP request weight is ${weightLimit} per 1 MINUTE.` } };
    } else {
      answer = klines(market, new URL(req.url ?? "/", "http://localhost").searchParams, now);
    }
    res.writeHead(answer.status, headers);
    res.end(JSON.stringify(answer.body));
  };
  const handle = misbehavingHandler(misbehaviours, () => ({ code: -1003, msg: "Too many requests." }), serve);
  return (req: IncomingMessage, res: ServerResponse) => {
    const at = Date.now();
    res.once("finish", () => {
      requests.push({ url: req.url ?? "", at, usedWeight: Number(res.getHeader("x-mbx-used-weight-1m") ?? 0), status: res.statusCode });
    });
    handle(req, res);
  };
}

/** The REST side of both venues on one server: Binance's klines, CoinGecko's the rest. */
function restSide(market: Market, binanceWeightLimit: number) {
  const coingeckoRequests: number[] = [];
  const coingeckoMisbehaviours: CoinGeckoMisbehaviour[] = [];
  const binanceRequests: SimExchange["binanceRestRequests"] = [];
  const binanceMisbehaviours: CoinGeckoMisbehaviour[] = [];
  const coingecko = coinGeckoHandler(market, coingeckoRequests, coingeckoMisbehaviours);
  const binance = binanceRestHandler(market, binanceWeightLimit, binanceRequests, binanceMisbehaviours);
  const handle = (req: IncomingMessage, res: ServerResponse) => (req.url?.startsWith("/api/v3/klines") ? binance(req, res) : coingecko(req, res));
  return { handle, coingeckoRequests, coingeckoMisbehaviours, binanceRequests, binanceMisbehaviours };
}

/**
 * A local exchange that speaks Binance's combined-stream WebSocket format and
 * CoinGecko's REST format, so the real ingest client code runs against it.
 */
export async function startSimExchange(options: SimExchangeOptions = {}): Promise<SimExchange> {
  const { port = 0, host = "127.0.0.1", intervalMs = 1_000, pingIntervalMs = 20_000, logger } = options;
  const market = new Market(options);
  const binance = new BinanceClients();
  const rest = restSide(market, options.binanceWeightLimit ?? 6_000);
  const venues = venueSide(market, options.onVenueTicker);
  const server = createServer(rest.handle);
  server.on("upgrade", (req, socket, head) => {
    if (!venues.upgrade(req, socket, head)) binance.upgrade(req, socket, head);
  });
  const tick = () => {
    const moved = market.step();
    binance.send(moved, options.onMiniTicker);
    venues.send(moved);
  };

  const boundPort = await listen(server, port, host);
  const tickTimer = intervalMs > 0 ? setInterval(tick, intervalMs) : undefined;
  const pingTimer = setInterval(() => {
    if (!binance.silent) binance.ping(String(Date.now()));
  }, pingIntervalMs);
  logger?.info({ port: boundPort, symbols: market.coins.size, intervalMs }, "simulated exchange listening");

  return {
    market,
    port: boundPort,
    binanceWsUrl: `ws://${host}:${boundPort}`,
    coingeckoApiUrl: `http://${host}:${boundPort}/api/v3`,
    coinbaseWsUrl: `ws://${host}:${boundPort}/coinbase`,
    krakenWsUrl: `ws://${host}:${boundPort}/kraken/v2`,
    ...venues.controls,
    binanceRestUrl: `http://${host}:${boundPort}`,
    misbehaveBinanceRest: (...requests) => rest.binanceMisbehaviours.push(...requests),
    binanceRestRequests: rest.binanceRequests,
    tick,
    ...binanceControls(binance),
    misbehaveCoinGecko: (...requests) => rest.coingeckoMisbehaviours.push(...requests),
    coingeckoRequests: rest.coingeckoRequests,
    async close() {
      clearInterval(tickTimer);
      clearInterval(pingTimer);
      binance.close();
      venues.close();
      await closeServer(server);
    },
  };
}

function binanceControls(binance: BinanceClients) {
  const controls: Pick<
    SimExchange,
    | "sendRawToBinanceClients"
    | "binanceClientCount"
    | "binanceStreams"
    | "binanceConnectionsAccepted"
    | "dropBinanceClients"
    | "setBinanceSilent"
    | "pingBinanceClients"
    | "pongs"
  > = {
    sendRawToBinanceClients(text) {
      for (const client of binance.clients) client.socket.send(text);
    },
    binanceClientCount: () => binance.clients.size,
    binanceStreams: () => [...binance.clients].map((client) => [...client.streams]),
    binanceConnectionsAccepted: () => binance.accepted,
    dropBinanceClients(how) {
      for (const client of binance.clients) {
        if (how === "close") client.socket.close(1000, "closing");
        else client.socket.terminate();
      }
    },
    setBinanceSilent(value) {
      binance.silent = value;
    },
    pingBinanceClients: (payload) => binance.ping(payload),
    pongs: binance.pongs,
  };
  return controls;
}

/** Coinbase and Kraken: their sockets, each venue's quotes, their heartbeats, and what tests make them do. */
function venueSide(market: Market, onTicker: SimExchangeOptions["onVenueTicker"]) {
  const quotes = new VenueQuotes(market.seed);
  const venues = {
    coinbase: new VenueSockets("coinbase", market.coins, quotes, onTicker),
    kraken: new VenueSockets("kraken", market.coins, quotes, onTicker),
  };
  const all = [venues.coinbase, venues.kraken];
  const heartbeatTimer = setInterval(() => all.forEach((venue) => venue.sendHeartbeats(Date.now())), HEARTBEAT_INTERVAL_MS);
  const controls: Pick<SimExchange, "behaveVenue" | "setVenueDown" | "venueClientCount" | "sendRawToVenueClients" | "venueQuote"> = {
    behaveVenue: (venue, behaviour) => quotes.behave(venue, behaviour),
    setVenueDown: (venue, down) => venues[venue].setDown(down),
    venueClientCount: (venue) => venues[venue].clients.size,
    sendRawToVenueClients(venue, text) {
      for (const client of venues[venue].clients) client.socket.send(text);
    },
    venueQuote: (venue, symbol) => quotes.quote(venue, symbol, market.coins.get(symbol)!.price),
  };
  return {
    controls,
    /** Takes the upgrade when it is to one of these venues. */
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      const venue = path === "/coinbase" ? venues.coinbase : path === "/kraken/v2" ? venues.kraken : undefined;
      venue?.upgrade(req, socket, head);
      return venue !== undefined;
    },
    send(moved: readonly CoinState[]) {
      quotes.step();
      all.forEach((venue) => venue.sendTickers(moved));
    },
    close() {
      clearInterval(heartbeatTimer);
      all.forEach((venue) => venue.close());
    },
  };
}

/** The streams of `/stream?streams=a/b` or `/ws/a/b`; undefined for any other path. */
function streamsOf(url: URL): Set<string> | undefined {
  if (url.pathname === "/stream") {
    return new Set((url.searchParams.get("streams") ?? "").split("/").filter(Boolean));
  }
  if (url.pathname.startsWith("/ws")) {
    return new Set(url.pathname.slice(3).split("/").filter(Boolean));
  }
  return undefined;
}

/** Live subscription control, answered as Binance does. */
function answerControl(client: BinanceClient, text: string): void {
  let request: { method?: unknown; params?: unknown; id?: unknown };
  try {
    request = JSON.parse(text);
  } catch {
    client.socket.send(JSON.stringify({ error: { code: 3, msg: "Invalid JSON" }, id: null }));
    return;
  }
  const params = Array.isArray(request.params) ? request.params.map(String) : [];
  const id = request.id ?? null;
  switch (request.method) {
    case "SUBSCRIBE":
      params.forEach((stream) => client.streams.add(stream));
      client.socket.send(JSON.stringify({ result: null, id }));
      return;
    case "UNSUBSCRIBE":
      params.forEach((stream) => client.streams.delete(stream));
      client.socket.send(JSON.stringify({ result: null, id }));
      return;
    case "LIST_SUBSCRIPTIONS":
      client.socket.send(JSON.stringify({ result: [...client.streams], id }));
      return;
    default:
      client.socket.send(JSON.stringify({ error: { code: 2, msg: `Invalid request: unknown method ${String(request.method)}` }, id }));
  }
}

function serveCoinGecko(market: Market, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://localhost");
  const ids = (url.searchParams.get("ids") ?? "").split(",").filter(Boolean);
  const coins = (ids.length > 0 ? ids.map((id) => market.byCoinGeckoId(id)) : [...market.coins.values()]).filter((coin) => coin !== undefined);
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const ohlc = /^\/api\/v3\/coins\/([^/]+)\/ohlc$/.exec(url.pathname);
  if (ohlc) {
    const answer = coinGeckoOhlc(market, decodeURIComponent(ohlc[1]!), url.searchParams, Date.now());
    return send(answer.status, answer.body);
  }
  switch (url.pathname) {
    case "/api/v3/ping":
      return send(200, { gecko_says: "(V3) To the Moon!" });
    case "/api/v3/simple/price":
      return send(200, Object.fromEntries(coins.map((coin) => [coin.asset.coingeckoId, toCoinGeckoSimplePrice(coin)])));
    case "/api/v3/coins/markets":
      if (url.searchParams.get("vs_currency") !== "usd") {
        return send(400, { error: "invalid vs_currency" });
      }
      return send(200, coins.map(toCoinGeckoMarket));
    default:
      return send(404, { error: "Not Found" });
  }
}
