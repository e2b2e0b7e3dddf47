/**
 * The composition root: opens storage, proves the master key, migrates, and builds the engine.
 *
 * Order matters: the master key is checked against the store before any migration runs, so a
 * wrong key fails at start with a clear error and changes nothing. A key rotation interrupted
 * after the keyring was re-wrapped but before the key file was replaced is finished here.
 */
import { DEFAULT_SSM_KEY_ALIAS, Keyring } from '../crypto/keyring.js';
import { loadMasterKey, MasterKeyFile, type MasterKey } from '../crypto/master-key.js';
import { TokenSealer } from '../crypto/token-sealer.js';
import { ValueBarrier } from '../crypto/value-barrier.js';
import { WrongMasterKeyError } from '../crypto/errors.js';
import { AccessKeyStore, type ActiveAccessKey } from '../engine/identity/access-key-store.js';
import { CallerDirectory } from '../engine/iam/caller-directory.js';
import { IamEntities } from '../engine/iam/iam-entities.js';
import { IamPermissions } from '../engine/iam/iam-permissions.js';
import { IamPolicies } from '../engine/iam/iam-policies.js';
import { IamPrincipals } from '../engine/iam/iam-principals.js';
import { IamDirectory } from '../engine/iam/iam-directory.js';
import { AccessKeyUsage } from '../engine/identity/access-key-usage.js';
import { PolicySimulator } from '../engine/iam/policy-simulator.js';
import { KeyManagement } from '../engine/kms/key-management.js';
import { KmsPermissions } from '../engine/kms/kms-permissions.js';
import { ParameterStore } from '../engine/ssm/parameter-store.js';
import { SsmPermissions } from '../engine/ssm/ssm-permissions.js';
import { SecurityTokenService } from '../engine/sts/security-token-service.js';
import { Clock } from '../engine/clock.js';
import { SecretListing } from '../engine/secrets/secret-listing.js';
import { SecretPolicies } from '../engine/secrets/secret-policies.js';
import { SecretRecords } from '../engine/secrets/secret-records.js';
import { secretReference } from '../engine/secrets/secret-reference.js';
import { SecretStore } from '../engine/secrets/secret-store.js';
import { SecretVersions } from '../engine/secrets/secret-versions.js';
import { SecretsPermissions } from '../engine/secrets/secrets-permissions.js';
import { SecretSweeper } from '../engine/secrets/secret-sweeper.js';
import { KeyAccess } from '../engine/kms/key-access.js';
import { openRowAuthenticator, type HmacRowAuthenticator } from '../crypto/row-authenticator.js';
import { AuditSigner } from '../crypto/audit-signer.js';
import { AuditTrail } from '../engine/audit/audit-trail.js';
import { AuditLedger, type Ledger } from '../engine/audit/audit-ledger.js';
import { AccessReport } from '../engine/audit/access-report.js';
import { ValueFingerprint } from '../crypto/value-fingerprint.js';
import { RotationFunctions } from '../engine/rotation/rotation-functions.js';
import { RotationNotifier, type RunStatus } from '../engine/rotation/rotation-notifier.js';
import { RotationRunner } from '../engine/rotation/rotation-runner.js';
import { RotationScheduler } from '../engine/rotation/rotation-scheduler.js';
import { PolicyActions } from '../engine/ssm/policy-actions.js';
import { PolicyNotifier } from '../engine/ssm/policy-notifier.js';
import { PolicyScheduler } from '../engine/ssm/policy-scheduler.js';
import { RotationService } from '../engine/rotation/rotation-service.js';
import { ScheduleStore } from '../engine/rotation/schedule-store.js';
import { SessionCredentials, storeSessionEpoch } from '../engine/sts/session-credentials.js';
import { LATEST_SCHEMA_VERSION } from '../storage/migrations.js';
import { randomBytes } from 'node:crypto';
import { AuditJournalWriter, journalInstance } from '../storage/audit-journal.js';
import type { AuditStorage } from '../storage/audit-storage.js';
import { auditJournalDir, openAuditStorage, openStorage } from '../storage/open-storage.js';
import { rebuildError, type LedgerNotice } from './ledger-messages.js';
import { ThreadedLedger } from './threaded-ledger.js';
import type { Storage } from '../storage/storage.js';
import type { CofferSettings } from './settings.js';

