/**
 * Bench captures for a fresh clone (no ../shared/bench beside it): made by the test capture
 * writer, deterministic, cached in test/.tmp/bench/. Two shapes, like the shared ones:
 *   generated_churn.bin      many short-lived allocations over a few deep stacks (the reader's
 *                            and the temporary-allocation path's load)
 *   generated_wide_tree.bin  a wide tree of distinct frames (the flame tree and page size)
 *
 *   node bench/generate.ts [DIR]   prints the folder
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CaptureWriter } from "../test/helpers/capture-writer.ts";
import { seededRandom } from "../test/helpers/random.ts";

export const GENERATED = ["generated_churn.bin", "generated_wide_tree.bin"] as const;

/** Deterministic (seeded), so every clone benches the same file. */
const random = seededRandom;


export function churnCapture(allocations: number): Uint8Array {
  const w = new CaptureWriter({ commandLine: "python churn.py", endTimeMs: Date.UTC(2026, 10, 22, 12, 0, 30) });
  const rand = random(1);
  for (let id = 1; id <= 40; id++) w.codeObject(id, `f${id}`, `churn/mod${id % 7}.py`, id * 10);
  w.contextSwitch(1);
  let depth = 0;
  const live: number[] = [];
  let next = 0x10000;
  for (let i = 0; i < allocations; i++) {
    if (i % 64 === 0) {
      if (depth > 0) w.pop(depth);
      depth = 4 + Math.floor(rand() * 12);
      for (let d = 0; d < depth; d++) w.push(1 + Math.floor(rand() * 40));
    }
    const address = next;
    next += 16 * (1 + Math.floor(rand() * 64));
    w.allocation(address, 16 + Math.floor(rand() * 2000), rand() < 0.8 ? 11 : 6);
    live.push(address);
    if (live.length > 2000 || rand() < 0.45) w.free(live.splice(Math.floor(rand() * live.length), 1)[0]!);
    if (i % 100_000 === 0) w.memory(50_000_000 + i * 10, Math.floor(i / 1000));
  }
  return w.trailer().lz4();
}

export function wideTreeCapture(leaves: number): Uint8Array {
  const w = new CaptureWriter({ commandLine: "python wide_tree.py", endTimeMs: Date.UTC(2026, 10, 22, 12, 0, 5) });
  const rand = random(2);
  w.codeObject(1, "main", "wide_tree.py", 1);
  for (let id = 2; id < 2 + leaves; id++) w.codeObject(id, `node_${id}`, `wide/pkg${id % 50}/mod${id % 13}.py`, id);
  w.contextSwitch(1).push(1);
  let next = 0x100000;
  for (let i = 0; i < leaves * 4; i++) {
    const a = 2 + Math.floor(rand() * leaves);
    const b = 2 + Math.floor(rand() * leaves);
    w.push(a).push(b);
    w.allocation(next, 1000 + Math.floor(rand() * 100_000));
    next += 1 << 17;
    w.pop(2);
  }
  return w.trailer().lz4();
}

/** The folder holding the generated captures (made on first use). */
export function generatedBenchDir(dir = join(import.meta.dirname, "..", "test", ".tmp", "bench")): string {
  mkdirSync(dir, { recursive: true });
  const make: Record<(typeof GENERATED)[number], () => Uint8Array> = {
    "generated_churn.bin": () => churnCapture(2_000_000),
    "generated_wide_tree.bin": () => wideTreeCapture(20_000),
  };
  for (const name of GENERATED) {
    const path = join(dir, name);
    if (existsSync(path)) continue;
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, make[name]());
    renameSync(tmp, path);
  }
  return dir;
}

if (import.meta.filename === process.argv[1]) console.log(generatedBenchDir(process.argv[2]));
