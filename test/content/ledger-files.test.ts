/** The content folder's layout (src/content/ledger.ts): where entries and data live, the scan, read/write, removal, copy. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import {
  copyRun,
  dataFilePath,
  dataRefPath,
  entryIds,
  entryPath,
  readDataFile,
  readEntry,
  readEntryText,
  readLedger,
  removeRun,
  removeRunData,
  runDataDir,
  writeEntry,
} from "../../src/content/ledger.ts";
import { failedEntry, okEntry } from "../helpers/entries.ts";

const root = mkdtempSync(join(tmpdir(), "heaptrail-ledger-files-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const folder = () => join(root, `content-${n++}`);

describe("the ledger's layout", () => {
  test("entries in runs/<id>.json, data in public/data/<id>/, refs relative to public/", () => {
    const dir = folder();
    expect(entryPath(dir, "r1")).toBe(join(dir, "runs", "r1.json"));
    expect(runDataDir(dir, "r1")).toBe(join(dir, "public", "data", "r1"));
    expect(dataRefPath("r1", "peak.json")).toBe("data/r1/peak.json");
    expect(dataFilePath(dir, { path: dataRefPath("r1", "peak.json"), sizeBytes: 2 })).toBe(join(runDataDir(dir, "r1"), "peak.json"));
  });

  test("the scan: sorted ids of *.json entries; none for a folder without runs/", () => {
    const dir = folder();
    expect(entryIds(dir)).toEqual([]);
    expect(readLedger(dir)).toEqual([]);
    mkdirSync(join(dir, "runs"), { recursive: true });
    for (const name of ["b.json", "a.json", "notes.txt", "c.json.1234.tmp"]) writeFileSync(join(dir, "runs", name), "{}");
    expect(entryIds(dir)).toEqual(["a", "b"]);
  });

  test("an entry is written in its own key order (one-space indent) and read back equal", () => {
    const dir = folder();
    const entry = okEntry("r1", { meta: { message: "first" } });
    writeEntry(dir, entry);
    const text = readFileSync(entryPath(dir, "r1"), "utf8");
    expect(text).toBe(JSON.stringify(entry, null, 1));
    expect(readEntry(dir, "r1")).toEqual(entry);
    // What the schema parses comes back in the schema's key order: a rewrite that must keep the
    // bytes starts from the stored text (as retention does), not from readEntry.
    writeEntry(dir, JSON.parse(readEntryText(dir, "r1")) as typeof entry);
    expect(readFileSync(entryPath(dir, "r1"), "utf8")).toBe(text);
  });

  test("an entry the schema rejects is not written; one that does not parse or fit reads as null and the ledger skips it", () => {
    const dir = folder();
    expect(() => writeEntry(dir, { ...okEntry("bad"), peakMemoryBytes: "lots" } as never)).toThrow();
    expect(existsSync(entryPath(dir, "bad"))).toBe(false);
    writeEntry(dir, failedEntry("f1"));
    writeFileSync(entryPath(dir, "torn"), '{"id": "torn", "status": "ok"');
    writeFileSync(entryPath(dir, "odd"), JSON.stringify({ id: "odd", status: "ok" }));
    expect(readEntry(dir, "torn")).toBeNull();
    expect(readEntry(dir, "odd")).toBeNull();
    expect(readEntry(dir, "missing")).toBeNull();
    expect(readLedger(dir).map((e) => e.id)).toEqual(["f1"]);
  });

  test("data files: read by ref, null when missing; removing a run's data keeps its entry, removing the run takes both", () => {
    const dir = folder();
    writeEntry(dir, okEntry("r1"));
    const ref = { path: dataRefPath("r1", "peak.json"), sizeBytes: 9 };
    expect(readDataFile(dir, ref)).toBeNull();
    mkdirSync(runDataDir(dir, "r1"), { recursive: true });
    writeFileSync(dataFilePath(dir, ref), '{"a": [1]}');
    expect(readDataFile(dir, ref)).toEqual({ a: [1] });
    removeRunData(dir, "r1");
    expect(existsSync(runDataDir(dir, "r1"))).toBe(false);
    expect(readEntry(dir, "r1")).not.toBeNull();
    removeRun(dir, "r1");
    expect(entryIds(dir)).toEqual([]);
  });

  test("a run copied into another ledger brings its entry byte for byte and replaces its data whole", () => {
    const from = folder();
    const to = folder();
    writeEntry(from, okEntry("r1"));
    mkdirSync(runDataDir(from, "r1"), { recursive: true });
    writeFileSync(join(runDataDir(from, "r1"), "peak.json"), "[1]");
    mkdirSync(runDataDir(to, "r1"), { recursive: true });
    writeFileSync(join(runDataDir(to, "r1"), "stale.json"), "[0]");
    copyRun(from, "r1", to);
    expect(readFileSync(entryPath(to, "r1"), "utf8")).toBe(readFileSync(entryPath(from, "r1"), "utf8"));
    expect(readFileSync(join(runDataDir(to, "r1"), "peak.json"), "utf8")).toBe("[1]");
    expect(existsSync(join(runDataDir(to, "r1"), "stale.json"))).toBe(false);
    // A run without data files (a failed one) copies its entry only.
    writeEntry(from, failedEntry("f1"));
    copyRun(from, "f1", to);
    expect(entryIds(to)).toEqual(["f1", "r1"]);
    expect(existsSync(runDataDir(to, "f1"))).toBe(false);
  });
});
