/**
 * Symbols benchmark (not a test): a native fixture capture analysed with native symbols, side by
 * side in one run, each "first" figure the first capture of a fresh child process (as a CI job's
 * first `flamegraph`), median of 5, interleaved so all see the same machine load:
 *   - first, without symbols (the process's own start-up cost: compiling the analysis);
 *   - first, symbols, no cache: the ELF and DWARF files parsed (libc's debug file included);
 *   - first, symbols, with cache: the parsed DWARF index read from disk (`cacheDir`: what
 *     `ingest` keeps in `<content>/.cache/symbols`, `flamegraph`/`tree` in the user's cache);
 *   - "analysis compiled": the same, after one capture without symbols in that process (the
 *     previous bench's "cold": what the symbols alone cost the first time);
 *   - warm: later captures of the same process (images parsed already).
 * "inside the symbolizer" is the time spent in the symbolizer's calls alone. Then the whole
 * command, as CI runs it: `heaptrail flamegraph` processes (start-up included) with
 * --no-symbols, with symbols and no cache (HEAPTRAIL_SYMBOL_CACHE=off), with symbols and the cache.
 *
 *   node bench/symbols.ts [capture.bin]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeCapture } from "../src/analysis/analyze.ts";
import { flushCacheWrites, nativeSymbols } from "../src/symbols/index.ts";

const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
function time(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

interface ChildResult {
  /** The process's first capture. */
  first: number;
  /** Later captures (median). */
  warm: number;
  /** Time inside the symbolizer: first capture, later ones (median). */
  firstSymbolize: number;
  warmSymbolize: number;
  warnings: string[];
}

type Mode = "plain" | "symbols" | "symbols-after-plain";

function runChild(capture: string, mode: Mode, cacheDir: string | undefined): ChildResult {
  const warnings = new Set<string>();
  const inner = nativeSymbols({ warn: (m) => warnings.add(m.trim()), cacheDir });
  let inSymbolizer = 0;
  const symbolizerFor: typeof inner = (tables) => {
    const t0 = performance.now();
    const symbolize = inner(tables);
    inSymbolizer += performance.now() - t0;
    return (module, offset, ip) => {
      const t1 = performance.now();
      const frames = symbolize(module, offset, ip);
      inSymbolizer += performance.now() - t1;
      return frames;
    };
  };
  const options = mode === "plain" ? {} : { symbolizerFor };
  // The previous bench's "cold": the analysis compiled by a capture without symbols first, so
  // the first symbolized capture pays for the symbols alone.
  if (mode === "symbols-after-plain") analyzeCapture(capture);
  const first = time(() => analyzeCapture(capture, options));
  const firstSymbolize = inSymbolizer;
  const warm: number[] = [];
  const warmSymbolize: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    inSymbolizer = 0;
    warm.push(time(() => analyzeCapture(capture, options)));
    warmSymbolize.push(inSymbolizer);
  }
  flushCacheWrites();
  return { first, warm: median(warm), firstSymbolize, warmSymbolize: median(warmSymbolize), warnings: [...warnings] };
}

if (process.argv[2] === "--child") {
  const [, , , capture, mode, cacheDir] = process.argv;
  process.stdout.write(JSON.stringify(runChild(capture!, mode as Mode, cacheDir || undefined)));
} else {
  const capture = process.argv[2] ?? join(import.meta.dirname, "..", "test", "data", "memray", "1.18.0", "leaks.native.bin");
  const cacheDir = mkdtempSync(join(tmpdir(), "heaptrail-bench-symbols-"));
  const child = (mode: string, dir: string): ChildResult =>
    JSON.parse(
      execFileSync(process.execPath, ["--experimental-strip-types", "--no-warnings", import.meta.filename, "--child", capture, mode, dir], { encoding: "utf8" }),
    ) as ChildResult;
  try {
    const plain: ChildResult[] = [];
    const noCache: ChildResult[] = [];
    const withCache: ChildResult[] = [];
    const compiledNoCache: ChildResult[] = [];
    const compiledCache: ChildResult[] = [];
    child("symbols", cacheDir); // fills the cache
    for (let i = 0; i < RUNS; i++) {
      plain.push(child("plain", ""));
      noCache.push(child("symbols", ""));
      withCache.push(child("symbols", cacheDir));
      compiledNoCache.push(child("symbols-after-plain", ""));
      compiledCache.push(child("symbols-after-plain", cacheDir));
    }
    const m = (rs: ChildResult[], k: keyof Omit<ChildResult, "warnings">) => median(rs.map((r) => r[k]));
    const warm = m([...noCache, ...withCache], "warm");
    const row = (label: string, ms: number, extra = "") => console.log(`${label.padEnd(34)} ${ms.toFixed(0).padStart(5)} ms  ${(ms / warm).toFixed(2)}× warm${extra}`);
    console.log(`capture: ${capture}`);
    row("first capture, without symbols", m(plain, "first"));
    row("first capture, symbols, no cache", m(noCache, "first"), `, ${m(noCache, "firstSymbolize").toFixed(0)} ms inside the symbolizer`);
    row("first capture, symbols, cache", m(withCache, "first"), `, ${m(withCache, "firstSymbolize").toFixed(0)} ms inside the symbolizer`);
    row("analysis compiled, symbols cold", m(compiledNoCache, "first"), `, ${m(compiledNoCache, "firstSymbolize").toFixed(0)} ms inside the symbolizer`);
    row("analysis compiled, cache", m(compiledCache, "first"), `, ${m(compiledCache, "firstSymbolize").toFixed(0)} ms inside the symbolizer`);
    row("warm (later captures), symbols", warm, `, ${m([...noCache, ...withCache], "warmSymbolize").toFixed(1)} ms inside the symbolizer`);
    row("warm (later captures), without", m(plain, "warm"));
    console.log(`(medians of ${RUNS} fresh processes each, interleaved)`);
    const bin = join(import.meta.dirname, "..", "bin", "heaptrail.mjs");
    const command = (extra: string[], cache: string): number => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [bin, "flamegraph", ...extra, capture], { env: { ...process.env, HEAPTRAIL_SYMBOL_CACHE: cache }, stdio: ["ignore", "ignore", "inherit"] });
      if (r.status !== 0) throw new Error(`heaptrail flamegraph exited with ${r.status}`);
      return performance.now() - t0;
    };
    const cli = { plain: [] as number[], cold: [] as number[], cached: [] as number[] };
    command([], cacheDir);
    for (let i = 0; i < RUNS; i++) {
      cli.plain.push(command(["--no-symbols"], "off"));
      cli.cold.push(command([], "off"));
      cli.cached.push(command([], cacheDir));
    }
    const plainCli = median(cli.plain);
    const cliRow = (label: string, ms: number) => console.log(`${label.padEnd(34)} ${ms.toFixed(0).padStart(5)} ms  ${(ms / plainCli).toFixed(2)}× --no-symbols`);
    cliRow("heaptrail flamegraph --no-symbols", plainCli);
    cliRow("heaptrail flamegraph, no cache", median(cli.cold));
    cliRow("heaptrail flamegraph, cache", median(cli.cached));
    for (const w of new Set([...noCache, ...withCache].flatMap((r) => r.warnings))) console.log(`warning: ${w}`);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
