/**
 * The audit journal: where a server puts the events of requests that wrote nothing (reads,
 * failures) before their responses leave, one append per batch, so recording an event costs
 * the requests' thread a write to a file instead of a database commit or a wait on another
 * thread. The audit ledger's thread tails it into the chain (audit-storage.ts) behind.
 *
 * Each process writes its own files, `<instance>-<n>.log` in the journal directory, 0600: lines
 * of text, each batch followed by `#` and its MAC under the store's row key, over a domain tag
 * (so no row's MAC is ever a batch's) and the batch's place (instance, file, offset: a batch
 * copied elsewhere, or replayed, fails), so a line forged, changed or moved is never chained. A
 * batch cut short by a crash has no MAC line and is dropped (its requests never had a
 * response); one a failed write cut short is truncated away at once. A file is never written
 * again once the next exists, so a reader that has read it to its end may delete it. Like the
 * audit file's read events (synchronous=NORMAL), a journal write survives the process, not a
 * power loss, unless `sync` asks for an fdatasync per batch.
 *
 * A process's journal is taken over (by the ledger of another process on the same store) once
 * that process is gone: on the same machine (same host name and boot), when its pid is dead or
 * belongs to a process started at another time; from another machine or container, only when
 * its files have not been touched for a while (the live writer's ledger touches them every few
 * seconds).
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateDirectory } from './private-files.js';
import type { RowAuthenticator } from './row-integrity.js';

/** A file is left for the next once it passes this size. */
const ROTATE_BYTES = 16 * 1024 * 1024;
const NEWLINE = 0x0a;
const MAC_MARK = 0x23; // '#'

/** A journal's file name: the instance, then the file's number. */
const FILE = /^([A-Za-z0-9_.-]+)-(\d+)\.log$/;

/** The machine as a short tag: its host name and this boot (a reboot, or another container, is another machine). */
function machineTag(): string {
  let boot = '';
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // Not Linux: the host name alone.
  }
  return createHash('sha256').update(`${hostname()}\n${boot}`).digest('hex').slice(0, 12);
}

const MACHINE = machineTag();

/** This process's instance name: its machine, pid and start time (so a reused pid is another instance), and a random
 * part. */
export function journalInstance(random: string): string {
  return `${MACHINE}.${process.pid}.${processStartTime(process.pid) ?? 0}.${random}`;
}

/** A process's start time in clock ticks since boot (Linux), to tell a live process from one that reused its pid. */
function processStartTime(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote `instance` may still be running (when it cannot be told, whether its files are
 * fresh). */
function instanceAlive(instance: string, newestMtime: number, staleMs: number): boolean {
  const [machine, pid, started] = instance.split('.');
  const fresh = Date.now() - newestMtime < staleMs;
  // Another machine's, or another boot's: its processes cannot be seen from here.
  if (machine !== MACHINE || !existsSync('/proc/self/stat')) return fresh;
  return processStartTime(Number(pid)) === started;
}

/** What a batch's MAC covers: a tag no row's bytes start with (row-integrity.ts: 'T'), its place, its bytes. */
function batchBytes(instance: string, file: number, offset: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`coffer/audit-journal/v1\0${instance}\0${file}\0${offset}\0`, 'utf8'), body]);
}

/** The journal files in `dir`, by instance, in order. */
function filesByInstance(dir: string): Map<string, { n: number; path: string }[]> {
  const byInstance = new Map<string, { n: number; path: string }[]>();
  if (!existsSync(dir)) return byInstance;
  for (const name of readdirSync(dir)) {
    const m = FILE.exec(name);
    if (!m) continue;
    const list = byInstance.get(m[1]!) ?? [];
    list.push({ n: Number(m[2]), path: join(dir, name) });
    byInstance.set(m[1]!, list);
  }
  for (const list of byInstance.values()) list.sort((a, b) => a.n - b.n);
  return byInstance;
}

/** Instances in `dir`, other than `own`, whose process is gone: their events are for the taking. */
export function orphanedInstances(dir: string, own: string, staleMs = 60_000): string[] {
  const orphans: string[] = [];
  for (const [instance, files] of filesByInstance(dir)) {
    if (instance === own) continue;
    const newest = Math.max(...files.map((f) => statSync(f.path, { throwIfNoEntry: false })?.mtimeMs ?? 0));
    if (!instanceAlive(instance, newest, staleMs)) orphans.push(instance);
  }
  return orphans;
}

/** One process's journal, as it writes it. */
export class AuditJournalWriter {
  private fd: number | undefined;
  private n = 0;
  private size = 0;
  private closed = false;

  constructor(
    private readonly dir: string,
    readonly instance: string,
    private readonly authenticator: RowAuthenticator,
    private readonly sync: boolean,
    private readonly rotateBytes = ROTATE_BYTES,
  ) {
    ensurePrivateDirectory(dir);
  }

  /** Appends `lines` (no newline in any) as one batch, with its MAC: one write. Throws if it cannot, leaving nothing of
   * it. */
  append(lines: readonly string[]): void {
    if (this.closed) throw new Error('the audit journal is closed');
    if (lines.length === 0) return;
    if (this.fd === undefined || this.size >= this.rotateBytes) this.next();
    const fd = this.fd!;
    const body = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    const mac = Buffer.from(
      `#${this.authenticator.mac(batchBytes(this.instance, this.n, this.size, body)).toString('base64')}\n`,
      'latin1',
    );
    const total = body.length + mac.length;
    try {
      // One write: the batch and its MAC line (a short write, rare, goes on where it stopped).
      const written = writevSync(fd, [body, mac]);
      if (written < total) {
        const rest = Buffer.concat([body, mac]).subarray(written);
        for (let at = 0; at < rest.length; at += writeSync(fd, rest, at, rest.length - at));
      }
      if (this.sync) fdatasyncSync(fd);
    } catch (error) {
      this.undo(fd);
      throw error;
    }
    this.size += total;
  }

