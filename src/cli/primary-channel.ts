/**
 * A worker's side of `coffer serve --workers N`: what it tells its primary (listening, a commit,
 * a --dev clock move) and what it hears back. A worker whose primary is gone (killed: nobody
 * hands out connections any more) exits at once, as the one process of a server would have.
 */
import type { Clock } from '../engine/clock.js';
import { isCofferMessage, type FromWorker, type ToWorker } from './worker-messages.js';

/** Handlers for what the primary says. */
export interface PrimaryListeners {
  rootFile(file: string): void;
  /** Another worker committed a write. */
  changed(): void;
  stop(): void;
}

/** The IPC channel to the primary. */
export class PrimaryChannel {
  private nextMove = 1;
  private readonly moves = new Map<number, () => void>();
  private changePending = false;
  private leaving = false;

  constructor(
    private readonly clock: Clock,
    listeners: PrimaryListeners,
  ) {
    process.on('message', (message: unknown) => {
      if (!isCofferMessage<ToWorker>(message)) return;
      if (message.coffer === 'root-file') listeners.rootFile(message.file);
      else if (message.coffer === 'changed') listeners.changed();
      else if (message.coffer === 'stop') listeners.stop();
      else if (message.coffer === 'clock') {
        this.clock.advance(message.ms);
        this.send({ coffer: 'clock-moved', id: message.id });
      } else if (message.coffer === 'clock-done') {
        this.moves.get(message.id)?.();
        this.moves.delete(message.id);
      }
    });
    process.on('disconnect', () => {
      if (!this.leaving) process.exit(70);
    });
  }

  /** Closes the channel once this worker has stopped, so that its process can end. */
  leave(): void {
    this.leaving = true;
    if (process.connected) process.disconnect();
  }

  ready(port: number): void {
    this.send({ coffer: 'ready', port });
  }

  /** Says this worker committed: once per turn of the event loop, however many commits it made. */
  changed(): void {
    if (this.changePending) return;
    this.changePending = true;
    setImmediate(() => {
      this.changePending = false;
      this.send({ coffer: 'changed' });
    });
  }

  /** Moves this worker's clock and every other's; resolves once all moved. */
  advanceClock(ms: number): Promise<void> {
    this.clock.advance(ms);
    const id = this.nextMove++;
    return new Promise<void>((resolve) => {
      this.moves.set(id, resolve);
      this.send({ coffer: 'clock', id, ms });
    });
  }

  private send(message: FromWorker): void {
    if (process.connected) process.send!(message, undefined, {}, (error: Error | null) => void error);
  }
}
