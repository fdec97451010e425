import { defineConfig } from "vitest/config";

const nodeProject = (name: string) => ({
  test: {
    name,
    root: `./${name}`,
    include: ["src/**/*.test.ts"],
    environment: "node" as const,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

export default defineConfig({
  test: {
    projects: [
      nodeProject("core"),
      nodeProject("testing"),
      nodeProject("sim-exchange"),
      nodeProject("ingest"),
      nodeProject("broadcaster"),
      nodeProject("history"),
      "./ui/vitest.config.ts",
      {
        test: {
          name: "e2e",
          root: "./e2e",
          include: ["**/*.test.ts"],
          exclude: ["node_modules/**"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
