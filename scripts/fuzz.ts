/**
 * `npm run fuzz -- [--seed N] [--count N] [--time-s S] [--memory-mb M] [--timeout-ms T] [--out DIR]`
 *
 * Mutates every kind of test capture (header 11, 12, 13; plain, native, aggregated, LZ4, killed;
 * writer-made captures with hostile ids and stacks) and runs each input through `stats --json`,
 * `flamegraph`, `tree` and the content stage in a child process with a memory ceiling
 * (--max-old-space-size, and its peak RSS checked) and a time limit. Each input must end in a
 * result, a partial result with a warning, or a CaptureError naming file and offset; any other
 * outcome (crash, hang, memory blow-up) is saved under --out as a regression fixture.
 * Seeded: the same seed and count give the same inputs. Defaults: a random seed (printed),
 * 500 inputs, 300 s, 1024 MiB, 20 s per input, test/data/fuzz-regressions.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { aggregatedCapture, CaptureWriter, hostileCapture } from "../test/helpers/capture-writer.ts";
import { seededRandom } from "../test/helpers/random.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface FuzzOptions {
  seed: number;
  count: number;
  timeS: number;
  memoryMb: number;
  timeoutMs: number;
  /** Where failing inputs are saved. */
  outDir: string;
  log?: (line: string) => void;
}

export interface FuzzReport {
  seed: number;
  inputs: number;
  outcomes: Record<string, number>;
  crashes: number;
  hangs: number;
  memoryBlowUps: number;
  saved: string[];
  slowest: { name: string; timeMs: number };
  peakRssBytes: number;
  elapsedS: number;
}

const rng = seededRandom;

type Random = () => number;
const int = (r: Random, n: number) => Math.floor(r() * n);
const pick = <T>(r: Random, list: readonly T[]): T => list[int(r, list.length)]!;

function uvar(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

const BIG_IDS = [2 ** 31, 2 ** 32, 2 ** 53];
const bigId = (r: Random) => pick(r, BIG_IDS) + int(r, 7) - 3;

function splice(b: Uint8Array, at: number, remove: number, insert: ArrayLike<number>): Uint8Array {
  remove = Math.min(remove, b.length - at);
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at));
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

/** Byte mutations, each (bytes, random) → new bytes. */
const MUTATIONS: Record<string, (b: Uint8Array, r: Random) => Uint8Array> = {
  bitFlips(b, r) {
    const out = b.slice();
    for (let k = 1 + int(r, 8); k > 0; k--) {
      const i = int(r, out.length);
      out[i]! ^= 1 << int(r, 8);
    }
    return out;
  },
  byteRun(b, r) {
    const out = b.slice();
    const at = int(r, out.length);
    const value = pick(r, [0x00, 0xff, 0x80, int(r, 256)]);
    out.fill(value, at, Math.min(out.length, at + 1 + int(r, 64)));
    return out;
  },
  truncate: (b, r) => b.slice(0, int(r, b.length)),
  splice(b, r) {
    const from = int(r, b.length);
    const chunk = b.slice(from, from + 1 + int(r, 256));
    return splice(b, int(r, b.length), int(r, 16), chunk);
  },
  duplicate(b, r) {
    const from = int(r, b.length);
    const chunk = b.slice(from, from + 1 + int(r, 512));
    return splice(b, from, 0, chunk);
  },
  hugeVarint: (b, r) => splice(b, int(r, b.length), int(r, 4), [...new Array(10 + int(r, 6)).fill(0xff), 0x7f]),
  bigIds: (b, r) => splice(b, int(r, b.length), int(r, 4), [pick(r, [0x40, 0x41, 0x86, 0xfe, 0x05, 0x03, 0x04, 0x0d]), ...uvar(bigId(r)), ...uvar(bigId(r))]),
  recordType(b, r) {
    const out = b.slice();
    out[int(r, out.length)] = pick(r, [0x00, 0x03, 0x04, 0x08, 0x09, 0x0b, 0x0d, 0x0f, 0x10, 0x3f, 0x7f, 0xff, int(r, 256)]);
    return out;
  },
};

