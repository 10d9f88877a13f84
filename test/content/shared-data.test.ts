import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ingestCaptures } from "../../src/content/ingest.ts";
import { copyRun, dataFilePath, publicDir, readEntry, readEntryText } from "../../src/content/ledger.ts";
import { applyRetention, removeRuns } from "../../src/content/retention.ts";
import type { OkRunEntry } from "../../src/content/schema.ts";
import { writeSuiteCaptures } from "../helpers/suite-captures.ts";

const root = mkdtempSync(join(tmpdir(), "heaptrail-shared-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const spec = { tests: 4, files: 2, regressEvery: 4 };
const ingest = (contentDir: string, commit: number) =>
  ingestCaptures(writeSuiteCaptures(spec, commit, join(root, `c${commit}`)), {
    contentDir,
    meta: { commit: String(commit + 1).repeat(40), branch: "main", timestamp: new Date(Date.UTC(2026, 10, 1 + commit)).toISOString() },
    env: {},
    git: false,
    noSource: true,
    jobs: 1,
  });
const refs = (e: OkRunEntry) => Object.values(e.data).filter((r) => r !== null);
const sharedFiles = (contentDir: string) => {
  const dir = join(publicDir(contentDir), "data", "shared");
  return readdirSync(dir).flatMap((hash) => readdirSync(join(dir, hash)).map((name) => `${hash}/${name}`));
};

describe("byte-identical run data is kept once", () => {
  const content = join(root, "content");

  test("an unchanged test's second run points at the first run's files; a changed one has its own", async () => {
    const first = await ingest(content, 0);
    const second = await ingest(content, 1);
    expect([...first, ...second].every((r) => r.outcome === "written")).toBe(true);
    for (const r of [...first, ...second]) {
      const e = readEntry(content, r.runId) as OkRunEntry;
      for (const ref of refs(e)) {
        expect(ref.path).toMatch(/^data\/shared\/[0-9a-f]{32}\/[a-z-]+\.json$/);
        expect(existsSync(dataFilePath(content, ref))).toBe(true);
      }
      expect(existsSync(join(publicDir(content), "data", r.runId))).toBe(false);
    }
    const a = readEntry(content, first[0]!.runId) as OkRunEntry;
    const b = readEntry(content, second[0]!.runId) as OkRunEntry;
    expect(b.data.peak!.path).toBe(a.data.peak!.path);
    // Test 3 regresses at the second commit: its peak tree differs.
    const c = readEntry(content, first[3]!.runId) as OkRunEntry;
    const d = readEntry(content, second[3]!.runId) as OkRunEntry;
    expect(d.data.peak!.path).not.toBe(c.data.peak!.path);
    const all = new Set([...first, ...second].flatMap((r) => refs(readEntry(content, r.runId) as OkRunEntry).map((ref) => ref.path)));
    expect(sharedFiles(content).length).toBe(all.size);
    expect(all.size).toBeLessThan(2 * refs(a).length * spec.tests);
  });

  test("re-ingesting changes nothing, byte for byte", async () => {
    const before = readEntryText(content, (await ingest(content, 1))[0]!.runId);
    const again = await ingest(content, 1);
    expect(again.every((r) => r.outcome === "unchanged")).toBe(true);
    expect(readEntryText(content, again[0]!.runId)).toBe(before);
  });

  test("a copied run brings its shared files; retention and removal delete only the unreferenced", async () => {
    const runs = (await ingest(content, 1)).map((r) => r.runId);
    const other = join(root, "other");
    copyRun(content, runs[0]!, other);
    const copied = readEntry(other, runs[0]!) as OkRunEntry;
    for (const ref of refs(copied)) expect(existsSync(dataFilePath(other, ref))).toBe(true);

    const kept = readEntry(content, runs[0]!) as OkRunEntry;
    // Keep one full run per benchmark: the first commit's runs are pruned, their shared files stay
    // where the second commit's runs use them.
    applyRetention(content, 1);
    for (const ref of refs(kept)) expect(existsSync(dataFilePath(content, ref))).toBe(true);
    const live = new Set(runs.flatMap((id) => refs(readEntry(content, id) as OkRunEntry).map((r) => r.path)));
    expect(new Set(sharedFiles(content).map((f) => `data/shared/${f}`))).toEqual(live);
    removeRuns(content, { ids: runs });
    expect(sharedFiles(content)).toEqual([]);
  });
});
