/** Small output helpers shared by the commands (sizes: ../shared/format.ts, shared with the pages). */
import { rename, rm, writeFile } from "node:fs/promises";
import { errnoMessage, UserError } from "./args.ts";

/** Write to `path` atomically (temp file, then rename), or to `out` when there is no path. */
export async function writeOutput(text: string, path: string | undefined, out: NodeJS.WritableStream): Promise<void> {
  if (path === undefined || path === "-") {
    out.write(text);
    return;
  }
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new UserError(errnoMessage(e, path)); // the user's path, not our temporary one
  }
}
