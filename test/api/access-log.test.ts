/**
 * The access log: one JSON line per request (failures only with `quiet`), the lines of one turn
 * of the event loop written together, after the turn.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { AccessLog, type RequestRecord } from '../../src/api/access-log.js';

function sink(): { out: Writable; writes: string[] } {
  const writes: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString());
      done();
    },
  });
  return { out, writes };
}

const entry = (requestId: string, status: number): RequestRecord => ({
  requestId,
  action: 'AmazonSSM.GetParameter',
  principalArn: 'arn:aws:iam::000000000000:root',
  region: 'us-east-1',
  status,
  errorCode: status >= 400 ? 'ParameterNotFound' : undefined,
  durationMs: 1,
});

describe('access log', () => {
  it("writes one turn's lines in one write, after the turn, in order", async () => {
    const { out, writes } = sink();
    const log = new AccessLog(out);
    log.record(entry('a', 200));
    log.record(entry('b', 400));
    assert.equal(writes.length, 0, 'nothing written during the turn');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writes.length, 1);
    const lines = writes[0]!
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as RequestRecord);
    assert.deepEqual(
      lines.map((l) => [l.requestId, l.status]),
      [
        ['a', 200],
        ['b', 400],
      ],
    );
    log.record(entry('c', 200));
    log.flush();
    assert.equal(writes.length, 2, 'flush writes what is pending at once');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writes.length, 2, 'and leaves nothing to write twice');
  });

  it('drops successful requests when quiet', async () => {
    const { out, writes } = sink();
    const log = new AccessLog(out, true);
    log.record(entry('ok', 200));
    log.record(entry('failed', 404));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      writes
        .join('')
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as RequestRecord).requestId),
      ['failed'],
    );
  });
});
