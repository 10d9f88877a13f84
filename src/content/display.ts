/**
 * What the site is given of a run entry: every free-text field from a capture or a meta file
 * capped (1,000 characters for messages, command lines and errors, 200 for the rest), so a
 * 10 MB string cannot make every page 10 MB. The entry file keeps the full text; a cut field
 * ends with a note saying so. Applied by the content loader, so every page gets it.
 */

export const MAX_MESSAGE_CHARS = 1000;
export const MAX_FIELD_CHARS = 200;

/** `text`, or its first `max` characters and a note that it was cut. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  let head = text.slice(0, max);
  // Do not leave half of a surrogate pair at the cut.
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return `${head}… [cut: ${max.toLocaleString("en-US")} of ${text.length.toLocaleString("en-US")} characters shown]`;
}

type Json = Record<string, unknown>;

function capField(object: Json | undefined, key: string, max: number): void {
  if (object && typeof object[key] === "string") object[key] = capText(object[key] as string, max);
}

/** A copy of a raw (unvalidated) run entry with its text fields capped; other values untouched. */
export function capEntryText(raw: unknown): unknown {
  if (raw === null || typeof raw !== "object") return raw;
  const entry: Json = { ...(raw as Json) };
  if (entry.meta && typeof entry.meta === "object") {
    const meta: Json = { ...(entry.meta as Json) };
    for (const key of ["benchmark", "commit", "branch", "timestamp", "pr"]) capField(meta, key, MAX_FIELD_CHARS);
    capField(meta, "message", MAX_MESSAGE_CHARS);
    entry.meta = meta;
  }
  capField(entry, "error", MAX_MESSAGE_CHARS);
  capField(entry, "readWarning", MAX_MESSAGE_CHARS);
  if (entry.header && typeof entry.header === "object") {
    const header: Json = { ...(entry.header as Json) };
    capField(header, "commandLine", MAX_MESSAGE_CHARS);
    entry.header = header;
  }
  if (Array.isArray(entry.threads)) entry.threads = entry.threads.map((t) => (typeof t === "string" ? capText(t, MAX_FIELD_CHARS) : t));
  if (entry.stats && typeof entry.stats === "object") {
    // Top locations and modules are frame names from the capture.
    const stats: Json = { ...(entry.stats as Json) };
    for (const [list, key] of [["topAllocationsBySize", "location"], ["topAllocationsByCount", "location"], ["topModulesBySize", "module"], ["topModulesByCount", "module"]] as const) {
      if (Array.isArray(stats[list])) stats[list] = (stats[list] as Json[]).map((item) => {
        const copy = { ...item };
        capField(copy, key, MAX_MESSAGE_CHARS);
        return copy;
      });
    }
    entry.stats = stats;
  }
  return entry;
}
