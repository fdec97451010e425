import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "@cryptostream/core";
import type { Market } from "./market";

const StateSchema = z.object({ savedAt: z.number(), prices: z.record(z.string(), z.number().positive()) });

/** The prices a market stopped at, saved in `file`; none when there is no file yet. */
export async function loadMarketPrices(file: string): Promise<Record<string, number> | undefined> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  const parsed = StateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is not a saved market: ${parsed.error.issues[0]?.message}`);
  return parsed.data.prices;
}

/** Saves the market's prices to `file`, whole or not at all (written aside, then renamed). */
export async function saveMarketPrices(file: string, market: Market, now = Date.now()): Promise<void> {
  const prices = Object.fromEntries([...market.coins].map(([symbol, coin]) => [symbol, coin.price]));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify({ savedAt: now, prices }));
  await rename(`${file}.tmp`, file);
}
