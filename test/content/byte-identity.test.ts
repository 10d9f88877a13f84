/**
 * Byte identity of everything heaptrail writes: every fixture capture's data files and run entry
 * (at the default pruning and at a coarse one, so "other" nodes are written too), and the
 * flamegraph and tree commands' outputs, each compared by SHA-256 with the digests in
 * test/data/output-digests.json. A refactoring of how trees are built, encoded or written must
 * leave every digest as it is. After a deliberate output change, regenerate the file with
 * `HEAPTRAIL_UPDATE_DIGESTS=1 npx vitest run test/content/byte-identity.test.ts` and say why in the commit.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, test } from "vitest";
import { analyzeCapture } from "../../src/analysis/analyze.ts";
import type { RunAnalysis } from "../../src/analysis/model.ts";
import { runFlamegraph } from "../../src/cli/flamegraph.ts";
import { runTree } from "../../src/cli/tree.ts";
import { runDataDir } from "../../src/content/ledger.ts";
import { writeRun } from "../../src/content/write.ts";
import { DATA_DIR, memrayFixtures } from "../helpers/fixtures.ts";
import { fixtureAnalysis } from "./fixture-analysis.ts";

const DIGESTS = join(DATA_DIR, "output-digests.json");
const update = process.env.HEAPTRAIL_UPDATE_DIGESTS === "1";
const expected: Record<string, string> = existsSync(DIGESTS) ? (JSON.parse(readFileSync(DIGESTS, "utf8")) as Record<string, string>) : {};
const actual: Record<string, string> = {};

const dir = mkdtempSync(join(tmpdir(), "heaptrail-bytes-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (update) writeFileSync(DIGESTS, `${JSON.stringify(Object.fromEntries(Object.entries(actual).sort()), null, 1)}\n`);
});

const sha = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** Write the run and record a digest per file written (the entry included). */
function digestRun(key: string, analysis: RunAnalysis, minFrameFraction?: number): void {
  const contentDir = join(dir, key.replace(/[^\w.-]/g, "_"));
  writeRun(analysis, { runId: "run", captureHash: "0", meta: {}, contentDir, noSource: true, minFrameFraction, fallbackTimeMs: 0 });
  const dataDir = runDataDir(contentDir, "run");
  const files = readdirSync(dataDir).sort();
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) actual[`${key} ${f}`] = sha(readFileSync(join(dataDir, f)));
  actual[`${key} entry`] = sha(readFileSync(join(contentDir, "runs", "run.json")));
  rmSync(contentDir, { recursive: true, force: true });
}

/** Digest of what a command writes to its output stream. */
async function digestCommand(run: (argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream) => Promise<number>, argv: string[]): Promise<string> {
  const hash = createHash("sha256");
  let bytes = 0;
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done();
    },
  });
  const err = new Writable({ write: (_c, _e, done) => done() });
  expect(await run(argv, out, err)).toBe(0);
  await new Promise<void>((resolve) => out.end(resolve));
  expect(bytes).toBeGreaterThan(0);
  return hash.digest("hex");
}

function check(prefix: string): void {
  const keys = Object.keys(actual).filter((k) => k.startsWith(`${prefix} `));
  expect(keys.length).toBeGreaterThan(0);
  if (update) return;
  for (const k of keys) expect(actual[k], k).toBe(expected[k]);
  // Every file the digests name is still written.
  for (const k of Object.keys(expected).filter((e) => e.startsWith(`${prefix} `))) expect(actual[k], `${k} is written`).toBeDefined();
}

describe("data files and run entries", () => {
  for (const fixture of memrayFixtures()) {
    test(fixture.id, () => {
      const analysis = analyzeCapture(fixture.capturePath);
      digestRun(`data ${fixture.id}`, analysis);
      digestRun(`data/50 ${fixture.id}`, analysis, 1 / 50);
      check(`data ${fixture.id}`);
      check(`data/50 ${fixture.id}`);
    });
  }
  for (const [name, options] of [
    ["fixture", {}],
    ["fixture-hostile", { hostile: true }],
    ["fixture-one-thread", { threads: 1 }],
  ] as const) {
    test(name, () => {
      digestRun(`data ${name}`, fixtureAnalysis(options));
      digestRun(`data/50 ${name}`, fixtureAnalysis(options), 1 / 50);
      check(`data ${name}`);
      check(`data/50 ${name}`);
    });
  }
});

describe("command outputs", () => {
  for (const fixture of memrayFixtures()) {
    test(fixture.id, async () => {
      // Every view, shape and format on memray 1.20's captures; the older versions' captures
      // (the same programs, read by the same code once decoded) and the one large capture
      // (1.7 MB, ~2 s a command) in the plain views only, to keep the test's time modest.
      const full = fixture.memrayVersion === "1.20.0" && statSync(fixture.capturePath).size < 1_000_000;
      const views = fixture.aggregated ? [[], ["--leaks"]] : [[], ["--leaks"], ["--temporary-allocations"]];
      for (const view of full ? views : [[]]) {
        for (const shape of full ? [[], ["--inverted"], ["--split-threads"]] : [[]]) {
          for (const format of ["folded", "json"]) {
            const argv = [fixture.capturePath, "--no-symbols", ...view, ...shape, "--format", format];
            actual[`cli ${fixture.id} flamegraph ${[...view, ...shape, format].join(" ")}`] = await digestCommand(runFlamegraph, argv);
          }
        }
      }
      actual[`cli ${fixture.id} tree`] = await digestCommand(runTree, [fixture.capturePath, "--no-symbols"]);
      check(`cli ${fixture.id}`);
    });
  }
});
