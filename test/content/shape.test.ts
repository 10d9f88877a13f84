/**
 * The schema's checker against zod itself (its `toZod` twin, as Astro's collection reads it):
 * the same values pass and fail, and what passes comes out the same, key order included.
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "astro/zod";
import { afterAll, expect, test } from "vitest";
import { runEntrySchema, runMetaSchema } from "../../src/content/schema.ts";
import { writeRun } from "../../src/content/write.ts";
import { fixtureAnalysis } from "./fixture-analysis.ts";

const dir = join(tmpdir(), `heaptrail-shape-${process.pid}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Both verdicts, and on success both outputs as text (JSON.stringify keeps key order). */
function agree(shape: typeof runEntrySchema | typeof runMetaSchema, value: unknown): boolean {
  const ours = shape.safeParse(value);
  const theirs = shape.toZod(z).safeParse(value);
  expect(ours.success, JSON.stringify(value)?.slice(0, 200)).toBe(theirs.success);
  if (ours.success && theirs.success) expect(JSON.stringify(ours.data)).toBe(JSON.stringify(theirs.data));
  return ours.success;
}

/** `value` with `key` (a dotted path) set to `to`, or deleted when `to` is `DELETE`. */
const DELETE = Symbol("delete");
function changed(value: unknown, key: string, to: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  const parts = key.split(".");
  let at = copy;
  for (const p of parts.slice(0, -1)) at = at[p] as Record<string, unknown>;
  if (to === DELETE) delete at[parts.at(-1)!];
  else at[parts.at(-1)!] = to;
  return copy;
}

test("a written entry and its variants pass and fail as zod says, and come out as zod gives them", () => {
  const entry = writeRun(fixtureAnalysis(), { runId: "shape", captureHash: "abc", meta: { benchmark: "b", pr: 12, keep: true }, contentDir: dir, noSource: true });
  // Keys out of the schema's order, and one it does not know.
  const shuffled = Object.fromEntries(Object.entries({ ...entry, extra: 1 }).reverse());
  expect(agree(runEntrySchema, shuffled)).toBe(true);
  expect(Object.keys(runEntrySchema.parse(shuffled))).toEqual(Object.keys(runEntrySchema.toZod(z).parse(shuffled)));
  const variants: Array<[string, unknown]> = [
    ["status", "failed"],
    ["status", "nope"],
    ["status", DELETE],
    ["schemaVersion", 0],
    ["id", 5],
    ["branch", null],
    ["branch", DELETE],
    ["timeMs", "1"],
    ["header.pythonVersion", null],
    ["header.pid", true],
    ["stats", null],
    ["stats.topModulesBySize", null],
    ["stats.allocationSizeHistogram", [{ minBytes: 0, maxBytes: 1 }]],
    ["threads", ["a", 1]],
    ["threads", "a"],
    ["data.peak", null],
    ["data.peak.nodes", DELETE],
    ["data.peak.sizeBytes", "1"],
    ["data", null],
    ["meta", {}],
    ["meta.pr", "12"],
    ["meta.pr", false],
    ["meta.keep", null],
    ["meta.keep", "yes"],
    ["meta.extra", "dropped"],
  ];
  const verdicts = variants.map(([key, to]) => agree(runEntrySchema, changed(entry, key, to)));
  // Both kinds are among them (the check can fail either way).
  expect(verdicts).toContain(true);
  expect(verdicts).toContain(false);
  const failed = { ...changed(entry, "status", "failed") as object, error: "could not read" };
  expect(agree(runEntrySchema, failed)).toBe(true);
  for (const v of [null, [], "entry", 1, {}]) expect(agree(runEntrySchema, v)).toBe(false);
});

test("meta files: absent, null and wrong-typed keys as zod reads them", () => {
  const values: unknown[] = [
    {},
    { benchmark: "b", commit: null, pr: 3, budget: 1e9, keep: false, unknown: [1] },
    { pr: "7" },
    { pr: null },
    { budget: "big" },
    { budget: Number.NaN },
    { budget: Number.POSITIVE_INFINITY },
    { benchmark: 1 },
    { timestamp: undefined },
    [],
    null,
    "meta",
  ];
  const verdicts = values.map((v) => agree(runMetaSchema, v));
  expect(verdicts.slice(0, 4)).toEqual([true, true, true, true]);
  expect(verdicts.slice(4)).toEqual([false, false, false, false, true, false, false, false]);
  const bad = runMetaSchema.safeParse({ budget: "big" });
  expect(bad.success ? null : bad.error.issues[0]).toEqual({ path: ["budget"], message: "expected number, received string" });
});