/** An open store with its engines. */
export interface Coffer {
  readonly settings: CofferSettings;
  readonly storage: Storage;
  readonly keyring: Keyring;
  readonly parameters: ParameterStore;
  /** Runs parameter policies' actions when due (`coffer serve` starts it). */
  readonly policyScheduler: PolicyScheduler;
  readonly ssmPermissions: SsmPermissions;
  readonly accessKeys: AccessKeyStore;
  readonly iam: IdentityEngines;
  readonly sts: SecurityTokenService;
  readonly kms: KeyManagement;
  readonly kmsPermissions: KmsPermissions;
  readonly secrets: SecretsEngines;
  readonly rotation: RotationEngines;
  /** The audit trail: every request's and every service action's event, chained and signed. */
  readonly audit: AuditTrail;
  /** The trail's own storage, when its ledger runs inline (the CLI, tests); a server's thread holds it otherwise. */
  readonly auditStorage: AuditStorage | undefined;
  /** The observability view over the store and the trail (CofferAudit.GetAccessReport, `coffer report`). */
  readonly accessReport: AccessReport;
  /** The engines' clock (moved forward only by --dev servers and tests). */
  readonly clock: Clock;
  /** Finds the credential a request's access key id (and session token) stands for. */
  credentials(accessKeyId: string, sessionToken: string | undefined): Promise<ActiveAccessKey | undefined>;
  close(): Promise<void>;
}

/** IAM: entities, policies, the compiled-caller cache, the simulator and the permission map. */
export interface IdentityEngines {
  readonly entities: IamEntities;
  readonly principals: IamPrincipals;
  readonly directory: IamDirectory;
  /** When each access key was last used (the request pipeline notes every use). */
  readonly keyUsage: AccessKeyUsage;
  readonly policies: IamPolicies;
  readonly callers: CallerDirectory;
  readonly simulator: PolicySimulator;
  readonly permissions: IamPermissions;
}

/** Secrets Manager. */
export interface SecretsEngines {
  readonly store: SecretStore;
  readonly listing: SecretListing;
  readonly policies: SecretPolicies;
  readonly permissions: SecretsPermissions;
  /** Purges secrets past their recovery window (`coffer serve` starts it). */
  readonly sweeper: SecretSweeper;
}

/** Rotation: the actions, and the scheduler `coffer serve` ticks. */
export interface RotationEngines {
  readonly service: RotationService;
  readonly scheduler: RotationScheduler;
  /** Adds a listener told how every rotation run ends (`coffer serve`'s metrics). */
  onRunFinished(listener: (status: RunStatus) => void): void;
}

/** The AWS-managed keys that exist from the start, as their services would create them. */
const MANAGED_KEY_ALIASES = [DEFAULT_SSM_KEY_ALIAS, 'alias/aws/secretsmanager'];

async function provenMasterKey(storage: Storage, settings: CofferSettings, env: NodeJS.ProcessEnv): Promise<MasterKey> {
  const master = loadMasterKey(env, settings.dataDir);
  if ((await storage.schemaVersion()) === 0) return master;
  if ((await Keyring.checkMaster(storage, master)) !== 'wrong') return master;
  if (!env.COFFER_MASTER_KEY) {
    const file = new MasterKeyFile(settings.dataDir);
    const staged = file.staged();
    if (staged && (await Keyring.checkMaster(storage, staged)) === 'ok') {
      file.commit();
      return staged;
    }
  }
  throw new WrongMasterKeyError(master.source);
}

