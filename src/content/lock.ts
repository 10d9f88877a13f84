/**
 * One writer per content folder: `<contentDir>/.lock` holds the owner's pid and host. A second
 * build waits for the first (two builds interleaving their writes lost data files), and a lock
 * left by a killed process (its pid gone on this host) is taken over.
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

export interface LockOptions {
  /** Called once when another process holds the lock and we start waiting. */
  onWait?: (holder: string) => void;
  /** Give up after this long. Default 30 minutes: a build of many large captures takes minutes. */
  timeoutMs?: number;
  /** Poll interval. Default 250 ms. */
  pollMs?: number;
}

export class LockTimeoutError extends Error {}

interface Holder {
  pid: number;
  host: string;
  /** The lock file's text, to take over exactly the stale lock and not a fresh one. */
  text: string;
}

function readHolder(path: string): Holder | null {
  try {
    const text = readFileSync(path, "utf8");
    const holder = JSON.parse(text) as Holder;
    return typeof holder.pid === "number" && typeof holder.host === "string" ? { pid: holder.pid, host: holder.host, text } : null;
  } catch {
    return null; // being written, or gone: treated as held until it parses or disappears
  }
}

function alive(holder: Holder): boolean {
  if (holder.host !== hostname()) return true; // another machine's process: cannot tell, wait
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Take the content folder's lock (waiting for another build); returns its release. */
export async function lockContent(contentDir: string, options: LockOptions = {}): Promise<() => void> {
  mkdirSync(contentDir, { recursive: true });
  const path = join(contentDir, ".lock");
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  let told = false;
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const holder = readHolder(path);
    if (holder !== null && !alive(holder)) {
      // Its owner was killed. Remove it only if it is still that lock (another waiter may have
      // just replaced it); the next loop takes it.
      if (readHolder(path)?.text === holder.text) rmSync(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new LockTimeoutError(`${path}: still held by another build${holder ? ` (pid ${holder.pid} on ${holder.host})` : ""}`);
    }
    if (!told) {
      told = true;
      options.onWait?.(holder ? `pid ${holder.pid} on ${holder.host}` : "another build");
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
  }
  const release = () => {
    process.off("exit", release);
    const holder = readHolder(path);
    if (holder?.pid === process.pid && holder.host === hostname()) rmSync(path, { force: true });
  };
  process.on("exit", release);
  return release;
}
