/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal: piped or captured output
 * (scripts, CI, tests) stays clean, and stdout only ever carries the result.
 */

interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

const WIDTH = 24;

class Progress {
  private readonly stream: ProgressStream;
  private readonly label: string;
  private readonly enabled: boolean;
  private drawn = false;

  constructor(stream: ProgressStream, label: string) {
    this.stream = stream;
    this.label = label;
    this.enabled = stream.isTTY === true;
  }

  /** Redraws the line; with an unknown total it shows the count only. */
  update(done: number, total?: number, note = ''): void {
    if (!this.enabled) return;
    let bar = '';
    if (total !== undefined && total > 0) {
      const ratio = Math.min(1, done / total);
      const filled = Math.round(ratio * WIDTH);
      bar = ` [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${Math.round(ratio * 100)}%`;
    }
    const count = total !== undefined ? `${done}/${total}` : `${done}`;
    this.stream.write(`\r\x1b[2K${this.label}${bar} ${count}${note === '' ? '' : ` ${note}`}`);
    this.drawn = true;
  }

  /** Ends the line so the next output starts on a fresh one. */
  finish(): void {
    if (this.enabled && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

export type { ProgressStream };
export { Progress };
