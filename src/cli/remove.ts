/**
 * `heaptrail remove RUN_ID... | --benchmark NAME [--content DIR]`: delete runs from the history
 * ledger (entry and data). The only way a run leaves the ledger.
 */
import { parseCommand, UsageError } from "./args.ts";
import { removeRuns } from "../content/retention.ts";

const USAGE = `usage: heaptrail remove RUN_ID... [--content DIR]
       heaptrail remove --benchmark NAME [--content DIR]

Delete runs (their entry and data) from the history ledger.

  --benchmark NAME   remove every run of this benchmark
  --content DIR      the ledger (default: content)
`;

export async function runRemove(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommand({
    args: argv,
    allowPositionals: true,
    options: { content: { type: "string", default: "content" }, benchmark: { type: "string" } },
  }, USAGE);
  if (positionals.length === 0 && values.benchmark === undefined) throw new UsageError("name run ids or --benchmark NAME", USAGE);
  const removed = removeRuns(values.content, { ids: positionals, benchmark: values.benchmark });
  const missing = positionals.filter((id) => !removed.includes(id));
  for (const id of removed) out.write(`removed ${id}\n`);
  for (const id of missing) out.write(`not in the ledger: ${id}\n`);
  out.write(`heaptrail remove: ${removed.length} runs removed from ${values.content}\n`);
  return missing.length > 0 ? 1 : 0;
}
