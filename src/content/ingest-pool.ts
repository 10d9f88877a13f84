/**
 * The ingest pool: captures analysed on worker threads, one capture per worker at a time, with
 * the pool's memory bounded. Before a capture starts, the memory its analysis takes is estimated
 * from its file size; a capture starts only while the estimates of the captures running plus its
 * own fit in the pool's budget, and a capture too large for the budget runs alone. So `--jobs`
 * on a 2-core, 7 GB runner runs small captures side by side and never two large ones at once.
 * A worker that dies (out of memory, say) fails its capture and is replaced.
 */
import { totalmem } from "node:os";
import { Worker } from "node:worker_threads";
import { failJob, type IngestJob, type IngestJobResult } from "./ingest-job.ts";

/**
 * Peak RSS of one analysis, estimated from its capture: a worker's own (an isolate, the decode
 * thread and its ring, ~160 MB measured) plus 40 bytes per byte of capture. 40 is the largest
 * ratio measured on real captures (a 55 MB sympy capture recorded with python allocators took
 * 2.2 GB; json_churn 43 MB took 170 MB): most captures take less, and the estimate only gates
 * admission, so erring high costs parallelism, never memory.
 */
export const ANALYSIS_BASE_BYTES = 160 << 20;
export const ANALYSIS_BYTES_PER_CAPTURE_BYTE = 40;

export function estimateAnalysisBytes(captureSizeBytes: number): number {
  return ANALYSIS_BASE_BYTES + ANALYSIS_BYTES_PER_CAPTURE_BYTE * captureSizeBytes;
}

/**
 * The pool's default budget: three quarters of this machine's memory (its cgroup limit when it
 * has one, as in a container), leaving the rest to the main thread and everything else.
 */
export function defaultPoolBudgetBytes(): number {
  const limit = process.constrainedMemory() || 0;
  const total = totalmem();
  return Math.floor(0.75 * (limit > 0 && limit < total ? limit : total));
}

/**
 * Which queued capture to start next: the first whose estimate fits beside the running ones,
 * or, when nothing runs, the first in the queue however large (it runs alone); −1 for none now.
 */
export function admitNext(queuedBytes: readonly number[], runningBytes: number, running: number, budgetBytes: number): number {
  if (queuedBytes.length === 0) return -1;
  if (running === 0) return 0;
  return queuedBytes.findIndex((bytes) => runningBytes + bytes <= budgetBytes);
}

export interface PoolJob {
  job: IngestJob;
  /** The capture's size on disk, for the estimate. */
  sizeBytes: number;
}

export interface PoolOptions<T extends PoolJob> {
  /** Workers at most. */
  size: number;
  /** What the running analyses' estimates may add up to (see admitNext). */
  budgetBytes: number;
  /** Called once per job, as it finishes. */
  done: (job: T, result: IngestJobResult) => void;
  /** Called as a job is handed to a worker. */
  started?: (job: T) => void;
}

/** Runs `jobs` on the pool, each once, within the budget. */
export async function runPool<T extends PoolJob>(jobs: readonly T[], options: PoolOptions<T>): Promise<void> {
  const { size, budgetBytes, done } = options;
  const queue = [...jobs];
  const idle: Worker[] = [];
  let workers = 0;
  let running = 0;
  let runningBytes = 0;
  // The sources run as .ts in a checkout, as .js compiled into an installed package's lib/.
  const workerFile = import.meta.url.endsWith(".ts") ? "./ingest-worker.ts" : "./ingest-worker.js";

  await new Promise<void>((resolveAll) => {
    const pump = (): void => {
      while (queue.length > 0) {
        const k = admitNext(queue.map((j) => estimateAnalysisBytes(j.sizeBytes)), runningBytes, running, budgetBytes);
        if (k < 0) break;
        const worker = idle.pop() ?? (workers < size ? startWorker() : null);
        if (worker === null) break;
        start(worker, queue.splice(k, 1)[0]!);
      }
      if (queue.length === 0 && running === 0) {
        for (const worker of idle.splice(0)) void worker.terminate();
        resolveAll();
      }
    };

    const start = (worker: Worker, job: T): void => {
      const bytes = estimateAnalysisBytes(job.sizeBytes);
      running++;
      runningBytes += bytes;
      const t0 = performance.now();
      let settled = false;
      const settle = (result: IngestJobResult, alive: boolean): void => {
        if (settled) return; // "exit" follows "error"
        settled = true;
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        running--;
        runningBytes -= bytes;
        done(job, result);
        if (alive) idle.push(worker);
        else workers--;
        pump();
      };
      const onMessage = (result: IngestJobResult): void => settle(result, true);
      const died = (error: string): void => settle(failJob(job.job, new Error(error), t0), false);
      const onError = (e: Error): void => died(`analysis worker failed: ${e.message}`);
      const onExit = (code: number): void => died(`analysis worker exited with code ${code}`);
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      options.started?.(job);
      worker.postMessage(job.job);
    };

    const startWorker = (): Worker => {
      workers++;
      const worker = new Worker(new URL(workerFile, import.meta.url));
      // An idle worker's death (nothing running on it) only takes it out of the pool.
      worker.on("exit", () => {
        const at = idle.indexOf(worker);
        if (at >= 0) {
          idle.splice(at, 1);
          workers--;
        }
      });
      return worker;
    };

    pump();
  });
}
