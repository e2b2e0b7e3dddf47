/** RotationRules: days, rates, AWS cron expressions, and the errors for bad ones. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RotationSchedule } from '../../../src/engine/rotation/rotation-rules.js';

const T0 = Date.UTC(2026, 10, 22, 10, 30); // Sunday 22 Nov 2026, 10:30 UTC
const iso = (ms: number) => new Date(ms).toISOString();

describe('rotation rules', () => {
  it('counts days and rates from the last rotation', () => {
    assert.equal(
      iso(new RotationSchedule({ AutomaticallyAfterDays: 30 }).nextRotation(T0)),
      '2026-12-22T10:30:00.000Z',
    );
    assert.equal(
      iso(new RotationSchedule({ ScheduleExpression: 'rate(90 days)' }).nextRotation(T0)),
      '2027-02-20T10:30:00.000Z',
    );
    assert.equal(
      iso(new RotationSchedule({ ScheduleExpression: 'rate(6 hours)' }).nextRotation(T0)),
      '2026-11-22T16:30:00.000Z',
    );
  });

  it('evaluates AWS cron expressions in UTC', () => {
    const next = (expr: string) => iso(new RotationSchedule({ ScheduleExpression: `cron(${expr})` }).nextRotation(T0));
    assert.equal(next('0 8 * * ? *'), '2026-11-23T08:00:00.000Z');
    assert.equal(next('0 12 * * ? *'), '2026-11-22T12:00:00.000Z');
    assert.equal(next('0 4 1 * ? *'), '2026-12-01T04:00:00.000Z');
    assert.equal(next('0 4 ? * MON *'), '2026-11-23T04:00:00.000Z');
    assert.equal(next('0 4 ? * 1 *'), '2026-11-29T04:00:00.000Z', '1 is Sunday');
    assert.equal(next('15,45 10-11 * * ? *'), '2026-11-22T10:45:00.000Z');
    assert.equal(next('0 0 1 JAN ? 2027'), '2027-01-01T00:00:00.000Z');
    assert.equal(next('0/20 * * * ? *'), '2026-11-22T10:40:00.000Z');
  });

  it('refuses rules AWS refuses', () => {
    for (const rules of [
      {},
      { ScheduleExpression: 'rate(2 hours)' },
      { ScheduleExpression: 'every day' },
      { ScheduleExpression: 'cron(0 8 * *)' },
      { ScheduleExpression: 'cron(0 25 * * ? *)' },
      { AutomaticallyAfterDays: 1, ScheduleExpression: 'rate(1 days)' },
      { AutomaticallyAfterDays: 30, Duration: '25h' },
      { ScheduleExpression: 'cron(0 0 1 1 ? 2020)' },
    ]) {
      assert.throws(
        () => new RotationSchedule(rules).nextRotation(T0),
        (e: Error & { code?: string }) => e.code === 'InvalidParameterException',
        JSON.stringify(rules),
      );
    }
    // Outside the model's range: the model's own ValidationException, as the wire answers it.
    for (const days of [0, 1001]) {
      assert.throws(
        () => new RotationSchedule({ AutomaticallyAfterDays: days }),
        (e: Error & { code?: string }) =>
          e.code === 'ValidationException' && e.message.includes("at 'rotationRules.automaticallyAfterDays'"),
      );
    }
  });
});
