/** Running the command in-process: output streams that keep what is written, and `heaptrail ARGV`. */
import { Writable } from "node:stream";
import { main } from "../../src/cli/main.ts";

/** A writable stream that keeps everything written to it as text (`isTTY` for the progress display). */
export class TextSink extends Writable {
  text = "";
  readonly isTTY: boolean;
  constructor(options: { isTTY?: boolean } = {}) {
    super();
    this.isTTY = options.isTTY ?? false;
  }
  override _write(chunk: unknown, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += String(chunk);
    done();
  }
}

export interface CliResult {
  /** The exit status main returned. */
  status: number;
  out: string;
  err: string;
}

/** `heaptrail ARGV` in this process: its exit status and what it wrote to stdout and stderr. */
export async function runCli(argv: readonly string[]): Promise<CliResult> {
  const out = new TextSink();
  const err = new TextSink();
  const status = await main([...argv], out, err);
  return { status, out: out.text, err: err.text };
}
