/**
 * The content folder's layout, in one place: the history ledger is
 *
 *   <contentDir>/runs/<id>.json          one small entry per run (read by the content loader)
 *   <contentDir>/public/data/<id>/…      the run's large data files (copied to the site as-is;
 *                                        an entry's DataRef paths are relative to public/)
 *
 * Every other module finds entries and data through these functions: the entry paths, the scan
 * of the runs folder, entry read/write, a run's removal and its copy into another ledger.
 * Entries are separate files, so a union of two ledgers is a copy of files.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { runEntrySchema, type DataRef, type RunEntry } from "./schema.ts";

const ENTRY_SUFFIX = ".json";

export function runsDir(contentDir: string): string {
  return join(contentDir, "runs");
}

/** The folder the site copies as-is (its `publicDir`): DataRef paths are relative to it. */
export function publicDir(contentDir: string): string {
  return join(contentDir, "public");
}

/** Where a run's data files live. */
export function runDataDir(contentDir: string, runId: string): string {
  return join(publicDir(contentDir), "data", runId);
}

/** A data file's path relative to publicDir (what a DataRef stores). */
export function dataRefPath(runId: string, name: string): string {
  return `data/${runId}/${name}`;
}

export function entryPath(contentDir: string, runId: string): string {
  return join(runsDir(contentDir), `${runId}${ENTRY_SUFFIX}`);
}

/** Where a data ref's file is on disk. */
export function dataFilePath(contentDir: string, ref: DataRef): string {
  return join(publicDir(contentDir), ref.path);
}

/** Write a file whole or not at all (a kill leaves the old file or the new one, never a part). */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** The ids of every entry file, sorted (the one scan of the runs folder; none when it is absent). */
export function entryIds(contentDir: string): string[] {
  const dir = runsDir(contentDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(ENTRY_SUFFIX))
    .sort()
    .map((f) => f.slice(0, -ENTRY_SUFFIX.length));
}

/** An entry file's text as stored (throws when it cannot be read). */
export function readEntryText(contentDir: string, runId: string): string {
  return readFileSync(entryPath(contentDir, runId), "utf8");
}

/**
 * The stored entry of a run, checked against the schema; null when missing or unreadable. Its
 * keys come in the schema's order, not the file's: a rewrite that must keep the file's bytes
 * starts from readEntryText (retention does).
 */
export function readEntry(contentDir: string, runId: string): RunEntry | null {
  const path = entryPath(contentDir, runId);
  if (!existsSync(path)) return null;
  try {
    const parsed = runEntrySchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Every readable entry of a ledger, by id (unreadable ones are skipped: one bad file must not stop a reader). */
export function readLedger(contentDir: string): RunEntry[] {
  return entryIds(contentDir)
    .map((id) => readEntry(contentDir, id))
    .filter((e): e is RunEntry => e !== null);
}

/**
 * Write a run's entry atomically, validated with the same schema the site reads with. The text
 * is the object as given (its key order), one space of indent: re-writing the same entry gives
 * the same bytes.
 */
export function writeEntry(contentDir: string, entry: RunEntry): void {
  runEntrySchema.parse(entry);
  writeFileAtomic(entryPath(contentDir, entry.id), JSON.stringify(entry, null, 1));
}

/** A data file of a run, parsed; null when its file is missing. */
export function readDataFile(contentDir: string, ref: DataRef): unknown {
  const path = dataFilePath(contentDir, ref);
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, "utf8")) as unknown;
}

/** Delete a run's data files (its entry stays). */
export function removeRunData(contentDir: string, runId: string): void {
  rmSync(runDataDir(contentDir, runId), { recursive: true, force: true });
}

/** Delete a run: its entry and its data files. */
export function removeRun(contentDir: string, runId: string): void {
  rmSync(entryPath(contentDir, runId), { force: true });
  removeRunData(contentDir, runId);
}

/**
 * Copy a run (entry and data files, replacing any it had there) from one ledger into another,
 * with the shared data files it references (shared-data.ts: content-addressed, so one already
 * there is the same bytes and stays).
 */
export function copyRun(from: string, runId: string, to: string): void {
  mkdirSync(runsDir(to), { recursive: true });
  cpSync(entryPath(from, runId), entryPath(to, runId));
  const data = runDataDir(from, runId);
  if (existsSync(data)) {
    removeRunData(to, runId);
    cpSync(data, runDataDir(to, runId), { recursive: true });
  }
  const own = `${dataRefPath(runId, "")}`;
  const refs = (JSON.parse(readEntryText(from, runId)) as { data?: Record<string, DataRef | null> }).data ?? {};
  for (const ref of Object.values(refs)) {
    if (!ref || typeof ref.path !== "string" || ref.path.startsWith(own)) continue;
    const target = dataFilePath(to, ref);
    if (!existsSync(target)) {
      mkdirSync(dirname(target), { recursive: true });
      cpSync(dataFilePath(from, ref), target);
    }
  }
}
