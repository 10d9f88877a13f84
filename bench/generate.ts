/**
 * Bench captures made by the test capture writer: deterministic (seeded), cached in
 * test/.tmp/bench/, and readable by memray itself (`memray stats` on each, so the side-by-side
 * figures compare the same input). The shapes:
 *   generated_churn.bin          many short-lived allocations over a few deep stacks (the
 *                                reader's and the temporary-allocation path's load)
 *   generated_wide_tree.bin      a wide tree of distinct frames (the flame tree and page size)
 *   generated_cardinality.bin    high cardinality: 7.9 M records over 3.1 M distinct stack
 *                                nodes, from a walk over 3,000 functions, deep recursion
 *                                (bursts 300 frames deep), pymalloc-like churn
 *   generated_cardinality_native.bin  the same with native traces (a tree of 1,000 native
 *                                nodes, one image); memray 1.20's `flamegraph` crashes on it
 *                                (signal 11 in hybrid_stack_trace: its hybrid stacks expect a
 *                                real interpreter's native frames), `stats` reads it
 *   generated_pyalloc_x1/x4/x16  python-allocator churn (pymalloc ids, small sizes, recycled
 *                                addresses, a bounded live set over a bounded set of stacks):
 *                                1.5 M, 6 M and 24 M records; what the analysis holds should
 *                                not grow with the record count, so peak RSS should be flat
 *
 *   node bench/generate.ts [DIR]   makes them and prints the folder
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CaptureWriter } from "../test/helpers/capture-writer.ts";
import { seededRandom } from "../test/helpers/random.ts";

export const GENERATED = [
  "generated_churn.bin",
  "generated_wide_tree.bin",
  "generated_cardinality.bin",
  "generated_cardinality_native.bin",
  "generated_pyalloc_x1.bin",
  "generated_pyalloc_x4.bin",
  "generated_pyalloc_x16.bin",
] as const;

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

/** memray's PYMALLOC_MALLOC and PYMALLOC_FREE allocator ids. */
const PYMALLOC_MALLOC = 2;
const PYMALLOC_FREE = 1;

/** A free list of recycled addresses, as pymalloc hands out the block it freed last. */
class Addresses {
  private readonly free: number[] = [];
  private next = 0x7f0000000000;
  take(): number {
    const a = this.free.pop();
    if (a !== undefined) return a;
    this.next += 64;
    return this.next;
  }
  give(address: number): void {
    this.free.push(address);
  }
}

/** The writer takes an ALLOCATION's native id as written: a delta from the previous record's. */
class NativeIds {
  private last = 0;
  delta(id: number): number {
    const d = id - this.last;
    this.last = id;
    return d;
  }
}

/** The pieces every churn shape shares: a bounded live set freed in random order. */
function churnStep(w: CaptureWriter, rand: () => number, live: number[], addresses: Addresses, maxLive: number, nativeDelta = (): number => 0): void {
  // Frees lag allocations until half the live set is reached, then keep pace (a steady heap).
  if (live.length > 0 && (live.length >= maxLive || rand() < (live.length < maxLive / 2 ? 0.45 : 0.5))) {
    const k = Math.floor(rand() * live.length);
    const address = live[k]!;
    live[k] = live[live.length - 1]!;
    live.pop();
    w.allocation(address, 0, PYMALLOC_FREE);
    addresses.give(address);
  } else {
    const address = addresses.take();
    w.allocation(address, 8 * (1 + Math.floor(rand() * rand() * 64)), PYMALLOC_MALLOC, nativeDelta());
    live.push(address);
  }
}

/**
 * Python-allocator churn of `records` records over a fixed set of 4,000 call paths (so the
 * distinct stacks and the live set are bounded and only the record count grows).
 */
export function pyallocCapture(records: number): Uint8Array {
  const endTimeMs = Date.UTC(2026, 10, 22, 12, 0, 0) + Math.ceil(records / 5000) * 10;
  const w = new CaptureWriter({ commandLine: "python -m pyalloc_churn", endTimeMs });
  const rand = random(3);
  const nFunctions = 600;
  for (let id = 1; id <= nFunctions; id++) w.codeObject(id, `fn_${id}`, `pkg/sub${id % 17}/mod${id % 41}.py`, 10 + (id % 300));
  const paths: number[][] = [];
  for (let i = 0; i < 4000; i++) {
    const depth = 6 + Math.floor(rand() * 30);
    paths.push(Array.from({ length: depth }, () => 1 + Math.floor(rand() * nFunctions)));
  }
  w.contextSwitch(1);
  const live: number[] = [];
  const addresses = new Addresses();
  let depth = 0;
  let written = 0;
  while (written < records) {
    if (written % 5000 < 40) w.memory(80_000_000 + live.length * 100, Math.floor(written / 5000) * 10);
    w.pop(depth);
    const path = paths[Math.floor(rand() * paths.length)]!;
    for (const f of path) w.push(f);
    depth = path.length;
    written += 2 + path.length;
    for (let k = 0; k < 30; k++, written++) churnStep(w, rand, live, addresses, 20_000);
  }
  return w.trailer().lz4();
}

