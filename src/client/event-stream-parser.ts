/**
 * Server-sent events as the HTML standard frames them: lines ending in LF, CRLF or CR; `field:
 * value` lines (one space after the colon dropped); `:` comment lines (keep-alives); a blank line
 * ending an event. Only `event`, `data` and `id` matter here. A line longer than the bound is an
 * error (a server that never ends a line would otherwise grow the buffer without limit).
 */

/** One event off the stream. */
export interface StreamEvent {
  /** The `event` field; `message` when there was none. */
  event: string;
  /** The `data` lines, joined by newlines. */
  data: string;
  /** The `id` field, when the event had one. */
  id?: string;
}

/** Parses chunks of an event stream as they arrive. */
export class EventStreamParser {
  private buffer = '';
  private type = '';
  private data: string[] = [];
  private id: string | undefined;

  constructor(
    private readonly onEvent: (event: StreamEvent) => void,
    private readonly maxLineLength = 1 << 20,
  ) {}

  /** Feeds the next chunk of text. */
  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const end = this.buffer.search(/[\r\n]/);
      if (end === -1) break;
      // A CR at the end of the chunk may be the first half of a CRLF: wait for the next chunk.
      if (this.buffer[end] === '\r' && end === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, end);
      const skip = this.buffer[end] === '\r' && this.buffer[end + 1] === '\n' ? 2 : 1;
      this.buffer = this.buffer.slice(end + skip);
      this.line(line);
    }
    if (this.buffer.length > this.maxLineLength) throw new Error('event stream line too long');
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.type = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }

  private dispatch(): void {
    const event: StreamEvent = { event: this.type || 'message', data: this.data.join('\n') };
    if (this.id !== undefined) event.id = this.id;
    const hadContent = this.data.length > 0 || this.type !== '' || this.id !== undefined;
    this.type = '';
    this.data = [];
    this.id = undefined;
    if (hadContent) this.onEvent(event);
  }
}
