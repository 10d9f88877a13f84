/** The build's progress display: a bar on a terminal, one line per run otherwise. */
import type { ContentEvent } from "../content/ingest.ts";

export type LogStream = NodeJS.WritableStream & { isTTY?: boolean };

export class Progress {
  private readonly tty: boolean;
  private readonly out: LogStream;
  private total = 0;
  private finished = 0;

  constructor(out: LogStream) {
    this.out = out;
    this.tty = out.isTTY === true;
  }

  private bar(done: number, label: string): void {
    if (!this.tty) return;
    const width = 24;
    const filled = this.total === 0 ? width : Math.round((done / this.total) * width);
    this.out.write(`\r\x1b[K[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${this.total} ${label}`);
  }

  line(text: string): void {
    if (this.tty) this.out.write("\r\x1b[K");
    this.out.write(`${text}\n`);
  }

  /** The content stage's events, as the user sees them. */
  readonly onEvent = (event: ContentEvent): void => {
    switch (event.kind) {
      case "start":
        this.total = event.total;
        this.finished = 0;
        break;
      case "warning":
        this.line(`warning: ${event.message}`);
        break;
      case "note":
        this.line(event.message);
        break;
      case "run":
        this.finished++;
        if (event.outcome === "failed") this.line(`${event.fileName}: FAILED: ${event.error}`);
        else if (!this.tty) {
          this.line(event.outcome === "unchanged" ? `${event.fileName}: unchanged` : `${event.fileName}: analysed in ${Math.round(event.timeMs ?? 0)} ms`);
        }
        this.bar(this.finished, event.fileName);
        break;
    }
  };

  /** The bar's last state, then a new line (on a terminal). */
  done(): void {
    if (!this.tty || this.total === 0) return;
    this.bar(this.total, "done");
    this.out.write("\n");
  }
}
