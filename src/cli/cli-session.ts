/**
 * The store a CLI invocation works on, opened on first use (so `coffer help` needs no store)
 * and closed once at exit. Local mode acts as the account's root principal.
 */
import { openCoffer, type Coffer } from '../bootstrap/open-coffer.js';
import { settingsFromEnv } from '../bootstrap/settings.js';
import { rootPrincipal, type RequestContext } from '../engine/request-context.js';

/** Lazily opened store plus the caller context. */
export class CliSession {
  private coffer: Coffer | undefined;

  constructor(readonly env: NodeJS.ProcessEnv) {}

  async open(): Promise<Coffer> {
    if (!this.coffer) this.coffer = await openCoffer(settingsFromEnv(this.env), this.env);
    return this.coffer;
  }

  async context(): Promise<RequestContext> {
    const { settings } = await this.open();
    return { account: settings.account, region: settings.region, principalArn: rootPrincipal(settings.account) };
  }

  async close(): Promise<void> {
    await this.coffer?.close();
    this.coffer = undefined;
  }
}
