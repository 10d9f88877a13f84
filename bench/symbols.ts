/**
 * Symbols benchmark (not a test): analysis time of the largest native fixture capture with and
 * without native symbols (the target: at most 1.5× the time without). The first run with symbols is
 * "cold": it parses the ELF and DWARF files (libc's debug file included), which happens once per
 * process; later runs reuse them.
 *
 *   node bench/symbols.ts [capture.bin]
 */
import { join } from "node:path";
import { analyzeCapture } from "../src/analysis/analyze.ts";
import { nativeSymbols } from "../src/symbols/index.ts";

const capture = process.argv[2] ?? join(import.meta.dirname, "..", "test", "data", "memray", "1.18.0", "leaks.native.bin");
const RUNS = 7;
const warnings = new Set<string>();
const symbolizerFor = nativeSymbols({ warn: (m) => warnings.add(m.trim()) });

function time(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

// One plain run first, so both sides start with the code compiled.
analyzeCapture(capture);
const cold = time(() => analyzeCapture(capture, { symbolizerFor }));
const plain: number[] = [];
const symbols: number[] = [];
for (let i = 0; i < RUNS; i++) {
  plain.push(time(() => analyzeCapture(capture)));
  symbols.push(time(() => analyzeCapture(capture, { symbolizerFor })));
}
const p = median(plain);
const s = median(symbols);
console.log(`capture: ${capture}`);
console.log(`without symbols: ${p.toFixed(0)} ms (median of ${RUNS})`);
console.log(`with symbols:    ${s.toFixed(0)} ms (median of ${RUNS}), ${(s / p).toFixed(2)}× without`);
console.log(`with symbols, cold (ELF/DWARF parsed in this run): ${cold.toFixed(0)} ms, ${(cold / p).toFixed(2)}× without`);
for (const w of warnings) console.log(`warning: ${w}`);