/** Captures made with the writer around hostile shapes: untrusted strings, huge native and aggregated ids, deep stacks, impossible times. */
const GENERATED: Record<string, (r: Random) => Uint8Array> = {
  hostile: (r) => (r() < 0.5 ? hostileCapture().bytes() : hostileCapture().lz4()),
  nativeBigIds(r) {
    const w = new CaptureWriter({ nativeTraces: true }).codeObject(1, "f", "f.py", 1).contextSwitch(1).push(1);
    for (let i = 0, n = 1 + int(r, 2000); i < n; i++) w.allocation(0x1000 + i * 16, 1 + int(r, 4096), 6, i % 97 === 0 ? bigId(r) * (r() < 0.5 ? 1 : -1) : 0);
    return w.trailer().bytes();
  },
  aggregatedStacks(r) {
    // Random parents: some point forward (cycles), some are huge; ids near 2^31, 2^32, 2^53.
    const w = aggregatedCapture();
    let nodes = 3;
    for (let i = 0, n = int(r, 50); i < n; i++) {
      const parent = r() < 0.8 ? int(r, nodes) : r() < 0.5 ? nodes + int(r, 5) : bigId(r);
      w.stack(r() < 0.9 ? int(r, 2) : bigId(r), parent);
      nodes++;
    }
    if (r() < 0.3) w.frame(r() < 0.5 ? 2 : bigId(r), 1);
    for (let i = 0, n = 1 + int(r, 20); i < n; i++) {
      w.location({ stackId: r() < 0.8 ? int(r, nodes + 3) : bigId(r), nativeId: r() < 0.8 ? 0 : bigId(r), tid: 1 + int(r, 3), bytesPeak: int(r, 1 << 20), nPeak: int(r, 4), bytesLeaked: int(r, 4096), nLeaked: int(r, 2) });
    }
    return r() < 0.9 ? w.trailer().bytes() : w.lz4();
  },
  deepStack(r) {
    const w = new CaptureWriter().codeObject(1, "f", "f.py", 1).contextSwitch(1);
    const depth = pick(r, [500, 4000, 5000, 70_000]);
    for (let i = 0; i < depth; i++) {
      w.push(1, i % 7);
      if (i % 97 === 0) w.allocation(0x1000 + i * 16, 64);
    }
    return w.trailer().bytes();
  },
  badTimes: (r) => new CaptureWriter({ startTimeMs: pick(r, [2 ** 62, -(2 ** 62), 2 ** 53, 8.64e15 + 1]), endTimeMs: pick(r, [0, 2 ** 63 - 1]) }).contextSwitch(1).allocation(0x1000, 8).trailer().bytes(),
};

/** The test captures: every header version and kind in test/data, plus the writer's. */
function baseCaptures(): Array<{ name: string; bytes: Uint8Array }> {
  const bases: Array<{ name: string; bytes: Uint8Array }> = [];
  const detailed = join(ROOT, "test/data/detailed");
  for (const f of readdirSync(detailed).filter((f) => f.endsWith(".bin")).sort()) bases.push({ name: f, bytes: readFileSync(join(detailed, f)) });
  for (const id of ["1.18.0/leaks.default", "1.19.3/simple.aggregate", "1.20.0/threads.native", "1.20.0/complete.pyalloc"]) {
    try {
      bases.push({ name: id.replace("/", "_"), bytes: readFileSync(join(ROOT, "test/data/memray", `${id}.bin`)) });
    } catch {
      // not in this checkout: the others cover its kind
    }
  }
  bases.push({ name: "writer-hostile", bytes: hostileCapture().bytes() }, { name: "writer-hostile-lz4", bytes: hostileCapture().lz4() });
  bases.push({ name: "writer-aggregated", bytes: aggregatedCapture().trailer().bytes() });
  return bases;
}

/** Input `i` of a seed: always the same bytes. */
function makeInput(seed: number, i: number, bases: ReturnType<typeof baseCaptures>): { name: string; bytes: Uint8Array } {
  const r = rng((seed * 1_000_003 + i) >>> 0);
  const generated = Object.keys(GENERATED);
  if (i % 5 === 4) {
    const kind = generated[Math.floor(i / 5) % generated.length]!;
    let bytes = GENERATED[kind]!(r);
    if (r() < 0.5) bytes = MUTATIONS[pick(r, Object.keys(MUTATIONS))]!(bytes, r);
    return { name: `gen-${kind}`, bytes };
  }
  const base = bases[i % bases.length]!;
  let bytes = base.bytes;
  const names: string[] = [];
  for (let k = 1 + int(r, 3); k > 0; k--) {
    const m = pick(r, Object.keys(MUTATIONS));
    names.push(m);
    bytes = MUTATIONS[m]!(bytes, r);
  }
  return { name: `${base.name.replace(/\.bin$/, "")}-${names.join("+")}`, bytes };
}

