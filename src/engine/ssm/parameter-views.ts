/**
 * Turns stored rows into the response shapes of the SSM API. Values are opened here, and only
 * when the caller asked for them: a SecureString without WithDecryption shows its ciphertext.
 */
import type { Parameter, ParameterHistory, ParameterMetadata, ParameterInlinePolicy } from '@aws-sdk/client-ssm';
import type { Keyring } from '../../crypto/keyring.js';
import type { ValueBarrier } from '../../crypto/value-barrier.js';
import type { ParameterVersionRow, PolicyActionRow, Scope } from '../../storage/storage.js';
import type { RequestContext } from '../request-context.js';
import { canonicalName, parameterArn } from './parameter-name.js';
import { shownPolicies } from './parameter-policies.js';
import { asKmsError } from '../kms/kms-errors.js';
import { KeyAccess, referenceArn } from '../kms/key-access.js';

/** The encryption context a parameter version's value is sealed with. */
export function valueContext(scope: Scope, name: string, version: number): Record<string, string> {
  return { service: 'ssm', account: scope.account, region: scope.region, name, version: String(version) };
}

/**
 * A version's policies with their status (PolicyStatus: Pending, InProgress, Finished, Failed),
 * from the actions planned for that version; a policy with none planned is Pending.
 */
function policies(row: ParameterVersionRow, actions: readonly PolicyActionRow[]): ParameterInlinePolicy[] {
  return shownPolicies(row).map((p, slot) => ({
    PolicyText: p.text,
    PolicyType: p.type,
    PolicyStatus: actions.find((a) => a.slot === slot && a.version === row.version)?.status ?? 'Pending',
  }));
}

/** Builds the views of rows for one scope; a row is shown by its canonical name (`foo`, never `/foo`). */
export class ParameterViews {
  constructor(
    private readonly barrier: ValueBarrier,
    private readonly keyring: Keyring,
    private readonly keys: KeyAccess,
  ) {}

  /**
   * The value as the caller may see it. Decrypting a SecureString is SSM asking KMS on the
   * caller's behalf: kms:Decrypt on its key through the key's policy (the AWS-managed key's
   * allows it via SSM; a customer key's default one needs an identity policy), as in AWS.
   */
  async value(ctx: RequestContext, row: ParameterVersionRow, withDecryption: boolean): Promise<string> {
    if (row.type === 'SecureString') {
      if (!withDecryption) return row.value.toString('base64');
      if (ctx.authorize) {
        const key = await asKmsError(() => this.keyring.describe(ctx, this.barrier.keyIdOf(row.value)));
        const context = KeyAccess.viaService(ctx, 'ssm', {
          'kms:EncryptionContext:PARAMETER_ARN': parameterArn(ctx, row.name),
        });
        const shown = row.keyId ? referenceArn(ctx, row.keyId) : key.arn;
        await ctx.authorize([this.keys.onKey(ctx, 'kms:Decrypt', key, context, shown)]);
      }
    }
    // A disabled or deleted key fails the read with the KMS error, as SSM passes KMS's on.
    return asKmsError(() => this.barrier.open(row.value, valueContext(ctx, row.name, row.version)));
  }

  async parameter(
    scope: RequestContext,
    row: ParameterVersionRow,
    withDecryption: boolean,
    selector?: string,
  ): Promise<Parameter> {
    return {
      Name: canonicalName(row.name),
      Type: row.type as Parameter['Type'],
      Value: await this.value(scope, row, withDecryption),
      Version: row.version,
      ...(selector ? { Selector: selector } : {}),
      LastModifiedDate: new Date(row.lastModifiedDate),
      ARN: parameterArn(scope, row.name),
      DataType: row.dataType,
    };
  }

  /** `actions`: the parameter's planned policy actions, for PolicyStatus. */
  metadata(scope: Scope, row: ParameterVersionRow, actions: readonly PolicyActionRow[] = []): ParameterMetadata {
    return {
      Name: canonicalName(row.name),
      ARN: parameterArn(scope, row.name),
      Type: row.type as ParameterMetadata['Type'],
      ...(row.keyId ? { KeyId: row.keyId } : {}),
      LastModifiedDate: new Date(row.lastModifiedDate),
      LastModifiedUser: row.lastModifiedUser,
      ...(row.description ? { Description: row.description } : {}),
      ...(row.allowedPattern ? { AllowedPattern: row.allowedPattern } : {}),
      Version: row.version,
      Tier: row.tier as ParameterMetadata['Tier'],
      Policies: policies(row, actions),
      DataType: row.dataType,
    };
  }

  async history(
    scope: RequestContext,
    row: ParameterVersionRow,
    labels: string[],
    withDecryption: boolean,
    actions: readonly PolicyActionRow[] = [],
  ): Promise<ParameterHistory> {
    return {
      Name: canonicalName(row.name),
      Type: row.type as ParameterHistory['Type'],
      ...(row.keyId ? { KeyId: row.keyId } : {}),
      LastModifiedDate: new Date(row.lastModifiedDate),
      LastModifiedUser: row.lastModifiedUser,
      ...(row.description ? { Description: row.description } : {}),
      Value: await this.value(scope, row, withDecryption),
      ...(row.allowedPattern ? { AllowedPattern: row.allowedPattern } : {}),
      Version: row.version,
      Labels: labels,
      Tier: row.tier as ParameterHistory['Tier'],
      Policies: policies(row, actions),
      DataType: row.dataType,
    };
  }
}
