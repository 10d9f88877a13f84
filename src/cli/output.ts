/** Small output helpers shared by the commands. */
import { rename, writeFile } from "node:fs/promises";

/** Decimal units, like memray's summaries (kB = 1000 B). */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ${units[unit]}`;
}

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
