/** Small output helpers shared by the commands (sizes: ../shared/format.ts, shared with the pages). */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { errnoMessage, UserError } from "./args.ts";

/** What a command writes: one string, or chunks (output of any size: V8 caps one string near 512 MB). */
export type Output = string | Iterable<string>;

/** Write `chunks` to a stream, waiting whenever it asks to (so a fast writer never buffers all of it). */
async function writeChunks(chunks: Output, stream: NodeJS.WritableStream): Promise<void> {
  for (const chunk of typeof chunks === "string" ? [chunks] : chunks) {
    if (chunk.length > 0 && !stream.write(chunk)) await once(stream, "drain");
  }
}

/** Write to `path` atomically (temp file, then rename), or to `out` when there is no path. */
export async function writeOutput(text: Output, path: string | undefined, out: NodeJS.WritableStream): Promise<void> {
  if (path === undefined || path === "-") {
    await writeChunks(text, out);
    return;
  }
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const file = createWriteStream(tmp);
    const failed = new Promise<never>((_, reject) => file.once("error", reject));
    failed.catch(() => undefined); // raced below; never left unhandled
    await Promise.race([writeChunks(text, file), failed]);
    file.end();
    await Promise.race([once(file, "close"), failed]);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    // A file-system error names the user's path, not our temporary one; others (a chunk that
    // failed to be made) go on as they are.
    if (typeof (e as NodeJS.ErrnoException).code === "string") throw new UserError(errnoMessage(e, path));
    throw e;
  }
}
