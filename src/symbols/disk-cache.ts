/**
 * What heaptrail keeps on disk per build id (the parsed DWARF index, the sorted symbol tables),
 * so a new process does not parse an image's debug data again. A file is a header line (format
 * name, version, build id, SHA-256 of the body) and the body; a file whose header or digest does
 * not check out is ignored (and rewritten): a cache is never trusted blindly, and each reader
 * checks the body's contents too. Writes go to a temporary name renamed into place, so a reader
 * never sees half a file; failing to write only costs the next process the parse.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface CacheFormat {
  name: string;
  /** Bumped whenever the body's shape or the parse it records changes. */
  version: number;
}

/** `body` under its header. */
export function wrapCache(format: CacheFormat, buildId: string, body: string): string {
  return `${JSON.stringify({ format: format.name, version: format.version, buildId, sha256: sha256(body) })}\n${body}`;
}

/** The body of the file at `path` when it is a sound `format` file of `buildId`, else null. */
export function readCache(path: string, format: CacheFormat, buildId: string): string | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  const nl = text.indexOf("\n");
  if (nl < 0) return null;
  try {
    const header = JSON.parse(text.slice(0, nl)) as Record<string, unknown>;
    if (header.format !== format.name || header.version !== format.version || header.buildId !== buildId) return null;
    const body = text.slice(nl + 1);
    return header.sha256 === sha256(body) ? body : null;
  } catch {
    return null;
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

const pending = new Map<string, () => string | null>();
let scheduled = false;
let hooked = false;

/**
 * Writes `produce()` to `path` once the current synchronous work is over (one write per file
 * per capture, not one per unit read), or at process exit, whichever comes first; `produce`
 * returning null writes nothing.
 */
export function scheduleWrite(path: string, produce: () => string | null): void {
  pending.set(path, produce);
  if (!hooked) {
    hooked = true;
    process.once("exit", flushCacheWrites);
  }
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushCacheWrites);
  }
}

/** Writes every pending cache file now. */
export function flushCacheWrites(): void {
  scheduled = false;
  const jobs = [...pending];
  pending.clear();
  for (const [path, produce] of jobs) {
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      const text = produce();
      if (text === null) continue;
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(tmp, text);
      renameSync(tmp, path);
    } catch {
      // Best effort: an unwritable cache folder only means the next process parses again.
      rmSync(tmp, { force: true });
    }
  }
}
