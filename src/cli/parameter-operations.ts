/**
 * The Parameter Store operations a CLI command uses, served either by the local engine (the
 * embedded store) or by a remote Coffer (or AWS) through @aws-sdk/client-ssm. Commands are
 * written once against this interface, so every command works in both modes.
 */
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  UnlabelParameterVersionCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { ParameterStore } from '../engine/ssm/parameter-store.js';
import type { RequestContext } from '../engine/request-context.js';

const COMMANDS = {
  putParameter: PutParameterCommand,
  getParameter: GetParameterCommand,
  getParameters: GetParametersCommand,
  getParametersByPath: GetParametersByPathCommand,
  describeParameters: DescribeParametersCommand,
  getParameterHistory: GetParameterHistoryCommand,
  deleteParameter: DeleteParameterCommand,
  deleteParameters: DeleteParametersCommand,
  labelParameterVersion: LabelParameterVersionCommand,
  unlabelParameterVersion: UnlabelParameterVersionCommand,
  addTagsToResource: AddTagsToResourceCommand,
  removeTagsFromResource: RemoveTagsFromResourceCommand,
  listTagsForResource: ListTagsForResourceCommand,
} as const;

type Action = keyof typeof COMMANDS;

/** Each action as `request => result`, without the caller context. */
export type ParameterOperations = {
  [A in Action]: (request: Parameters<ParameterStore[A]>[1]) => ReturnType<ParameterStore[A]>;
};

/** Operations on the embedded engine, as `ctx`. */
export function localOperations(store: ParameterStore, ctx: RequestContext): ParameterOperations {
  const bind =
    <A extends Action>(action: A) =>
    (request: never) =>
      (store[action] as (c: RequestContext, r: never) => unknown)(ctx, request);
  return Object.fromEntries(Object.keys(COMMANDS).map((a) => [a, bind(a as Action)])) as unknown as ParameterOperations;
}

/** Operations over the wire API through an SSM client. */
export function remoteOperations(client: SSMClient): ParameterOperations {
  const bind = (action: Action) => async (request: object) => {
    const Command = COMMANDS[action] as unknown as new (input: object) => Parameters<SSMClient['send']>[0];
    const { $metadata: _, ...output } = (await client.send(new Command(request))) as { $metadata: unknown };
    return output;
  };
  return Object.fromEntries(Object.keys(COMMANDS).map((a) => [a, bind(a as Action)])) as unknown as ParameterOperations;
}
