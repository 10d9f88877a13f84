/** Data files are written in chunks of bytes: the chunks join to JSON.stringify's exact text. */
import { expect, test } from "vitest";
import { writeJson, type NumberStream } from "../../src/content/json-chunks.ts";
import { fixtureAnalysis } from "./fixture-analysis.ts";
import { encodeTree } from "../../src/content/columnar.ts";

/** The chunks writeJson hands out, each copied (a chunk is a view of the writer's buffer). */
function chunksOf(value: unknown): Buffer[] {
  const chunks: Buffer[] = [];
  writeJson(value, (bytes) => chunks.push(Buffer.from(bytes)));
  return chunks;
}
const textOf = (value: unknown) => Buffer.concat(chunksOf(value)).toString("utf8");

test("chunks join to JSON.stringify's text, for long arrays, odd values and nesting", () => {
  const long = Array.from({ length: 100_000 }, (_, i) => (i % 7 === 0 ? -i / 3 : i));
  const value = {
    a: long,
    s: ["\u2028", '"q"', "\\", "\u0000", "é", "😀".repeat(3)],
    nested: { deep: [long.slice(0, 40_000), { x: null, skip: undefined, t: true }], empty: [], o: {} },
    "12": 1,
    "2": 2,
    sparse: [undefined, NaN, Infinity, -0],
    long: "é".repeat(1_500_000),
  };
  const chunks = chunksOf(value);
  expect(chunks.length).toBeGreaterThan(0);
  expect(Buffer.concat(chunks).toString("utf8")).toBe(JSON.stringify(value));
  const tree = encodeTree(fixtureAnalysis({ scale: 3 }).flame.peak!, { minFrameFraction: 0 });
  // The writer's tree has typed columns: its text is that of the same tree with arrays.
  expect(ArrayBuffer.isView(tree.parent)).toBe(true);
  expect(textOf(tree)).toBe(JSON.stringify(tree, (_, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)));
});

test("a text over a megabyte comes in several chunks of about a megabyte", () => {
  const chunks = chunksOf({ v: Array.from({ length: 400_000 }, (_, i) => i * 1000), f: new Float64Array(400_000).fill(123456) });
  expect(chunks.length).toBeGreaterThan(2);
  for (const c of chunks.slice(0, -1)) expect(c.length).toBeGreaterThanOrEqual(1 << 20);
  for (const c of chunks) expect(c.length).toBeLessThan(2 << 20);
});

test("typed arrays and number streams are written as the JSON arrays of their numbers (the writer's columns)", () => {
  const edges = [0, -0, 1, -1, 9, 10, 99, 100, 101, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32 + 7, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 60, 1e21, 0.5, -1e-7, NaN, Infinity];
  const f = Float64Array.from({ length: 50_000 }, (_, i) => (i < edges.length ? edges[i]! : i % 5 === 0 ? -i / 7 : i * 1e6 + (i % 3) * 10 ** (i % 17)));
  const n = Int32Array.from({ length: 20_000 }, (_, i) => (i % 3 === 0 ? -1 : i * (i % 11) * 9973));
  const stream: NumberStream = { length: 40_000, fill: (start, out) => out.forEach((_, k) => (out[k] = (start + k) * 7 - 3)) };
  const value = { f, n, sub: n.subarray(5, 9), empty: new Int32Array(0), stream, none: { length: 0, fill: () => {} } };
  const plain = { f: Array.from(f), n: Array.from(n), sub: Array.from(n.subarray(5, 9)), empty: [], stream: Array.from({ length: 40_000 }, (_, i) => i * 7 - 3), none: [] };
  expect(textOf(value)).toBe(JSON.stringify(plain));
});
