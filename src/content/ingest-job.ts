/**
 * Analysing one capture into its run, on whichever thread runs it (the pool's workers or the
 * caller's thread): a capture that cannot be read gets a "failed" entry with its error.
 */
import { analyzeCapture } from "../analysis/analyze.ts";
import { writeFailedRun, writeRun, type WriteRunOptions } from "./write.ts";

export interface IngestJob {
  capturePath: string;
  write: WriteRunOptions;
}

export interface IngestJobResult {
  outcome: "written" | "failed";
  error?: string;
  ms: number;
}

export function ingestJob(job: IngestJob): IngestJobResult {
  const t0 = performance.now();
  try {
    writeRun(analyzeCapture(job.capturePath), job.write);
    return { outcome: "written", ms: performance.now() - t0 };
  } catch (e) {
    writeFailedRun(e, job.write);
    return { outcome: "failed", error: e instanceof Error ? e.message : String(e), ms: performance.now() - t0 };
  }
}
