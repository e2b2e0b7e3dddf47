/**
 * What every IAM family (users, groups, roles, policies) shares: finding an entity or raising
 * AWS's NoSuchEntity, creating one once, tags, and the generation counter that tells every
 * node's policy cache that something changed.
 */
import type { Tag } from '@aws-sdk/client-iam';
import type { IamEntityRow, Storage, StorageReader, StorageWriter } from '../../storage/storage.js';
import { bumpCounter, readCounter } from '../../storage/meta-counters.js';
import { EntityAlreadyExists, IamValidationError, LimitExceeded, listMember, NoSuchEntity } from './iam-errors.js';
import { checkPath, entityArn, entityId } from './iam-names.js';

export type EntityKind = IamEntityRow['kind'];

const GENERATION_KEY = 'iam-generation';
const TAG_SCOPE_REGION = '';
const MAX_TAGS = 50;
const LABEL: Record<EntityKind, string> = { user: 'user', group: 'group', role: 'role', policy: 'policy' };

/** Attributes stored with an entity, by kind. */
export interface EntityAttributes {
  description?: string;
  trustPolicy?: string;
  /** The unique ids the trust policy's named users and roles had when it was written. */
  trustPrincipals?: Record<string, string>;
  maxSessionDuration?: number;
  defaultVersion?: string;
  nextVersion?: number;
}

/** An entity with its attributes parsed. */
export interface Entity extends Omit<IamEntityRow, 'attributes'> {
  readonly attributes: EntityAttributes;
}

export function parseEntity(row: IamEntityRow): Entity {
  return { ...row, attributes: JSON.parse(row.attributes) as EntityAttributes };
}

/** Reads the cluster-wide IAM generation (bumped by every IAM write). */
export async function iamGeneration(storage: StorageReader): Promise<number> {
  return readCounter(storage, GENERATION_KEY);
}

/**
 * Bumps the IAM generation inside `tx`: every cache of identities (policies, access keys) in
 * every process drops what it holds once it reads the new value.
 */
export async function bumpIamGeneration(tx: StorageWriter): Promise<void> {
  await bumpCounter(tx, GENERATION_KEY);
}

/** Shared entity operations over storage. */
export class IamEntities {
  /** Told after every committed IAM change (the local policy cache listens). */
  onChange: () => void = () => {};

  constructor(readonly storage: Storage) {}

  /** Runs an IAM write in one transaction and bumps the generation with it. */
  async write<T>(work: (tx: StorageWriter) => Promise<T>): Promise<T> {
    const result = await this.storage.transaction(async (tx) => {
      const out = await work(tx);
      await bumpIamGeneration(tx);
      return out;
    });
    this.onChange();
    return result;
  }

  async find(reader: StorageReader, account: string, kind: EntityKind, name: string): Promise<Entity | undefined> {
    const row = await reader.getIamEntity(account, kind, name);
    return row && parseEntity(row);
  }

  /** The entity, or AWS's NoSuchEntity ("The user with name x cannot be found."). */
  async require(reader: StorageReader, account: string, kind: EntityKind, name: string): Promise<Entity> {
    const entity = await this.find(reader, account, kind, name);
    if (!entity)
      throw new NoSuchEntity(
        kind === 'policy' ? `Policy ${name} was not found.` : `The ${LABEL[kind]} with name ${name} cannot be found.`,
      );
    return entity;
  }

  /** Creates an entity, refusing a duplicate name as AWS does: names are unique regardless of case. */
  async create(
    tx: StorageWriter,
    account: string,
    kind: EntityKind,
    name: string,
    path: unknown,
    attributes: EntityAttributes,
  ): Promise<Entity> {
    if (await tx.findIamEntityFolded(account, kind, name)) {
      throw new EntityAlreadyExists(
        kind === 'policy'
          ? `A policy called ${name} already exists. Duplicate names are not allowed.`
          : `${LABEL[kind][0]!.toUpperCase()}${LABEL[kind].slice(1)} with name ${name} already exists.`,
      );
    }
    const checkedPath = checkPath(path);
    const row: IamEntityRow = {
      account,
      kind,
      name,
      id: entityId(kind),
      arn: entityArn(account, kind, checkedPath, name),
      path: checkedPath,
      createdAt: Date.now(),
      attributes: JSON.stringify(attributes),
    };
    await tx.putIamEntity(row);
    return parseEntity(row);
  }

  async saveAttributes(tx: StorageWriter, entity: Entity, attributes: EntityAttributes): Promise<void> {
    await tx.putIamEntity({ ...entity, attributes: JSON.stringify(attributes) });
  }

  async tags(reader: StorageReader, entity: Entity): Promise<Tag[]> {
    const rows = await reader.listTags({ account: entity.account, region: TAG_SCOPE_REGION }, `iam-${entity.kind}`, [
      entity.name,
    ]);
    return rows.map((r) => ({ Key: r.key, Value: r.value }));
  }

  async addTags(tx: StorageWriter, entity: Entity, requested: readonly Tag[] | undefined): Promise<void> {
    const tags = listMember(requested, 'tags');
    if (tags.length === 0) return;
    for (const tag of tags) {
      if (
        typeof tag.Key !== 'string' ||
        tag.Key.length < 1 ||
        tag.Key.length > 128 ||
        typeof tag.Value !== 'string' ||
        tag.Value.length > 256
      ) {
        throw new IamValidationError(
          '1 validation error detected: Tag keys are 1-128 characters and values at most 256.',
        );
      }
    }
    const existing = await this.tags(tx, entity);
    const keys = new Set([...existing.map((t) => t.Key!.toLowerCase()), ...tags.map((t) => t.Key!.toLowerCase())]);
    if (keys.size > MAX_TAGS)
      throw new LimitExceeded(`The number of tags has reached the maximum limit of ${MAX_TAGS}.`);
    for (const tag of tags) {
      // IAM tag keys are case-insensitive: a new spelling replaces the old one.
      const old = existing.find((t) => t.Key!.toLowerCase() === tag.Key!.toLowerCase());
      if (old && old.Key !== tag.Key)
        await tx.deleteTag(
          { account: entity.account, region: TAG_SCOPE_REGION },
          `iam-${entity.kind}`,
          entity.name,
          old.Key!,
        );
      await tx.putTag({ account: entity.account, region: TAG_SCOPE_REGION }, `iam-${entity.kind}`, {
        resourceId: entity.name,
        key: tag.Key!,
        value: tag.Value!,
      });
    }
  }

  async removeTags(tx: StorageWriter, entity: Entity, requested: readonly string[]): Promise<void> {
    const keys = listMember(requested, 'tagKeys');
    if (keys.some((k) => typeof k !== 'string'))
      throw new IamValidationError(
        "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must be a list of " +
          'strings',
      );
    const existing = await this.tags(tx, entity);
    for (const key of keys) {
      const old = existing.find((t) => t.Key!.toLowerCase() === key.toLowerCase());
      if (old)
        await tx.deleteTag(
          { account: entity.account, region: TAG_SCOPE_REGION },
          `iam-${entity.kind}`,
          entity.name,
          old.Key!,
        );
    }
  }

  async removeAllTags(tx: StorageWriter, entity: Entity): Promise<void> {
    await this.removeTags(
      tx,
      entity,
      (await this.tags(tx, entity)).map((t) => t.Key!),
    );
  }
}
