/**
 * A one-line progress bar on stderr for long imports and exports. It draws only when stderr
 * is a terminal and the job is large, so piped output and small jobs stay quiet.
 */
import type { CliIo } from './cli-command.js';

/** Jobs with more entries than this show progress. */
export const PROGRESS_THRESHOLD = 200;
const WIDTH = 30;

/** Progress of one job. */
export class ProgressBar {
  private readonly visible: boolean;
  private lastDrawn = -1;

  constructor(
    private readonly io: CliIo,
    private readonly label: string,
    private readonly total: number,
  ) {
    this.visible = io.errIsTty && total > PROGRESS_THRESHOLD;
  }

  update(done: number): void {
    if (!this.visible) return;
    const percent = Math.floor((done / this.total) * 100);
    if (percent === this.lastDrawn && done !== this.total) return;
    this.lastDrawn = percent;
    const filled = Math.round((done / this.total) * WIDTH);
    this.io.err(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${this.total}`);
  }

  finish(): void {
    if (this.visible) this.io.err('\n');
  }
}
