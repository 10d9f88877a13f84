/**
 * One ingest worker of the pool (ingest.ts): analyses a capture and writes its run, then waits
 * for the next. The analysis never crosses threads: only the job and its outcome do, so memory
 * stays one analysis per worker.
 */
import { parentPort } from "node:worker_threads";
import { ingestJob, type IngestJob } from "./ingest-job.ts";

parentPort!.on("message", (job: IngestJob) => {
  parentPort!.postMessage(ingestJob(job));
});
