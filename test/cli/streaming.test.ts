/**
 * Output past V8's cap on one string (about 512 MB): `flamegraph --temporary-allocations
 * --format folded` on a generated capture of deep stacks with long names writes some 600 MB,
 * in chunks of about a megabyte, with every line and byte accounted for. The capture itself is
 * under a megabyte; the output goes to a counting sink, not to disk.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, expect, test } from "vitest";
import { runFlamegraph } from "../../src/cli/flamegraph.ts";
import { CaptureWriter } from "../helpers/capture-writer.ts";

const DEPTH = 100;
const STACKS = 6500;
const NAME = "x".repeat(900);
const dir = mkdtempSync(join(tmpdir(), "heaptrail-streaming-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** DEPTH long-named frames shared by every stack, then one of STACKS leaves, each with one temporary allocation. */
function deepCapture(): Uint8Array {
  const w = new CaptureWriter();
  for (let d = 1; d <= DEPTH; d++) w.codeObject(d, `frame_${d}_${NAME}`, `pkg/module_${d}.py`, d);
  for (let s = 0; s < STACKS; s++) w.codeObject(DEPTH + 1 + s, `leaf_${s}`, "pkg/leaves.py", 1000 + s);
  w.contextSwitch(1);
  for (let d = 1; d <= DEPTH; d++) w.push(d);
  for (let s = 0; s < STACKS; s++) {
    w.push(DEPTH + 1 + s);
    w.allocation(0x10000, 100 + s);
    w.free(0x10000);
    w.pop();
  }
  return w.trailer().bytes();
}

test("folded stacks of 600 MB stream out whole", { timeout: 120_000 }, async () => {
  const capture = join(dir, "deep.bin");
  writeFileSync(capture, deepCapture());
  let bytes = 0;
  let lines = 0;
  let sum = 0;
  let largestChunk = 0;
  let tail = ""; // the end of the line in progress, for its byte count
  let first = "";
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      largestChunk = Math.max(largestChunk, chunk.length);
      const text = chunk.toString("latin1");
      if (first === "") first = text.slice(0, 200);
      let from = 0;
      for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", from)) {
        const line = tail + text.slice(Math.max(from, nl - 40), nl);
        sum += Number(line.slice(line.lastIndexOf(" ") + 1));
        lines++;
        tail = "";
        from = nl + 1;
      }
      tail = (tail + text.slice(Math.max(from, text.length - 40))).slice(-40);
      done();
    },
  });
  expect(await runFlamegraph([capture, "--temporary-allocations", "--format", "folded"], out)).toBe(0);
  expect(bytes).toBeGreaterThan(512 * 2 ** 20);
  expect(largestChunk).toBeLessThan(4 * 2 ** 20);
  expect(lines).toBe(STACKS);
  expect(sum).toBe(STACKS * 100 + (STACKS * (STACKS - 1)) / 2);
  expect(first.startsWith(`frame_1_${NAME.slice(0, 100)}`)).toBe(true);
});
