/**
 * The page's code stays in its stage: nothing under src/site or src/components imports the
 * analysis stage (a type-only import is erased and costs the page nothing).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

const SRC = join(import.meta.dirname, "..", "..", "src");

test("browser code does not import src/analysis", () => {
  const offenders: string[] = [];
  for (const folder of ["site", "components"]) {
    for (const name of readdirSync(join(SRC, folder))) {
      const text = readFileSync(join(SRC, folder, name), "utf8");
      for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+"([^"]+)"/gms)) {
        if (!m[1] && /(^|\/)analysis\//.test(m[2]!)) offenders.push(`${folder}/${name}: ${m[2]}`);
      }
    }
  }
  expect(offenders).toEqual([]);
});