/** zigzag for the writer's unsigned varint (NATIVE_TRACE_INDEX deltas are signed). */
const zigzag = (n: number): number => (n >= 0 ? n * 2 : -n * 2 - 1);

/**
 * High cardinality: a random walk over 3,000 functions (each step pops and pushes 1-4 frames),
 * so nearly every allocation has a stack of its own; now and then a recursion 300 frames deep;
 * native traces (a tree of 1,000 native nodes) on every allocation.
 */
export function cardinalityCapture(steps: number, native = true): Uint8Array {
  const w = new CaptureWriter({ commandLine: "python -m cardinality", nativeTraces: native, endTimeMs: Date.UTC(2026, 10, 22, 12, 0, 20) });
  const rand = random(4);
  const nFunctions = 3000;
  for (let id = 1; id <= nFunctions; id++) w.codeObject(id, `f${id}`, `lib/pkg${id % 60}/m${id % 97}.py`, 1 + (id % 500));
  w.contextSwitch(1);
  // One memory map generation with one image covering every native ip (memray's flame graph
  // needs a map to symbolize against; the ips resolve to no symbol).
  const le64 = (n: number): number[] => Array.from({ length: 8 }, (_, k) => Math.floor(n / 2 ** (8 * k)) & 0xff);
  if (native) {
    w.raw([0x06]);
    w.raw([0x07, ...new TextEncoder().encode("/usr/lib/libcardinality.so"), 0]).varint(1).raw(le64(0));
    w.raw([0x08, ...le64(0x400000)]).varint(0x1000000);
  }
  // NATIVE_TRACE_INDEX: node k+1 is (ip, parent), both as deltas of the previous record's.
  const nNative = native ? 1000 : 0;
  let ip = 0;
  let parent = 0;
  for (let k = 0; k < nNative; k++) {
    const nextIp = 0x400000 + Math.floor(rand() * 0x200000) * 4;
    const nextParent = k === 0 ? 0 : Math.floor(rand() * k) + 1;
    w.raw([0x05]).varint(zigzag(nextIp - ip)).varint(zigzag(nextParent - parent));
    ip = nextIp;
    parent = nextParent;
  }
  const live: number[] = [];
  const addresses = new Addresses();
  const nativeIds = new NativeIds();
  let depth = 0;
  for (let i = 0; i < steps; i++) {
    if (i % 20_000 === 0) w.memory(90_000_000 + live.length * 64, Math.floor(i / 20_000) * 10);
    const pops = Math.min(depth, 1 + Math.floor(rand() * 4));
    w.pop(pops);
    depth -= pops;
    const pushes = depth < 5 ? 4 : depth > 60 ? 0 : 1 + Math.floor(rand() * 4);
    for (let k = 0; k < pushes; k++) w.push(1 + Math.floor(rand() * nFunctions));
    depth += pushes;
    if (i % 5000 === 4999) {
      const f = 1 + Math.floor(rand() * nFunctions);
      for (let k = 0; k < 300; k++) w.push(f);
      w.allocation(addresses.take(), 4096, 6, native ? nativeIds.delta(1 + Math.floor(rand() * nNative)) : 0);
      w.pop(300);
    }
    const nativeDelta = native ? () => nativeIds.delta(1 + Math.floor(rand() * nNative)) : undefined;
    for (let k = 0; k < 3; k++) churnStep(w, rand, live, addresses, 30_000, nativeDelta);
  }
  return w.trailer().lz4();
}

const DEFAULT_DIR = join(import.meta.dirname, "..", "test", ".tmp", "bench");

const MAKE: Record<GeneratedName, () => Uint8Array> = {
  "generated_churn.bin": () => churnCapture(2_000_000),
  "generated_wide_tree.bin": () => wideTreeCapture(20_000),
  "generated_cardinality.bin": () => cardinalityCapture(1_200_000, false),
  "generated_cardinality_native.bin": () => cardinalityCapture(1_200_000),
  "generated_pyalloc_x1.bin": () => pyallocCapture(1_500_000),
  "generated_pyalloc_x4.bin": () => pyallocCapture(6_000_000),
  "generated_pyalloc_x16.bin": () => pyallocCapture(24_000_000),
};

export type GeneratedName = (typeof GENERATED)[number];

/** The captures a fresh clone's page bench needs: the two small shapes. */
const SMALL: readonly GeneratedName[] = ["generated_churn.bin", "generated_wide_tree.bin"];

/**
 * The folder holding the generated captures, making the ones in `names` that are not there yet
 * (by default the two small shapes; `npm run bench` asks for all of GENERATED).
 */
export function generatedBenchDir(dir = DEFAULT_DIR, names: readonly GeneratedName[] = SMALL): string {
  mkdirSync(dir, { recursive: true });
  for (const name of names) {
    const path = join(dir, name);
    if (existsSync(path)) continue;
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, MAKE[name]());
    renameSync(tmp, path);
  }
  return dir;
}

if (import.meta.filename === process.argv[1]) console.log(generatedBenchDir(process.argv[2], GENERATED));
