/**
 * pytest-memray's file naming (`--memray-bin-path`), written from its rules for tests and the
 * bench: `<prefix>-<node id>.bin` with `::` and `/` turned to `-`, a name over 250 UTF-8 bytes cut
 * at 229 bytes (a partly cut character dropped) plus `-<16 hex of sha256(full name)>.bin`.
 */
import { createHash } from "node:crypto";

export function pytestMemrayFileName(prefix: string, nodeId: string): string {
  const name = `${prefix}-${nodeId.replaceAll("::", "-").replaceAll("/", "-")}.bin`;
  const bytes = Buffer.from(name, "utf8");
  if (bytes.length <= 250) return name;
  const digest = createHash("sha256").update(bytes).digest("hex").slice(0, 16);
  // Python's decode("utf-8", "ignore") drops a character the cut split; TextDecoder would
  // replace it, so trim back to a character boundary first.
  let keep = 250 - `-${digest}.bin`.length;
  while (keep > 0 && (bytes[keep]! & 0xc0) === 0x80) keep--;
  return `${bytes.subarray(0, keep).toString("utf8")}-${digest}.bin`;
}
