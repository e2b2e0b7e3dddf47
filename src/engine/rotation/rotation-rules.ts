/**
 * RotationRules as Secrets Manager takes them: AutomaticallyAfterDays (1-1000), or a
 * ScheduleExpression `rate(N days)` / `rate(N hours)` (at least 4 hours) / `cron(...)` (AWS's six
 * fields: minutes hours day-of-month month day-of-week year, in UTC), with an optional Duration
 * window (`Nh`, 1-24). `nextRotation` says when the next rotation is due after a given time.
 */
import type { RotationRulesType } from '@aws-sdk/client-secrets-manager';
import { ServiceError } from '../service-error.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function invalid(message: string): never {
  throw new ServiceError('InvalidParameterException', message);
}

/** One cron field as the set of values it allows (undefined: any). */
type Field = Set<number> | undefined;

function parseField(text: string, min: number, max: number, names: string[] = [], offset = 0): Field {
  if (text === '*' || text === '?') return undefined;
  const values = new Set<number>();
  const value = (v: string) => {
    const named = names.indexOf(v.toUpperCase());
    const n = named >= 0 ? named + offset : Number(v);
    if (!Number.isInteger(n) || n < min || n > max) invalid(`Invalid cron value ${v}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, step] = part.split('/');
    const [from, to] = range === '*' ? [String(min), String(max)] : range!.split('-');
    const start = value(from!);
    const end = to === undefined ? (step ? max : start) : value(to);
    const by = step === undefined ? 1 : Number(step);
    if (!Number.isInteger(by) || by < 1) invalid(`Invalid cron step ${step}`);
    for (let v = start; v <= end; v += by) values.add(v);
  }
  return values;
}

/** A parsed AWS cron expression. */
class Cron {
  private readonly minutes: Field;
  private readonly hours: Field;
  private readonly monthDays: Field;
  private readonly months: Field;
  private readonly weekDays: Field;
  private readonly years: Field;

  constructor(text: string) {
    const fields = text.trim().split(/\s+/);
    if (fields.length !== 6)
      invalid('A cron expression has six fields: minutes hours day-of-month month day-of-week year');
    this.minutes = parseField(fields[0]!, 0, 59);
    this.hours = parseField(fields[1]!, 0, 23);
    this.monthDays = parseField(fields[2]!, 1, 31);
    this.months = parseField(fields[3]!, 1, 12, MONTHS, 1);
    // AWS numbers days of the week 1 (Sunday) to 7.
    this.weekDays = parseField(fields[4]!, 1, 7, DAYS, 1);
    this.years = parseField(fields[5]!, 1970, 2199);
  }

  /** The first matching minute strictly after `after`, within ten years. */
  next(after: number): number {
    const start = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
    for (
      let day = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
      day < after + 3660 * DAY_MS;
      day += DAY_MS
    ) {
      const d = new Date(day);
      if (!this.dayMatches(d)) continue;
      for (let h = 0; h < 24; h++) {
        if (this.hours && !this.hours.has(h)) continue;
        for (let m = 0; m < 60; m++) {
          if (this.minutes && !this.minutes.has(m)) continue;
          const t = day + h * HOUR_MS + m * 60_000;
          if (t > after) return t;
        }
      }
    }
    return invalid('The cron expression never matches in the next ten years.');
  }

  private dayMatches(d: Date): boolean {
    return (
      (!this.years || this.years.has(d.getUTCFullYear())) &&
      (!this.months || this.months.has(d.getUTCMonth() + 1)) &&
      (!this.monthDays || this.monthDays.has(d.getUTCDate())) &&
      (!this.weekDays || this.weekDays.has(d.getUTCDay() + 1))
    );
  }
}

/** Checked rules with a way to compute the next due time. */
export class RotationSchedule {
  private readonly everyMs?: number;
  private readonly cron?: Cron;

  constructor(readonly rules: RotationRulesType) {
    const { AutomaticallyAfterDays: days, ScheduleExpression: expression, Duration: duration } = rules;
    if ((days === undefined) === (expression === undefined))
      invalid('Specify either AutomaticallyAfterDays or ScheduleExpression in RotationRules.');
    if (days !== undefined && (Number(days) < 1 || Number(days) > 1000)) {
      // The wire's model check says the same first; this guards calls from inside Coffer.
      const bound = Number(days) < 1 ? 'greater than or equal to 1' : 'less than or equal to 1000';
      throw new ServiceError(
        'ValidationException',
        `1 validation error detected: Value '${days}' at 'rotationRules.automaticallyAfterDays' failed to satisfy ` +
          `constraint: Member must have value ${bound}`,
      );
    }
    if (days !== undefined && !Number.isInteger(Number(days)))
      invalid('AutomaticallyAfterDays must be a whole number.');
    if (duration !== undefined && !/^([1-9]|1\d|2[0-4])h$/.test(duration))
      invalid('Duration must be between 1h and 24h, as in "3h".');
    if (days !== undefined) this.everyMs = Number(days) * DAY_MS;
    if (expression !== undefined) {
      const rate = /^rate\((\d+) (hours?|days?)\)$/.exec(expression);
      const cron = /^cron\((.+)\)$/.exec(expression);
      if (rate) {
        const amount = Number(rate[1]) * (rate[2]!.startsWith('hour') ? HOUR_MS : DAY_MS);
        if (amount < 4 * HOUR_MS || amount > 1000 * DAY_MS) invalid('A rate must be between 4 hours and 1000 days.');
        this.everyMs = amount;
      } else if (cron) {
        this.cron = new Cron(cron[1]!);
      } else {
        invalid(`Invalid ScheduleExpression ${expression}: use rate(N days), rate(N hours) or cron(...).`);
      }
    }
  }

  /** When the next rotation is due, counting from the last one (or from now, if it never ran). */
  nextRotation(from: number): number {
    return this.cron ? this.cron.next(from) : from + this.everyMs!;
  }
}
