/**
 * Analysing one capture into its run, on whichever thread runs it (the pool's workers or the
 * caller's thread): a capture that cannot be read gets a "failed" entry with its error.
 */
import { homedir } from "node:os";
import { basename, dirname, resolve, sep } from "node:path";
import { analyzeCapture } from "../analysis/analyze.ts";
import type { RunAnalysis } from "../analysis/model.ts";
import { contentSymbolCacheDir, nativeSymbols, warnOnStderr } from "../symbols/index.ts";
import { writeFailedRun, writeRun, type WriteRunOptions } from "./write.ts";

export interface IngestJob {
  capturePath: string;
  write: WriteRunOptions;
  /** Symbolize native frames with this machine's ELF files (`--no-symbols`: false). Default true. */
  symbols?: boolean;
}

function defaultAnalyze(job: IngestJob): (path: string) => RunAnalysis {
  // ELF images are parsed once per thread (shared by every symbolizer); their DWARF indexes are
  // kept in the content folder's cache for the next process.
  const cacheDir = contentSymbolCacheDir(job.write.contentDir ?? "content");
  const symbolizerFor = job.symbols === false ? undefined : nativeSymbols({ warn: warnOnStderr, cacheDir });
  return (path) => analyzeCapture(path, { symbolizerFor });
}

export interface IngestJobResult {
  outcome: "written" | "failed";
  error?: string;
  /** Set when the capture was cut short (a killed process): the reader's warning. */
  incomplete?: string;
  ms: number;
}

export function ingestJob(job: IngestJob, analyze: (path: string) => RunAnalysis = defaultAnalyze(job)): IngestJobResult {
  const t0 = performance.now();
  try {
    const entry = writeRun(analyze(job.capturePath), job.write);
    const incomplete = entry.complete ? {} : { incomplete: entry.readWarning ?? "no trailer" };
    return { outcome: "written", ...incomplete, ms: performance.now() - t0 };
  } catch (e) {
    return failJob(job, e, t0);
  }
}

/**
 * A message fit to publish: the builder's own paths never reach the site. The captures
 * folder's path becomes relative (`run.bin`, not `/home/ci/…/captures/run.bin`), and any other
 * mention of the working directory or the home folder is shortened too.
 */
export function publicMessage(message: string, capturesDir: string): string {
  let text = message;
  for (const [dir, shown] of [[resolve(capturesDir), ""], [process.cwd(), ""], [homedir(), "~"]] as const) {
    if (dir.length <= 1) continue; // never rewrite "/" itself
    text = text.split(dir + sep).join(shown === "" ? "" : shown + sep).split(dir).join(shown || ".");
  }
  return text;
}

/**
 * A failed capture's entry. The reader's messages name the capture by its path on this machine:
 * the entry names it by its file name (entries are the same everywhere, and publish no path).
 */
export function failJob(job: IngestJob, e: unknown, t0: number): IngestJobResult {
  const named = (e instanceof Error ? e.message : String(e)).replaceAll(job.capturePath, job.write.fileName ?? basename(job.capturePath));
  const message = publicMessage(named, dirname(job.capturePath));
  writeFailedRun(new Error(message), job.write);
  return { outcome: "failed", error: message, ms: performance.now() - t0 };
}
