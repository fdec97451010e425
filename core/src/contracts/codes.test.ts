import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CLOSE_CODES,
  HISTORY_ROLES,
  HTTP_ERROR_CODES,
  PROTOCOL_ERROR_CODES,
  PROTOCOL_NOTICE_CODES,
  REFERENCE_DROP_REASONS,
  REFERENCE_WITHHELD_REASONS,
  REPLAY_OUTCOMES,
  RESUME_OUTCOMES,
  SOURCE_DOWN_REASONS,
  TICK_REJECT_REASONS,
  UPSTREAM_ERROR_REASONS,
  UPSTREAM_REJECT_REASONS,
  WINDOW_BUSY_REASONS,
  WRITER_LOSS_REASONS,
  WRITER_TAKEOVER_REASONS,
  httpStatusReason,
} from "./codes";

const codesPage = readFileSync(new URL("../../../docs/codes.md", import.meta.url), "utf8");

/** The backticked codes in the first column of the table of docs/codes.md whose first header is `header`. */
function tableCodes(header: string): string[] {
  const lines = codesPage.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`| ${header} |`));
  expect(start, `a table in docs/codes.md headed "${header}"`).toBeGreaterThanOrEqual(0);
  const codes: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    const firstCell = line.split("|")[1] ?? "";
    for (const match of firstCell.matchAll(/`([^`]+)`/g)) codes.push(match[1]!);
  }
  return codes.sort();
}

const sorted = (codes: readonly (string | number)[]) => codes.map(String).sort();

describe("the tables of docs/codes.md", () => {
  it.each([
    ["WebSocket error code", PROTOCOL_ERROR_CODES],
    ["WebSocket notice code", PROTOCOL_NOTICE_CODES],
    ["close code", Object.values(CLOSE_CODES)],
    ["HTTP error code", HTTP_ERROR_CODES],
    ["tick reject reason", TICK_REJECT_REASONS],
    ["upstream reject reason", UPSTREAM_REJECT_REASONS],
    ["upstream error reason", UPSTREAM_ERROR_REASONS],
    ["source down reason", SOURCE_DOWN_REASONS],
    ["reference drop reason", REFERENCE_DROP_REASONS],
    ["reference withheld reason", REFERENCE_WITHHELD_REASONS],
    ["window busy reason", WINDOW_BUSY_REASONS],
    ["history role", HISTORY_ROLES],
    ["writer takeover reason", WRITER_TAKEOVER_REASONS],
    ["writer loss reason", WRITER_LOSS_REASONS],
    ["resume outcome", RESUME_OUTCOMES],
    ["replay outcome", REPLAY_OUTCOMES],
  ] as const)("list every %s of the catalogue, and nothing else", (header, codes) => {
    expect(tableCodes(header)).toEqual(sorted(codes));
  });

  it("are written in snake_case, each once", () => {
    for (const list of [
      PROTOCOL_ERROR_CODES,
      HTTP_ERROR_CODES,
      TICK_REJECT_REASONS,
      UPSTREAM_REJECT_REASONS,
      UPSTREAM_ERROR_REASONS,
      SOURCE_DOWN_REASONS,
      REFERENCE_DROP_REASONS,
      REFERENCE_WITHHELD_REASONS,
      WINDOW_BUSY_REASONS,
      HISTORY_ROLES,
      WRITER_TAKEOVER_REASONS,
      WRITER_LOSS_REASONS,
      RESUME_OUTCOMES,
      REPLAY_OUTCOMES,
    ]) {
      expect(new Set(list).size).toBe(list.length);
      for (const code of list) expect(code).toMatch(/^[a-z0-9]+(_[a-z0-9]+)*$/);
    }
  });
});

describe("httpStatusReason", () => {
  it.each([
    [429, "http_429"],
    [404, "http_4xx"],
    [503, "http_5xx"],
  ])("names %i %s", (status, reason) => {
    expect(httpStatusReason(status)).toBe(reason);
  });
});
