import type { CandleInterval, CandlesResponse, ErrorResponse, HistoryResponse, SequencedTick, SymbolsResponse } from "@cryptostream/core/contracts";

export async function fetchHistory(symbol: string, signal?: AbortSignal): Promise<HistoryResponse> {
  const response = await fetch(`/api/history/${encodeURIComponent(symbol)}`, { signal: signal ?? null });
  if (response.status === 404) return { symbol, ticks: [] };
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as ErrorResponse | undefined;
    throw new Error(body?.error.message ?? `history for ${symbol}: HTTP ${response.status}`);
  }
  return (await response.json()) as HistoryResponse;
}

export async function fetchSymbols(signal?: AbortSignal): Promise<SymbolsResponse> {
  const response = await fetch("/api/symbols", { signal: signal ?? null });
  if (!response.ok) throw new Error(`symbols: HTTP ${response.status}`);
  return (await response.json()) as SymbolsResponse;
}

/** The ticks `PRICES` keeps for one symbol over the last `minutes`, oldest first. */
export async function fetchWindow(symbol: string, minutes: number, signal?: AbortSignal): Promise<SequencedTick[]> {
  const response = await fetch(`/api/ticks?symbols=${encodeURIComponent(symbol)}&since=${minutes}m&limit=100000`, {
    headers: { accept: "application/json" },
    signal: signal ?? null,
  });
  if (!response.ok) throw new Error(`ticks for ${symbol}: HTTP ${response.status}`);
  return (await response.json()) as SequencedTick[];
}

/** One symbol's candles of `interval` since `sinceMs` (closed ones and the one forming). */
export async function fetchCandles(symbol: string, interval: CandleInterval, sinceMs: number, signal?: AbortSignal): Promise<CandlesResponse> {
  const query = new URLSearchParams({ interval, since: String(Math.floor(sinceMs)) });
  const response = await fetch(`/api/candles/${encodeURIComponent(symbol)}?${query}`, { signal: signal ?? null });
  if (response.status === 404) return { symbol, interval, candles: [], forming: null };
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as ErrorResponse | undefined;
    throw new Error(body?.error.message ?? `candles for ${symbol}: HTTP ${response.status}`);
  }
  return (await response.json()) as CandlesResponse;
}
