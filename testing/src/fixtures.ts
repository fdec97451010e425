import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Reads an upstream payload fixture (see fixtures/README.md). */
export function readFixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), "utf8");
}

/** The lines of a `.jsonl` fixture. */
export function fixtureLines(name: string): string[] {
  return readFixture(name).split("\n").filter(Boolean);
}
