/**
 * The one interface every source of values implements: Coffer or AWS over the SDK, files, the
 * environment, a chain of fallbacks, or your own. Records come back in AWS's own shapes (the
 * fields of SSM's `Parameter` and Secrets Manager's `GetSecretValue` output), so `coffer agent`
 * can serve them as they are. Providers raise CofferClientError only; "not there" is
 * `ParameterNotFound` (parameters) or `ResourceNotFoundException` (secrets).
 */

/** A parameter as SSM's GetParameter returns it, value included. */
export interface ParameterRecord {
  Name: string;
  Type: 'String' | 'StringList' | 'SecureString';
  Value: string;
  Version: number;
  /** The `:version` or `:label` asked for, when one was. */
  Selector?: string;
  ARN: string;
  LastModifiedDate?: Date;
  DataType?: string;
}

/** A secret's version as Secrets Manager's GetSecretValue returns it: one of the two values. */
export interface SecretRecord {
  ARN: string;
  Name: string;
  VersionId?: string;
  SecretString?: string;
  SecretBinary?: Uint8Array;
  VersionStages?: string[];
  CreatedDate?: Date;
}

/** What DescribeSecret says about a secret (the client reads the rotation schedule). */
export interface SecretDescription {
  ARN: string;
  Name: string;
  RotationEnabled?: boolean;
  NextRotationDate?: Date;
  LastChangedDate?: Date;
}

/** One change the server's feed reported; it never carries a value. */
export interface ChangeEvent {
  seq: number;
  kind: 'parameter' | 'secret';
  name: string;
  arn?: string;
  version?: string;
  operation: string;
  time?: string;
}

/** The state of a change feed subscription. */
export type FeedState = 'connected' | 'connecting' | 'down' | 'off';

/**
 * What a subscription reports: a change, a reset (changes may have been missed: forget
 * everything), or a new state of the connection (with the error code that caused it, if any).
 */
export type FeedSignal =
  | { type: 'change'; change: ChangeEvent }
  | { type: 'reset' }
  /** The first stream is live: values read before it may predate a change it never saw. */
  | { type: 'live' }
  | { type: 'state'; state: FeedState; code?: string };

/** A source of parameters and secrets. */
export interface ValueProvider {
  /** A short label for events and messages (`coffer`, `file:./secrets.json`, `env:APP_`). */
  readonly name: string;
  /** One parameter by `name`, `name:version`, `name:label` or ARN. */
  getParameter(selector: string, options: { decrypt: boolean }): Promise<ParameterRecord>;
  /** Every parameter under `path` (one level, or all with `recursive`), all pages. */
  getParametersByPath(path: string, options: { recursive: boolean; decrypt: boolean }): Promise<ParameterRecord[]>;
  /** One secret version by name or (partial) ARN: AWSCURRENT unless a version is asked for. */
  getSecretValue(id: string, options?: { versionId?: string; versionStage?: string }): Promise<SecretRecord>;
  /** A secret's metadata, where the source has any. */
  describeSecret?(id: string): Promise<SecretDescription>;
  /** Listens to the source's change feed (names under `prefix`, or all); returns the way to stop. */
  subscribe?(prefix: string | undefined, listener: (signal: FeedSignal) => void): () => void;
  /** Releases connections and timers. */
  close?(): Promise<void> | void;
}
