/**
 * Requests that fail authentication are events too, but anyone can send them: unbounded, a
 * flood of junk from one address would fill the store at the flood's rate. Each source address
 * (an IPv6 one by its /64, what one host is usually given) and access key id it claims has its
 * failures recorded one by one up to a budget per window; past it they are counted, and one
 * summary event per address, key and window records how many there were (first and last time,
 * the codes), so the trail stays complete in number at a bounded cost. A flood from one address
 * with one key does not hide another key's failures. Pairs are tracked up to a bound; past it,
 * the rest share one budget.
 */

/** What a window's summary says of the failures it did not record one by one. */
export interface SuppressedFailures {
  readonly sourceIPAddress: string;
  /** The access key id the requests claimed, if any. */
  readonly accessKeyId: string | undefined;
  readonly count: number;
  readonly firstTime: number;
  readonly lastTime: number;
  readonly errorCodes: readonly string[];
}

interface Window {
  address: string;
  accessKeyId: string | undefined;
  start: number;
  recorded: number;
  suppressed: { count: number; firstTime: number; lastTime: number; codes: Set<string> } | undefined;
}

export interface FailedAuthenticationBudgetOptions {
  /** Failures recorded one by one per address and window. */
  readonly perWindow: number;
  readonly windowMs: number;
  /** Addresses tracked at once; the rest share one budget. */
  readonly maxAddresses: number;
}

export const DEFAULT_FAILED_AUTHENTICATION_BUDGET: FailedAuthenticationBudgetOptions = {
  perWindow: 100,
  windowMs: 60_000,
  maxAddresses: 10_000,
};
const OTHERS = 'others';
const MAX_CODES = 10;

export class FailedAuthenticationBudget {
  private readonly windows = new Map<string, Window>();
  /** Summaries of windows replaced before takeEnded saw them. */
  private pending: SuppressedFailures[] = [];

  constructor(private readonly options: FailedAuthenticationBudgetOptions = DEFAULT_FAILED_AUTHENTICATION_BUDGET) {}

  /** Whether this failure is recorded as its own event; if not, it is counted for the summary. */
  admit(address: string, accessKeyId: string | undefined, errorCode: string, now: number): boolean {
    const grouped = addressGroup(address);
    const pair = `${grouped} ${accessKeyId ?? ''}`;
    const key = this.windows.has(pair) || this.windows.size < this.options.maxAddresses ? pair : OTHERS;
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.options.windowMs) {
      if (window?.suppressed) this.pending.push(summary(window));
      window =
        key === OTHERS
          ? { address: OTHERS, accessKeyId: undefined, start: now, recorded: 0, suppressed: undefined }
          : { address: grouped, accessKeyId, start: now, recorded: 0, suppressed: undefined };
      this.windows.set(key, window);
    }
    if (window.recorded < this.options.perWindow) {
      window.recorded++;
      return true;
    }
    return this.count(window, errorCode, now);
  }

  private count(window: Window, errorCode: string, now: number): false {
    window.suppressed ??= { count: 0, firstTime: now, lastTime: now, codes: new Set() };
    window.suppressed.count++;
    window.suppressed.lastTime = now;
    if (window.suppressed.codes.size < MAX_CODES) window.suppressed.codes.add(errorCode);
    return false;
  }

  /** Summaries of windows that have ended (all of them when `all`), forgetting ended windows. */
  takeEnded(now: number, all = false): SuppressedFailures[] {
    const ended = this.pending;
    this.pending = [];
    for (const [key, window] of this.windows) {
      if (!all && now - window.start < this.options.windowMs) continue;
      this.windows.delete(key);
      if (window.suppressed) ended.push(summary(window));
    }
    return ended;
  }
}

function summary(window: Window): SuppressedFailures {
  const s = window.suppressed!;
  return {
    sourceIPAddress: window.address,
    accessKeyId: window.accessKeyId,
    count: s.count,
    firstTime: s.firstTime,
    lastTime: s.lastTime,
    errorCodes: [...s.codes].sort(),
  };
}

/** An IPv4 address as it is; an IPv6 one as its /64 (`2001:db8:1:2::/64`). */
export function addressGroup(address: string): string {
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.split('::');
  const first = head ? head.split(':') : [];
  const last = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? first
      : [...first, ...Array<string>(Math.max(0, 8 - first.length - last.length)).fill('0'), ...last];
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * The budget from COFFER_AUDIT_FAILED_AUTH_PER_MINUTE (failures recorded one by one per address
 * and window, default 100) and COFFER_AUDIT_FAILED_AUTH_WINDOW_MS (default a minute; tests use less).
 */
export function failedAuthenticationBudget(env: NodeJS.ProcessEnv): FailedAuthenticationBudgetOptions {
  const number = (name: string, fallback: number, min: number) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number of at least ${min}`);
    return n;
  };
  return {
    ...DEFAULT_FAILED_AUTHENTICATION_BUDGET,
    perWindow: number('COFFER_AUDIT_FAILED_AUTH_PER_MINUTE', DEFAULT_FAILED_AUTHENTICATION_BUDGET.perWindow, 1),
    windowMs: number('COFFER_AUDIT_FAILED_AUTH_WINDOW_MS', DEFAULT_FAILED_AUTHENTICATION_BUDGET.windowMs, 100),
  };
}
