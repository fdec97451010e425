import { readFileSync } from "node:fs";
import { broadcasterEnv, loadBroadcasterConfig } from "@cryptostream/broadcaster";
import type { Env } from "@cryptostream/core";
import { historyEnv, loadHistoryConfig } from "@cryptostream/history";
import { ingestEnv, loadIngestConfig } from "@cryptostream/ingest";
import { loadSimConfig, simEnv } from "@cryptostream/sim-exchange";
import { describe, expect, it } from "vitest";

const configurationPage = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
const viteConfig = readFileSync(new URL("../../ui/vite.config.ts", import.meta.url), "utf8");

const schemas: Record<string, object> = { ingest: ingestEnv, broadcaster: broadcasterEnv, history: historyEnv, "sim-exchange": simEnv };
const loaders: Record<string, (env: Env) => object> = {
  ingest: loadIngestConfig,
  broadcaster: loadBroadcasterConfig,
  history: loadHistoryConfig,
  "sim-exchange": loadSimConfig,
};
const NATS_SERVICES = ["ingest", "broadcaster", "history"];

interface Row {
  variables: string[];
  services: string[];
  /** Per service group (split on `;`), the backticked defaults in order. */
  defaults: string[][];
}

/** The rows of the configuration table of docs/configuration.md. */
function configurationRows(): Row[] {
  const rows = configurationPage.split("\n").filter((line) => line.startsWith("| `"));
  return rows.map((line) => {
    const [variables = "", services = "", defaults = ""] = line.split(" | ").map((cell) => cell.replace(/^\| /, ""));
    const ticked = (text: string) => [...text.matchAll(/`([^`]*)`/g)].map((match) => match[1]!);
    return {
      variables: ticked(variables),
      services: services === "all" ? NATS_SERVICES : services.split(",").map((s) => s.trim()),
      defaults: defaults.split(";").map(ticked),
    };
  });
}

/** What a service's configuration makes of a variable given as `text`, or left unset. */
const loaded = (service: string, name: string, text: string | undefined) =>
  (loaders[service]!(text === undefined ? {} : { [name]: text }) as Record<string, unknown>)[name];

describe("the configuration table of docs/configuration.md", () => {
  const rows = configurationRows();

  it("names only variables some service reads, each with the default the service has", () => {
    expect(rows.length).toBeGreaterThan(30);
    for (const row of rows) {
      row.services.forEach((service, serviceIndex) => {
        if (service === "ui") {
          for (const variable of row.variables) expect(viteConfig, variable).toContain(`process.env.${variable}`);
          return;
        }
        const shape = schemas[service];
        expect(shape, `a schema for ${service}`).toBeDefined();
        const defaults = row.defaults[row.defaults.length === 1 ? 0 : serviceIndex] ?? [];
        row.variables.forEach((variable, variableIndex) => {
          expect(Object.keys(shape!), `${variable} in ${service}'s schema`).toContain(variable);
          const documented = defaults.length === row.variables.length ? defaults[variableIndex] : undefined;
          if (documented === undefined) return;
          expect(loaded(service, variable, documented), `${variable}'s default in ${service}`).toEqual(loaded(service, variable, undefined));
        });
      });
    }
  });

  it("names every variable of every service's schema", () => {
    const documented = new Set(rows.flatMap((row) => row.variables));
    for (const [service, shape] of Object.entries(schemas)) {
      for (const variable of Object.keys(shape)) expect(documented.has(variable), `${variable} (${service}) in docs/configuration.md`).toBe(true);
    }
  });
});
