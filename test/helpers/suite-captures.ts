/**
 * A generated pytest-memray suite: TESTS tests over FILES test files (`tests/pkgN/test_modM.py`,
 * some in classes, some parametrized), one aggregated capture per test as pytest-memray writes
 * them (`--memray-bin-path`: `<prefix>-<node id>.bin`), for the suite bench and the e2e site.
 * Deterministic: the same test at the same commit is the same bytes. Between commits a test's
 * capture differs in its header (start time, pid) as a re-run's does; its allocations differ only
 * when it regresses (every `regressEvery`-th test: +50% and at least 4 MiB at the peak).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AggregatedCaptureWriter } from "./capture-writer.ts";
import { pytestMemrayFileName } from "./pytest-memray-name.ts";

export interface SuiteSpec {
  tests: number;
  files: number;
  /** Every n-th test regresses at commits after the first (0: none). Default 100 (1%). */
  regressEvery?: number;
}

/** The suite's node ids, in a stable order. */
export function suiteTestIds(spec: SuiteSpec): string[] {
  const ids: string[] = [];
  for (let i = 0; i < spec.tests; i++) {
    const f = i % spec.files;
    const k = Math.floor(i / spec.files);
    const file = `tests/pkg${f % 5}/test_mod${String(f).padStart(2, "0")}.py`;
    // Every other function is parametrized 3 ways; every fifth sits in a class.
    const fn = Math.floor(k / 3);
    const name = fn % 5 === 4 ? `TestGroup::test_case${fn}` : `test_case${fn}`;
    ids.push(fn % 2 === 1 ? `${file}::${name}[${["small", "mid-1", "big/2"][k % 3]}]` : `${file}::${name}${k % 3 === 0 ? "" : `_${k % 3}`}`);
  }
  return ids;
}

/** Whether test `i` regresses at `commit` (commits count from 0). */
export function regresses(spec: SuiteSpec, i: number, commit: number): boolean {
  const every = spec.regressEvery ?? 100;
  return commit > 0 && every > 0 && i % every === every - 1;
}

function mix(n: number): number {
  let h = (n ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}

/** Test `i`'s capture at `commit`: a few call sites under the test function, peak 64 KiB to ~40 MiB. */
export function suiteCapture(spec: SuiteSpec, i: number, commit: number): Uint8Array {
  const id = suiteTestIds({ ...spec, tests: i + 1 })[i]!;
  const file = id.slice(0, id.indexOf("::"));
  const fn = id.slice(id.lastIndexOf("::") + 2).replace(/\[.*$/, "");
  const start = Date.UTC(2026, 10, 22, 12, 0, 0) + commit * 86_400_000 + i * 50;
  const w = new AggregatedCaptureWriter({ commandLine: "pytest --memray tests", pid: 1000 + commit, startTimeMs: start, endTimeMs: start + 40 });
  w.memorySnapshot(start, 60_000_000, 1_000_000);
  w.codeObject(1, fn, file, 10).codeObject(2, "load", "app/io.py", 5).codeObject(3, "transform", "app/core.py", 40).codeObject(4, "build_index", "app/index.py", 12);
  w.frame(0, 1).frame(1, 2).frame(2, 3).frame(3, 4);
  w.stack(0, 0).stack(1, 1).stack(2, 1).stack(3, 1);
  // Peak spread over ~3 decades, a few outliers at 10×.
  const base = Math.round(65_536 * 2 ** (mix(i) * 9) * (mix(i + 7777) < 0.01 ? 10 : 1));
  const stacks = [1, 2, 3, 4];
  const shares = [0.1, 0.5, 0.3, 0.1];
  stacks.forEach((stackId, s) => w.location({ stackId, bytesPeak: Math.round(base * shares[s]!), nPeak: 1 + ((i + s) % 9), bytesLeaked: s === 3 ? 4096 : 0, nLeaked: s === 3 ? 1 : 0 }));
  if (regresses(spec, i, commit)) w.location({ stackId: 3, allocator: 1, bytesPeak: Math.max(4 * 1048576, Math.round(base * 0.5)), nPeak: 3 });
  return w.trailer().bytes();
}

/** Writes the suite's captures at `commit` into `dir` under pytest-memray's names; returns the paths. */
export function writeSuiteCaptures(spec: SuiteSpec, commit: number, dir: string, prefix = `c${commit}`): string[] {
  mkdirSync(dir, { recursive: true });
  return suiteTestIds(spec).map((id, i) => {
    const path = join(dir, pytestMemrayFileName(prefix, id));
    writeFileSync(path, suiteCapture(spec, i, commit));
    return path;
  });
}
