/**
 * Turns credentials into Callers: loads the principal's tags and every policy that applies to
 * it, compiles them once, and caches the result per principal. A credential whose principal is
 * gone, or was recreated under the same name (another unique id), stands for nobody: as in AWS,
 * it is refused. Any IAM change on this node clears the cache at once; changes made by other
 * nodes are noticed through the stored generation counter, read at most once per `refreshMs`
 * (a second by default; 0 for the workers of one `coffer serve --workers N`, which must see each
 * other's changes at once, as one process would: one indexed read a request).
 */
import { rootPrincipal } from '../request-context.js';
import type { Caller, Credential } from './caller.js';
import { iamGeneration, type IamEntities } from './iam-entities.js';
import type { IamPolicies } from './iam-policies.js';
import { parsePolicyDocument } from './policy-document.js';
import { CompiledPolicy } from './policy-evaluator.js';

const REFRESH_MS = 1000;
const MAX_ENTRIES = 10_000;

/** Compiled callers, cached. */
export class CallerDirectory {
  private readonly cache = new Map<string, Promise<Caller | undefined>>();
  private generation = -1;
  private checkedAt = 0;

  constructor(
    private readonly entities: IamEntities,
    private readonly policies: IamPolicies,
    private readonly refreshMs = REFRESH_MS,
  ) {
    const previous = entities.onChange;
    entities.onChange = () => {
      previous();
      this.cache.clear();
    };
  }

  /** The caller a credential stands for, or undefined when its principal no longer exists. */
  async callerFor(credential: Credential): Promise<Caller | undefined> {
    await this.refresh();
    const key = credential.session
      ? [
          credential.principalArn,
          credential.ownerId,
          credential.session.sessionName,
          JSON.stringify(credential.session.tags),
        ].join('\u0000')
      : `${credential.principalArn}\u0000${credential.ownerId}`;
    let caller = this.cache.get(key);
    if (!caller) {
      if (this.cache.size > MAX_ENTRIES) this.cache.clear();
      caller = this.load(credential);
      this.cache.set(key, caller);
      caller.catch(() => this.cache.delete(key));
    }
    return caller;
  }

  private async refresh(): Promise<void> {
    const now = Date.now();
    if (now - this.checkedAt < this.refreshMs) return;
    this.checkedAt = now;
    const generation = await iamGeneration(this.entities.storage);
    if (generation !== this.generation) {
      this.generation = generation;
      this.cache.clear();
    }
  }

  private async load(credential: Credential): Promise<Caller | undefined> {
    const { account, principalArn, session, ownerId } = credential;
    if (principalArn === rootPrincipal(account)) {
      if (ownerId !== account || session) return undefined;
      return {
        kind: 'root',
        arn: principalArn,
        principalArn,
        account,
        userId: account,
        principalId: account,
        tags: new Map(),
        policies: [],
      };
    }
    const kind = session ? 'role' : 'user';
    const name = principalArn.split('/').pop()!;
    const reader = this.entities.storage;
    const entity = await this.entities.find(reader, account, kind, name);
    if (!entity || entity.arn !== principalArn || entity.id !== ownerId) return undefined;
    const tags = new Map((await this.entities.tags(reader, entity)).map((t) => [t.Key!.toLowerCase(), t.Value!]));
    for (const [k, v] of Object.entries(session?.tags ?? {})) tags.set(k.toLowerCase(), v);
    const policies = (await this.policies.documentsOf(reader, entity)).map(
      (d) => new CompiledPolicy(d.name, parsePolicyDocument(d.document, 'identity')),
    );
    if (session) {
      return {
        kind: 'role-session',
        arn: `arn:aws:sts::${account}:assumed-role/${entity.name}/${session.sessionName}`,
        principalArn: entity.arn,
        account,
        userId: `${entity.id}:${session.sessionName}`,
        principalId: entity.id,
        tags,
        policies,
      };
    }
    return {
      kind: 'user',
      arn: entity.arn,
      principalArn: entity.arn,
      account,
      userId: entity.id,
      principalId: entity.id,
      userName: entity.name,
      tags,
      policies,
    };
  }
}
