/**
 * The one error type the reader throws: what was expected, and where.
 * `offset` is a byte offset in the raw capture stream (the decompressed bytes for an
 * LZ4 file); `where` says which stream the offset counts in.
 */
export class CaptureError extends Error {
  readonly offset: number;
  readonly where: "file" | "decompressed";
  /** What was expected, without the location (the decode worker sends it across as is). */
  readonly detail: string;

  constructor(message: string, offset: number, where: "file" | "decompressed" = "file") {
    super(`${message} (at byte ${offset}${where === "decompressed" ? " of the decompressed stream" : ""})`);
    this.detail = message;
    this.name = "CaptureError";
    this.offset = offset;
    this.where = where;
  }
}
