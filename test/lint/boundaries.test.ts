// The one-way pipeline: the dependency rule (.dependency-cruiser.cjs) that the test command runs
// catches an upward import, and passes on the project as it is.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const REPO = join(import.meta.dirname, "..", "..");
const DEPCRUISE = join(REPO, "node_modules", "dependency-cruiser", "bin", "dependency-cruiser.mjs");
const CONFIG = join(REPO, ".dependency-cruiser.cjs");

function cruise(cwd: string) {
  return spawnSync(process.execPath, [DEPCRUISE, "src", "--config", CONFIG, "--output-type", "err"], { cwd, encoding: "utf8" });
}

const root = mkdtempSync(join(tmpdir(), "heaptrail-depcruise-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, "p-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("the one-way pipeline rule", { timeout: 120_000 }, () => {
  it("fails on an upward import (analysis -> content) and a reader importing the analysis", () => {
    const dir = project({
      "src/content/schema.ts": "export const SCHEMA_VERSION = 2;\n",
      "src/analysis/model.ts": 'import { SCHEMA_VERSION } from "../content/schema.ts";\nexport const v = SCHEMA_VERSION;\n',
      "src/reader/index.ts": 'import type { v } from "../analysis/model.ts";\nexport type V = typeof v;\n',
    });
    const result = cruise(dir);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/no-upward-from-analysis: src\/analysis\/model\.ts → src\/content\/schema\.ts/);
    expect(result.stdout + result.stderr).toMatch(/no-upward-from-reader: src\/reader\/index\.ts → src\/analysis\/model\.ts/);
  });

  it("fails when the site imports the analysis", () => {
    const dir = project({
      "src/analysis/flame.ts": "export const f = 1;\n",
      "src/site/temporal.ts": 'import { f } from "../analysis/flame.ts";\nexport const x = f;\n',
    });
    const result = cruise(dir);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/no-site-to-analysis: src\/site\/temporal\.ts → src\/analysis\/flame\.ts/);
  });

  it("fails when a command imports the browser code", () => {
    const dir = project({
      "src/site/format.ts": "export const f = 1;\n",
      "src/cli/tree.ts": 'import { f } from "../site/format.ts";\nexport const x = f;\n',
    });
    const result = cruise(dir);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/no-cli-to-browser: src\/cli\/tree\.ts → src\/site\/format\.ts/);
  });

  it("passes on the project's own sources, and the shared formatting sits below both stages", () => {
    const result = cruise(REPO);
    expect(result.stdout + result.stderr).not.toMatch(/error/);
    expect(result.status).toBe(0);
  });
});
