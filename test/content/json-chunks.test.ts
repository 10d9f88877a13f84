/** Data files are written in chunks: the chunks join to JSON.stringify's exact text. */
import { expect, test } from "vitest";
import { jsonChunks } from "../../src/content/json-chunks.ts";
import { fixtureAnalysis } from "./fixture-analysis.ts";
import { encodeTree } from "../../src/content/columnar.ts";

test("chunks join to JSON.stringify's text, for long arrays, odd values and nesting", () => {
  const long = Array.from({ length: 100_000 }, (_, i) => (i % 7 === 0 ? -i / 3 : i));
  const value = {
    a: long,
    s: ["\u2028", '"q"', "\\", "\u0000", "é"],
    nested: { deep: [long.slice(0, 40_000), { x: null, skip: undefined, t: true }], empty: [], o: {} },
    "12": 1,
    "2": 2,
    sparse: [undefined, NaN, Infinity, -0],
  };
  const chunks = [...jsonChunks(value)];
  expect(chunks.length).toBeGreaterThan(0);
  expect(chunks.join("")).toBe(JSON.stringify(value));
  const tree = encodeTree(fixtureAnalysis({ scale: 3 }).flame.peak!, { minFrameFraction: 0 });
  expect([...jsonChunks(tree)].join("")).toBe(JSON.stringify(tree));
});

test("a text over a megabyte comes in several chunks of about a megabyte", () => {
  const chunks = [...jsonChunks({ v: Array.from({ length: 400_000 }, (_, i) => i * 1000) })];
  expect(chunks.length).toBeGreaterThan(1);
  for (const c of chunks.slice(0, -1)) expect(c.length).toBeGreaterThanOrEqual(1 << 20);
  for (const c of chunks) expect(c.length).toBeLessThan(2 << 20);
});

test("typed arrays are written as the JSON arrays of their numbers (the writer's columns)", () => {
  const f = Float64Array.from({ length: 50_000 }, (_, i) => (i % 5 === 0 ? -i / 7 : i * 1e6));
  const n = Int32Array.from({ length: 20_000 }, (_, i) => (i % 3 === 0 ? -1 : i));
  const value = { f, n, sub: n.subarray(5, 9), empty: new Int32Array(0) };
  const plain = { f: Array.from(f), n: Array.from(n), sub: Array.from(n.subarray(5, 9)), empty: [] };
  expect([...jsonChunks(value)].join("")).toBe(JSON.stringify(plain));
});
