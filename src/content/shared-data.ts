/**
 * Content-addressed run data: a run's data files moved to `public/data/shared/<sha256>/<name>`
 * (the first 32 hex digits of the file's sha256, and its name, `peak.json`, which the pages and
 * their preloads go by), its entry's refs pointing there. Two runs whose
 * data are byte-identical (a test whose memory did not change between commits, the usual case in
 * a suite of thousands) then share one file: the history grows by what changed. A file's name
 * is its content, so ledgers still merge by copying (the same name is the same bytes), and the
 * same capture under the same metadata still gives the same entry, byte for byte.
 *
 * Retention and removal leave shared files behind; `collectSharedData` deletes those no entry
 * references any more.
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { entryIds, publicDir, readEntry, readEntryText, runDataDir, writeEntry } from "./ledger.ts";
import type { OkRunEntry } from "./schema.ts";

const SHARED = "data/shared/";

/** Whether a data ref points at a shared file. */
export function isSharedPath(path: string): boolean {
  return path.startsWith(SHARED);
}

/**
 * A file's sha256 in hex, read a megabyte at a time (a data file here, a capture for its run's
 * id in ingest.ts). Read whole, pyalloc x16's 60 MB temporal-leaks file was the ingest's peak
 * (+60 MB after the analysis was done with); in 64 KiB chunks, its 92 MB capture took 84-121 ms,
 * in 1 MiB ones 53-69 ms.
 */
export function sha256OfFile(file: string): string {
  const hash = createHash("sha256");
  const chunk = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, "r");
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** Move a freshly written run's data files to the shared folder and point its entry there. */
export function shareRunData(contentDir: string, runId: string): void {
  const entry = readEntry(contentDir, runId);
  if (entry === null || entry.status !== "ok" || entry.dataPruned) return;
  const data = { ...entry.data } as Record<string, OkRunEntry["data"][keyof OkRunEntry["data"]]>;
  let changed = false;
  for (const [key, ref] of Object.entries(data)) {
    if (ref === null || isSharedPath(ref.path)) continue;
    const file = join(publicDir(contentDir), ref.path);
    const path = `${SHARED}${sha256OfFile(file).slice(0, 32)}/${basename(ref.path)}`;
    const target = join(publicDir(contentDir), path);
    if (existsSync(target)) rmSync(file);
    else {
      // A rename: a reader sees the whole file or none.
      mkdirSync(dirname(target), { recursive: true });
      renameSync(file, target);
    }
    data[key] = { ...ref, path };
    changed = true;
  }
  if (!changed) return;
  writeEntry(contentDir, { ...entry, data: data as OkRunEntry["data"] });
  const dir = runDataDir(contentDir, runId);
  if (existsSync(dir) && readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
}

/** The shared files an entry references (read as stored: no schema needed). */
export function sharedRefs(contentDir: string, runId: string): string[] {
  try {
    const e = JSON.parse(readEntryText(contentDir, runId)) as { data?: Record<string, { path?: unknown } | null> };
    return Object.values(e.data ?? {}).flatMap((ref) => (ref && typeof ref.path === "string" && isSharedPath(ref.path) ? [ref.path] : []));
  } catch {
    return [];
  }
}

/** Delete the shared files no entry references; returns how many. */
export function collectSharedData(contentDir: string): number {
  const dir = join(publicDir(contentDir), SHARED);
  if (!existsSync(dir)) return 0;
  const used = new Set<string>();
  for (const id of entryIds(contentDir)) for (const path of sharedRefs(contentDir, id)) used.add(path);
  let removed = 0;
  for (const hash of readdirSync(dir)) {
    const names = readdirSync(join(dir, hash));
    for (const name of names) {
      if (used.has(`${SHARED}${hash}/${name}`)) continue;
      rmSync(join(dir, hash, name), { force: true });
      removed++;
    }
    if (readdirSync(join(dir, hash)).length === 0) rmSync(join(dir, hash), { recursive: true, force: true });
  }
  return removed;
}