  /** What a failed write left of its batch goes, or the file is left for the next: a later batch must not follow torn
   * bytes. */
  private undo(fd: number): void {
    try {
      ftruncateSync(fd, this.size);
    } catch {
      try {
        closeSync(fd);
      } catch {
        // Gone already: the next append opens the next file either way.
      }
      this.fd = undefined;
    }
  }

  /** Starts the next file; the last is never written again. */
  private next(): void {
    const fd = openSync(join(this.dir, `${this.instance}-${++this.n}.log`), 'a', 0o600);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = fd;
    this.size = fstatSync(fd).size;
  }

  close(): void {
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** What a read of a journal found: the verified batches' lines, and how many batches were refused (changed, forged or
 * moved). */
export interface JournalRead {
  readonly batches: string[][];
  readonly refused: number;
  /** The files read to their end (the next exists), which `done` deletes. */
  readonly finished: number;
  /** Deletes the files read to their end, once what was read is safe elsewhere. */
  done(): void;
}

/** One instance's journal, as the ledger's thread reads it: from where the last read stopped. */
export class AuditJournalReader {
  private file: number | undefined;
  private offset = 0;
  /** Where the batch being read started, and its lines so far. */
  private batchStart = 0;
  private batch: Buffer[] = [];
  private partial: Buffer[] = [];

  constructor(
    private readonly dir: string,
    readonly instance: string,
    private readonly authenticator: RowAuthenticator,
  ) {}

  /** Reads what was appended since the last read (every file, for an instance that has stopped). */
  read(): JournalRead {
    const files = filesByInstance(this.dir).get(this.instance) ?? [];
    const batches: string[][] = [];
    let refused = 0;
    const finished: string[] = [];
    for (const [i, f] of files.entries()) {
      if (this.file !== undefined && f.n < this.file) continue;
      if (f.n !== this.file) {
        this.file = f.n;
        this.offset = 0;
        this.batchStart = 0;
        this.partial = [];
        this.batch = [];
      }
      // Whether a later file exists is looked at first: then this one is complete, read to its end below.
      const complete = i < files.length - 1;
      refused += this.readFile(f.path, batches);
      if (complete) finished.push(f.path);
      else break;
    }
    return {
      batches,
      refused,
      finished: finished.length,
      done: () => {
        for (const path of finished) rmSync(path, { force: true });
      },
    };
  }

  private readFile(path: string, into: string[][]): number {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return 0;
    }
    let refused = 0;
    try {
      const chunk = Buffer.allocUnsafe(256 * 1024);
      for (;;) {
        const got = readSync(fd, chunk, 0, chunk.length, this.offset);
        if (got === 0) break;
        refused += this.take(chunk.subarray(0, got), this.offset, into);
        this.offset += got;
      }
    } finally {
      closeSync(fd);
    }
    return refused;
  }

  /** Splits bytes (from `base` in the file) into lines; a MAC line closes its batch, whose lines are kept only if it
   * verifies at its place. */
  private take(bytes: Buffer, base: number, into: string[][]): number {
    let refused = 0;
    let start = 0;
    for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, start)) {
      const line = Buffer.concat([...this.partial, bytes.subarray(start, i + 1)]);
      this.partial = [];
      start = i + 1;
      if (line[0] !== MAC_MARK) {
        this.batch.push(line);
        continue;
      }
      const body = Buffer.concat(this.batch);
      const at = this.batchStart;
      this.batch = [];
      this.batchStart = base + start;
      const mac = Buffer.from(line.subarray(1, line.length - 1).toString('latin1'), 'base64');
      if (body.length === 0 || !this.authenticator.verify(batchBytes(this.instance, this.file!, at, body), mac)) {
        refused++;
        continue;
      }
      into.push(
        body
          .toString('utf8')
          .split('\n')
          .filter((text) => text !== ''),
      );
    }
    if (start < bytes.length) this.partial.push(Buffer.from(bytes.subarray(start)));
    return refused;
  }

  /** Marks the instance's newest file as in use (how a journal written on another machine is told from a dead one). */
  heartbeat(): void {
    const newest = filesByInstance(this.dir).get(this.instance)?.at(-1);
    if (newest) {
      const now = new Date();
      utimesSync(newest.path, now, now);
    }
  }

  /** Deletes every file of the instance (a journal fully chained). */
  removeAll(): void {
    for (const f of filesByInstance(this.dir).get(this.instance) ?? []) rmSync(f.path, { force: true });
  }

  /** Moves every file of the instance aside, to `quarantine/` (a journal that held batches changed outside Coffer: the
   * evidence). */
  quarantine(): void {
    const aside = join(this.dir, 'quarantine');
    ensurePrivateDirectory(aside);
    for (const f of filesByInstance(this.dir).get(this.instance) ?? [])
      renameSync(f.path, join(aside, `${Date.now()}-${f.path.slice(f.path.lastIndexOf('/') + 1)}`));
  }
}
