/** Small output helpers shared by the commands (sizes: ../site/format.ts, shared with the pages). */
import { rename, writeFile } from "node:fs/promises";

/** Write to `path` atomically (temp file, then rename), or to `out` when there is no path. */
export async function writeOutput(text: string, path: string | undefined, out: NodeJS.WritableStream): Promise<void> {
  if (path === undefined || path === "-") {
    out.write(text);
    return;
  }
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}