function rotationEngines(parts: {
  storage: Storage;
  keyring: Keyring;
  barrier: ValueBarrier;
  clock: Clock;
  parameters: ParameterStore;
  secrets: SecretStore;
  env: NodeJS.ProcessEnv;
  events: AuditTrail;
  logRotations: boolean;
}): RotationEngines {
  const functions = new RotationFunctions(parts.storage, parts.keyring, parts.barrier);
  const schedules = new ScheduleStore(parts.storage);
  const notifier = new RotationNotifier(
    parts.env.COFFER_ROTATION_WEBHOOK || undefined,
    parts.logRotations ? (line) => process.stderr.write(`${line}\n`) : () => {},
  );
  const runner = new RotationRunner({
    ...parts,
    functions,
    schedules,
    notifier,
    timeoutMs: Number(parts.env.COFFER_ROTATION_TIMEOUT_MS ?? 30_000),
  });
  const scheduler = new RotationScheduler(parts.storage, runner, parts.clock);
  return {
    service: new RotationService(parts.secrets, parts.parameters, functions, schedules, scheduler),
    scheduler,
    onRunFinished: (listener) => notifier.onRunFinished(listener),
  };
}

/**
 * Parameter policies enforced: PutParameter plans their actions, the scheduler runs them, and
 * their notices go to the log (a server's) and to COFFER_POLICY_WEBHOOK (else the rotation's webhook).
 */
function parameterPolicies(
  storage: Storage,
  clock: Clock,
  events: AuditTrail,
  parameters: ParameterStore,
  env: NodeJS.ProcessEnv,
  log: boolean,
): PolicyScheduler {
  const notifier = new PolicyNotifier(
    env.COFFER_POLICY_WEBHOOK || env.COFFER_ROTATION_WEBHOOK || undefined,
    log ? (line) => process.stderr.write(`${line}\n`) : () => {},
  );
  const actions = new PolicyActions(storage, clock, events, notifier);
  parameters.useFollowUps(actions);
  return new PolicyScheduler(storage, actions, clock);
}

/**
 * COFFER_AUDIT (on unless "off": for benchmarks and tests), COFFER_AUDIT_RETENTION_DAYS (90, as
 * CloudTrail's event history), COFFER_AUDIT_SYNC (log: read events reach the database log
 * before the response; full: the disk too).
 */
function auditOptions(env: NodeJS.ProcessEnv): { enabled: boolean; retentionDays: number; syncReads: boolean } {
  const retentionDays = Number(env.COFFER_AUDIT_RETENTION_DAYS ?? 90);
  if (!Number.isInteger(retentionDays) || retentionDays < 1)
    throw new Error('COFFER_AUDIT_RETENTION_DAYS must be a whole number of days, at least 1');
  if (env.COFFER_AUDIT !== undefined && env.COFFER_AUDIT !== 'on' && env.COFFER_AUDIT !== 'off')
    throw new Error('COFFER_AUDIT must be on or off');
  if (env.COFFER_AUDIT_SYNC !== undefined && env.COFFER_AUDIT_SYNC !== 'full' && env.COFFER_AUDIT_SYNC !== 'log')
    throw new Error('COFFER_AUDIT_SYNC must be full or log');
  return { enabled: env.COFFER_AUDIT !== 'off', retentionDays, syncReads: env.COFFER_AUDIT_SYNC === 'full' };
}

/** How a Coffer is opened. */
export interface OpenOptions {
  /**
   * Where the audit ledger runs: on a thread of its own (a server: chaining events costs the
   * requests' thread a message), or inline (the CLI, tests: no thread to start).
   */
  readonly auditLedger?: 'thread' | 'inline';
  /** Log every rotation run's end as a JSON line on stderr (a server's log; the CLI says it in its own words). */
  readonly logRotations?: boolean;
  /**
   * A worker of `coffer serve --workers N`: its sibling processes write to the same store, so
   * the identity caches read the store's IAM generation on every request instead of once a
   * second, and a change made through one worker holds on the next request to any of them.
   */
  readonly worker?: boolean;
}

