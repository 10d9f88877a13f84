/** Content stage: pruning keeps every byte, entries validate, unchanged captures are skipped. */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { FLAME_ROOT } from "../../src/analysis/flame.ts";
import { decodeTree, encodeTree } from "../../src/content/columnar.ts";
import { NodeFlag, runEntrySchema, SCHEMA_VERSION } from "../../src/content/schema.ts";
import { collectSource, isUpToDate, writeFailedRun, writeRun } from "../../src/content/write.ts";
import { fixtureAnalysis } from "./fixture-analysis.ts";

const dir = mkdtempSync(join(tmpdir(), "heaptrail-content-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("encodeTree", () => {
  const root = fixtureAnalysis().flame.peak!;

  test("without pruning, every node is kept in preorder", () => {
    const tree = decodeTree(encodeTree(root, { minFrameFraction: 0 }));
    expect(tree.size).toBe(tree.totalNodes);
    expect(tree.function[0]).toBe(FLAME_ROOT.function);
    for (let i = 1; i < tree.size; i++) expect(tree.parent[i]).toBeLessThan(i);
  });

  test("narrow frames merge into one 'other' node per parent that states their bytes", () => {
    const tree = decodeTree(encodeTree(root, { minFrameFraction: 0.01 }));
    expect(tree.size).toBeLessThan(tree.totalNodes);
    const others = [...tree.otherFrames.keys()];
    expect(others.length).toBeGreaterThan(0);
    for (const o of others) expect(tree.flags[o]! & NodeFlag.OTHER).toBeTruthy();
    // Every parent's bytes are still the sum of its children (leaves here own no bytes).
    for (let i = 0; i < tree.size; i++) {
      const kids = tree.children[i]!;
      if (kids.length > 0 && i !== 0) expect(kids.reduce((s, c) => s + tree.valueBytes[c]!, 0)).toBe(tree.valueBytes[i]);
    }
    expect(tree.valueBytes[0]).toBe(root.valueBytes[0]);
  });
});

describe("writeRun", () => {
  const options = { runId: "demo", captureHash: "abc", meta: { benchmark: "demo" }, contentDir: dir, noSource: true };

  test("writes a valid entry and the data files it points at", () => {
    const entry = writeRun(fixtureAnalysis(), options);
    expect(entry.schemaVersion).toBe(SCHEMA_VERSION);
    const stored = runEntrySchema.parse(JSON.parse(readFileSync(join(dir, "runs", "demo.json"), "utf8")));
    expect(stored).toEqual(entry);
    for (const ref of Object.values(entry.data)) if (ref) expect(existsSync(join(dir, "public", ref.path))).toBe(true);
    expect(entry.data.source).toBeNull();
    expect(entry.threads).toHaveLength(2);
  });

  test("a rewrite replaces the run's data whole: every file left is one the entry points at", () => {
    writeFileSync(join(dir, "public", "data", "demo", "source.json"), "{\"stale\": true}");
    const entry = writeRun(fixtureAnalysis(), options);
    const referenced = Object.values(entry.data).flatMap((ref) => (ref ? [basename(ref.path)] : [])).sort();
    expect(readdirSync(join(dir, "public", "data", "demo")).sort()).toEqual(referenced);
    expect(existsSync(join(dir, "public", "data", "demo.staging"))).toBe(false);
  });

  test("an unchanged capture is up to date; a changed capture, meta or setting is not", () => {
    expect(isUpToDate(dir, options)).toBe(true);
    expect(isUpToDate(dir, { ...options, captureHash: "abd" })).toBe(false);
    expect(isUpToDate(dir, { ...options, meta: { benchmark: "demo", message: "new" } })).toBe(false);
    // Source lines were kept out; asking for them must rewrite the run (and the reverse).
    expect(isUpToDate(dir, { ...options, noSource: false })).toBe(false);
    // Where the sources were looked up is the machine's business, not the entry's.
    expect(isUpToDate(dir, { ...options, sourceRoots: ["/elsewhere"] })).toBe(true);
  });

  test("a failed capture gets an entry with its error", () => {
    const entry = writeFailedRun(new Error("bad magic"), { ...options, runId: "broken" });
    expect(entry).toMatchObject({ status: "failed", error: "bad magic", fileName: "broken.bin" });
    expect(isUpToDate(dir, { ...options, runId: "broken" })).toBe(false);
  });
});

describe("source lines", () => {
  test("only world-readable .py files inside their roots are read: a hostile capture gets nothing else", () => {
    const root = mkdtempSync(join(tmpdir(), "heaptrail-src-"));
    const inside = join(root, "app");
    mkdirSync(inside);
    writeFileSync(join(inside, "job.py"), "def job():\n    return [0] * 10\n");
    chmodSync(join(inside, "job.py"), 0o644);
    writeFileSync(join(root, "secret.py"), "TOKEN = 'hunter2'\n");
    chmodSync(join(root, "secret.py"), 0o600);
    writeFileSync(join(root, "notes.txt"), "private\n");
    chmodSync(join(root, "notes.txt"), 0o644);
    const frames = [
      { filename: "job.py", lineno: 2 },
      { filename: "/etc/passwd", lineno: 1 },
      { filename: "../secret.py", lineno: 1 },
      { filename: join(root, "secret.py"), lineno: 1 },
      { filename: join(root, "notes.txt"), lineno: 1 },
      { filename: "../notes.txt", lineno: 1 },
    ];
    const source = collectSource(frames, [inside]);
    expect(Object.keys(source.files)).toEqual(["job.py"]);
    expect(source.files["job.py"]!["2"]).toBe("    return [0] * 10");
    rmSync(root, { recursive: true });
  });
});