class Child {
  process: ChildProcess;
  ready: Promise<void>;
  constructor(memoryMb: number) {
    this.process = fork(join(ROOT, "scripts/fuzz-child.ts"), [], {
      execArgv: [`--max-old-space-size=${memoryMb}`],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    this.process.stderr!.resume();
    this.ready = new Promise((resolveReady) => this.process.once("message", () => resolveReady()));
  }
  kill(): void {
    this.process.kill("SIGKILL");
  }
}

type Reply = { outcome: string; detail: string; timeMs: number; maxRssBytes: number };

function send(child: Child, path: string, timeoutMs: number): Promise<Reply | { outcome: "hang" | "died"; detail: string }> {
  return new Promise((done) => {
    const timer = setTimeout(() => finish({ outcome: "hang", detail: `no answer in ${timeoutMs} ms` }), timeoutMs);
    const onMessage = (m: Reply) => finish(m);
    const onExit = (code: number | null, signal: string | null) => finish({ outcome: "died", detail: `child exited (code ${code}, signal ${signal}): out of memory?` });
    function finish(result: Reply | { outcome: "hang" | "died"; detail: string }) {
      clearTimeout(timer);
      child.process.off("message", onMessage);
      child.process.off("exit", onExit);
      done(result);
    }
    child.process.on("message", onMessage);
    child.process.on("exit", onExit);
    child.process.send({ path });
  });
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const bases = baseCaptures();
  const work = mkdtempSync(join(tmpdir(), "heaptrail-fuzz-"));
  const ceiling = options.memoryMb * 2 ** 20;
  const report: FuzzReport = {
    seed: options.seed, inputs: 0, outcomes: {}, crashes: 0, hangs: 0, memoryBlowUps: 0, saved: [],
    slowest: { name: "", timeMs: 0 }, peakRssBytes: 0, elapsedS: 0,
  };
  const t0 = performance.now();
  let child = new Child(options.memoryMb);
  try {
    for (let i = 0; i < options.count && performance.now() - t0 < options.timeS * 1000; i++) {
      await child.ready;
      const input = makeInput(options.seed, i, bases);
      const path = join(work, `input-${i}.bin`);
      writeFileSync(path, input.bytes);
      const reply = await send(child, path, options.timeoutMs);
      report.inputs++;
      let kind = reply.outcome;
      if ("maxRssBytes" in reply) {
        report.peakRssBytes = Math.max(report.peakRssBytes, reply.maxRssBytes);
        if (reply.timeMs > report.slowest.timeMs) report.slowest = { name: `#${i} ${input.name}`, timeMs: reply.timeMs };
        if (reply.maxRssBytes > ceiling) kind = "memory";
      }
      if (kind === "hang") report.hangs++;
      else if (kind === "died" || kind === "memory") report.memoryBlowUps++;
      else if (kind === "failure") report.crashes++;
      report.outcomes[kind] = (report.outcomes[kind] ?? 0) + 1;
      if (!["result", "partial", "capture-error"].includes(kind)) {
        mkdirSync(options.outDir, { recursive: true });
        const name = `seed${options.seed}-${i}-${kind}`;
        writeFileSync(join(options.outDir, `${name}.bin`), input.bytes);
        writeFileSync(join(options.outDir, `${name}.json`), `${JSON.stringify({ seed: options.seed, input: i, mutation: input.name, outcome: kind, detail: reply.detail }, null, 1)}\n`);
        report.saved.push(name);
        log(`#${i} ${input.name}: ${kind}: ${reply.detail.split("\n")[0]}`);
      }
      // A child that hung, died or grew past the ceiling is replaced (its peak RSS is per process).
      if (kind === "hang" || kind === "died" || kind === "memory") {
        child.kill();
        child = new Child(options.memoryMb);
      }
      rmSync(path, { force: true });
    }
  } finally {
    child.kill();
    rmSync(work, { recursive: true, force: true });
  }
  report.elapsedS = (performance.now() - t0) / 1000;
  return report;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { parseArgs } = await import("node:util");
  const { values } = parseArgs({
    options: {
      seed: { type: "string" },
      count: { type: "string", default: "500" },
      "time-s": { type: "string", default: "300" },
      "memory-mb": { type: "string", default: "1024" },
      "timeout-ms": { type: "string", default: "20000" },
      out: { type: "string", default: join(ROOT, "test/data/fuzz-regressions") },
    },
  });
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  process.stderr.write(`heaptrail fuzz: seed ${seed} (reproduce with --seed ${seed} --count ${values.count})\n`);
  const report = await runFuzz({
    seed,
    count: Number(values.count),
    timeS: Number(values["time-s"]),
    memoryMb: Number(values["memory-mb"]),
    timeoutMs: Number(values["timeout-ms"]),
    outDir: resolve(values.out),
  });
  process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
  process.exitCode = report.crashes + report.hangs + report.memoryBlowUps > 0 ? 1 : 0;
}