/**
 * The audit ledger over the trail's own storage: on its thread, tailing the process's journal
 * when there is one, or inline.
 */
async function openLedger(
  settings: CofferSettings,
  rowKey: HmacRowAuthenticator,
  signer: AuditSigner,
  retentionDays: number,
  thread: boolean,
  journal: AuditJournalWriter | undefined,
  onNotice: (notice: LedgerNotice) => void,
): Promise<{ ledger: Ledger; storage?: AuditStorage }> {
  const location = {
    dataDir: settings.dataDir,
    ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}),
  };
  if (thread) {
    return {
      ledger: await ThreadedLedger.start(
        {
          location,
          rowKey: rowKey.transferable(),
          signingKey: signer.transferable(),
          retentionDays,
          ...(journal ? { journal: { dir: auditJournalDir(settings.dataDir), instance: journal.instance } } : {}),
        },
        onNotice,
      ),
    };
  }
  const storage = await openAuditStorage(location);
  try {
    storage.useIntegrity(rowKey);
    await storage.migrate();
  } catch (error) {
    await storage.close();
    throw error;
  }
  return { ledger: new AuditLedger(storage, signer, { retentionDays }), storage };
}

/** Opens the store the settings name. */
export async function openCoffer(
  settings: CofferSettings,
  env: NodeJS.ProcessEnv = process.env,
  options: OpenOptions = {},
): Promise<Coffer> {
  const storage = await openStorage(settings);
  let ledger: Ledger | undefined;
  try {
    const schema = await storage.schemaVersion();
    if (schema > LATEST_SCHEMA_VERSION) {
      throw new Error(
        `this store has schema version ${schema}, newer than this Coffer understands (${LATEST_SCHEMA_VERSION}); ` +
          `upgrade Coffer`,
      );
    }
    const master = await provenMasterKey(storage, settings, env);
    // Rows are sealed from the first write on; an upgrade seals the existing ones in its migration.
    let rowKey = schema > 0 ? await openRowAuthenticator(storage, master) : undefined;
    if (rowKey) storage.useIntegrity(rowKey);
    await storage.migrate();
    rowKey ??= await openRowAuthenticator(storage, master);
    storage.useIntegrity(rowKey);
    const keyring = await Keyring.open(storage, master);
    // A worker's siblings change keys too: their changes hold on its next lookup.
    if (options.worker) keyring.followOtherProcesses(0);
    const clock = new Clock();
    const signer = await AuditSigner.open(storage, master);
    const trailOptions = auditOptions(env);
    const thread = trailOptions.enabled && options.auditLedger === 'thread';
    // Read events go in a journal on the embedded store's disk; a PostgreSQL node's disk is no place for them.
    const journal =
      thread && storage.kind === 'sqlite'
        ? new AuditJournalWriter(
            auditJournalDir(settings.dataDir),
            journalInstance(randomBytes(6).toString('hex')),
            rowKey,
            trailOptions.syncReads,
          )
        : undefined;
    // What the ledger's thread says before the trail exists (an adoption at start) waits for it.
    let audit: AuditTrail | undefined;
    const early: LedgerNotice[] = [];
    const hear = (notice: LedgerNotice) => {
      if (!audit) return void early.push(notice);
      if (notice.notice === 'problem') audit.ledgerNotice({ problem: rebuildError(notice.error) });
      else
        audit.ledgerNotice(
          notice.notice === 'chain-ok' ? { failing: false } : { failing: true, problem: rebuildError(notice.error) },
        );
    };
    const opened = await openLedger(settings, rowKey, signer, trailOptions.retentionDays, thread, journal, hear);
    ledger = opened.ledger;
    audit = new AuditTrail(storage, ledger, signer.publicKeyPem, {
      ...trailOptions,
      now: () => clock.now(),
      ...(journal ? { journal } : {}),
    });
    for (const notice of early.splice(0)) hear(notice);
    // The managed keys exist from the start for the configured account and region (AWS creates
    // them on first use; other scopes still get theirs that way).
    for (const alias of MANAGED_KEY_ALIASES)
      await keyring.resolve({ account: settings.account, region: settings.region }, undefined, alias);
    const barrier = new ValueBarrier(keyring);
    const keys = new KeyAccess(keyring, storage);
    const records = new SecretRecords(storage, clock);
    const ssmPermissions = new SsmPermissions(
      storage,
      async (scope, secretId) => (await records.findRow(storage, scope, secretId))?.row.name,
    );
    const parameters = new ParameterStore(storage, keyring, barrier, new TokenSealer(keyring), keys, ssmPermissions);
    const generationRefreshMs = options.worker ? 0 : undefined;
    const accessKeys = new AccessKeyStore(
      storage,
      keyring,
      barrier,
      { account: settings.account, region: settings.region },
      generationRefreshMs,
    );
    const entities = new IamEntities(storage);
    const policies = new IamPolicies(entities);
    const keyUsage = new AccessKeyUsage(storage);
    const iam: IdentityEngines = {
      entities,
      policies,
      principals: new IamPrincipals(entities, accessKeys),
      callers: new CallerDirectory(entities, policies, generationRefreshMs),
      simulator: new PolicySimulator(entities, policies),
      directory: new IamDirectory(entities, accessKeys, keyUsage),
      keyUsage,
      permissions: new IamPermissions(entities, async (id) => (await accessKeys.find(id))?.principalArn),
    };
    const sessions = new SessionCredentials(
      new TokenSealer(keyring, 'sts-session/v1'),
      await storeSessionEpoch(storage),
    );
    const secretStore = new SecretStore(
      records,
      new SecretVersions(keyring, barrier, new ValueFingerprint(keyring)),
      keys,
    );
    const secretsPermissions = new SecretsPermissions(records);
    const secrets: SecretsEngines = {
      store: secretStore,
      listing: new SecretListing(secretStore, new TokenSealer(keyring), secretsPermissions),
      policies: new SecretPolicies(records, entities, secretStore.replication),
      permissions: secretsPermissions,
      sweeper: new SecretSweeper(records, () => {}, audit),
    };
    parameters.useSecretReferences(secretReference(secrets.store, secrets.permissions));
    const policyScheduler = parameterPolicies(storage, clock, audit, parameters, env, options.logRotations === true);
    const rotation = rotationEngines({
      storage,
      keyring,
      barrier,
      clock,
      parameters,
      secrets: secretStore,
      env,
      events: audit,
      logRotations: options.logRotations === true,
    });
    return {
      settings,
      storage,
      keyring,
      parameters,
      policyScheduler,
      ssmPermissions,
      accessKeys,
      iam,
      secrets,
      rotation,
      clock,
      audit,
      auditStorage: opened.storage,
      accessReport: new AccessReport(storage, audit, new TokenSealer(keyring), () => clock.now()),
      sts: new SecurityTokenService(entities, sessions),
      kms: new KeyManagement(keyring, barrier, storage, keys, entities),
      kmsPermissions: new KmsPermissions(keys, barrier),
      // A session token says the key is temporary; a long-term key never comes with one.
      credentials: (id, token) =>
        token !== undefined ? sessions.authenticate(id, token, accessKeys) : accessKeys.find(id),
      close: async () => {
        await keyUsage.flush().catch(() => {});
        await rotation.scheduler.stop();
        await policyScheduler.stop();
        await secrets.sweeper.stop();
        await audit.close();
        await storage.close();
      },
    };
  } catch (error) {
    await ledger?.close();
    await storage.close();
    throw error;
  }
}
