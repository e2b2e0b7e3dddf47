/**
 * The audit journal's files (storage/audit-journal.ts): batches read back whole and in order
 * across files, a file deleted only once read to its end and succeeded by another, a batch
 * changed, forged or cut short by a crash never read as events, and the journals of processes
 * that are gone told from live ones.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  AuditJournalReader,
  AuditJournalWriter,
  journalInstance,
  orphanedInstances,
} from '../../src/storage/audit-journal.js';
import { testRowAuthenticator } from '../helpers/row-authenticator.js';

describe('audit journal', () => {
  let dir: string;
  const key = testRowAuthenticator();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'coffer-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what was appended, batch by batch, from where the last read stopped', () => {
    const writer = new AuditJournalWriter(dir, 'me', key, false);
    const reader = new AuditJournalReader(dir, 'me', key);
    assert.deepEqual(reader.read().batches, []);
    writer.append(['a', 'b']);
    writer.append(['ü ✓ 𝄞']);
    assert.deepEqual(reader.read().batches, [['a', 'b'], ['ü ✓ 𝄞']]);
    assert.deepEqual(reader.read().batches, [], 'nothing new');
    writer.append(['c']);
    assert.deepEqual(reader.read().batches, [['c']]);
    writer.close();
    assert.throws(() => writer.append(['after close']), /closed/);
    assert.equal(statSync(join(dir, readdirSync(dir)[0]!)).mode & 0o777, 0o600);
  });

  it('moves to a new file past its size, and a read deletes only the files it finished, once done', () => {
    const writer = new AuditJournalWriter(dir, 'me', key, false, 100);
    const reader = new AuditJournalReader(dir, 'me', key);
    for (let i = 0; i < 5; i++) writer.append([`line-${i}-${'x'.repeat(60)}`]);
    assert.equal(readdirSync(dir).length, 5, 'a file a batch past 100 bytes');
    const read = reader.read();
    assert.deepEqual(
      read.batches.flat().map((l) => l.slice(0, 6)),
      ['line-0', 'line-1', 'line-2', 'line-3', 'line-4'],
    );
    assert.equal(read.finished, 4);
    assert.equal(readdirSync(dir).length, 5, 'nothing deleted before done');
    read.done();
    assert.deepEqual(readdirSync(dir), ['me-5.log'], 'the file still written to stays');
    writer.append(['after']);
    assert.deepEqual(reader.read().batches, [['after']]);
  });

  it('drops a batch changed, forged or moved behind its back, and a batch a crash cut short', () => {
    const writer = new AuditJournalWriter(dir, 'me', key, false);
    writer.append(['kept-1']);
    writer.append(['changed']);
    writer.append(['kept-2']);
    const file = join(dir, 'me-1.log');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('changed', 'chanGed'));
    // A forged batch under another key; one MACed as a row would be (the same key, no domain tag);
    // the first batch again, whole, MAC and all (moved: its place is not the one it was MACed at);
    // and a batch whose MAC line never came.
    const rowMac = key.mac(Buffer.from('forged-row\n')).toString('base64');
    appendFileSync(
      file,
      `forged\n#${testRowAuthenticator('another key').mac(Buffer.from('forged\n')).toString('base64')}\n` +
        `forged-row\n#${rowMac}\n`,
    );
    appendFileSync(
      file,
      `${text.slice(0, text.indexOf('\n#') + 1) + text.slice(text.indexOf('\n#') + 1).split('\n')[0]}\n`,
    );
    appendFileSync(file, 'cut-short\n');
    const read = new AuditJournalReader(dir, 'me', key).read();
    assert.deepEqual(read.batches, [['kept-1'], ['kept-2']]);
    assert.equal(read.refused, 4);
  });

  it('fails a write it cannot make, and goes on in the next file, where the next batch reads', () => {
    const writer = new AuditJournalWriter(dir, 'me', key, false);
    writer.append(['first']);
    // The file's descriptor closed under the writer: the write fails, and so does truncating it.
    const fd = readdirSync('/proc/self/fd').find((n) => {
      try {
        return readlinkSync(`/proc/self/fd/${n}`) === join(dir, 'me-1.log');
      } catch {
        return false;
      }
    });
    closeSync(Number(fd));
    assert.throws(() => writer.append(['lost']), /EBADF/);
    writer.append(['second']);
    const read = new AuditJournalReader(dir, 'me', key).read();
    assert.deepEqual(read.batches, [['first'], ['second']]);
    assert.deepEqual(readdirSync(dir).sort(), ['me-1.log', 'me-2.log']);
  });

  it('tells the journals of processes that are gone from those of live ones', () => {
    const live = journalInstance('live');
    const machine = live.split('.')[0]!;
    new AuditJournalWriter(dir, live, key, false).append(['mine']);
    // A process of this machine that ran and exited: its pid is free (or taken by a process started later).
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadInstance = `${machine}.${gone.stdout.trim()}.1.dead`;
    new AuditJournalWriter(dir, deadInstance, key, false).append(['theirs']);
    const reused = `${machine}.${process.pid}.0.reused`;
    new AuditJournalWriter(dir, reused, key, false).append(['same pid, another start']);
    new AuditJournalWriter(dir, journalInstance('other'), key, false).append(['another live writer of this process']);
    // Another machine's (or another boot's): its pids mean nothing here; its files' age does.
    const elsewhereFresh = `0123456789ab.1.1.fresh`;
    new AuditJournalWriter(dir, elsewhereFresh, key, false).append(['fresh, elsewhere']);
    const elsewhereStale = `0123456789ab.1.1.stale`;
    new AuditJournalWriter(dir, elsewhereStale, key, false).append(['stale, elsewhere']);
    const old = new Date(Date.now() - 120_000);
    utimesSync(join(dir, `${elsewhereStale}-1.log`), old, old);
    assert.deepEqual(orphanedInstances(dir, live).sort(), [deadInstance, reused, elsewhereStale].sort());
    const orphan = new AuditJournalReader(dir, deadInstance, key);
    assert.deepEqual(orphan.read().batches, [['theirs']]);
    orphan.removeAll();
    new AuditJournalReader(dir, reused, key).quarantine();
    assert.deepEqual(orphanedInstances(dir, live), [elsewhereStale]);
    assert.equal(readdirSync(join(dir, 'quarantine')).length, 1, 'moved aside, kept');
  });
});
