// Coffer's own JSON 1.1 API (CofferRotation), written by hand in the form of the generated AWS
// tables, so its inputs are decoded by the same decoder as every AWS service's.
import type { ServiceModel } from './service-model.js';

export const cofferModel: ServiceModel = {
  service: 'coffer',
  apiVersion: '2026-11-01',
  protocol: 'json',
  targetPrefix: 'CofferRotation',
  internalError: 'InternalServerError',
  operations: {
    RegisterFunction: 'RegisterFunctionRequest',
    ListFunctions: 'ListFunctionsRequest',
    RemoveFunction: 'RemoveFunctionRequest',
    RotateParameter: 'RotateParameterRequest',
    CancelParameterRotation: 'CancelParameterRotationRequest',
    GetRotationStatus: 'GetRotationStatusRequest',
  },
  shapes: {
    RegisterFunctionRequest: {
      type: 'structure',
      members: { Name: 'FunctionName', Url: 'FunctionUrl', Builtin: 'BuiltinName', Options: 'RotatorOptions' },
      required: ['Name'],
    },
    ListFunctionsRequest: { type: 'structure', members: {} },
    RemoveFunctionRequest: { type: 'structure', members: { Name: 'FunctionName' }, required: ['Name'] },
    RotateParameterRequest: {
      type: 'structure',
      required: ['Name'],
      members: {
        Name: 'ParameterName',
        RotationFunction: 'FunctionReference',
        RotationRules: 'RotationRules',
        RotateImmediately: 'Boolean',
      },
    },
    CancelParameterRotationRequest: { type: 'structure', members: { Name: 'ParameterName' }, required: ['Name'] },
    GetRotationStatusRequest: {
      type: 'structure',
      members: { Name: 'TargetName', Kind: 'TargetKind', MaxResults: 'MaxResults' },
    },
    RotatorOptions: {
      type: 'structure',
      members: {
        field: 'OptionText',
        length: 'PasswordLength',
        excludeCharacters: 'OptionText',
        excludePunctuation: 'Boolean',
      },
    },
    RotationRules: {
      type: 'structure',
      members: {
        AutomaticallyAfterDays: 'RotationDays',
        Duration: 'Duration',
        ScheduleExpression: 'ScheduleExpression',
      },
    },
    FunctionName: { type: 'string', min: 1, max: 64, pattern: '[a-zA-Z0-9_-]+' },
    FunctionReference: { type: 'string', min: 1, max: 2048 },
    FunctionUrl: { type: 'string', min: 1, max: 2048 },
    BuiltinName: { type: 'string', min: 1, max: 64 },
    ParameterName: { type: 'string', min: 1, max: 2048 },
    TargetName: { type: 'string', min: 1, max: 2048 },
    TargetKind: { type: 'string', enum: ['secret', 'parameter'] },
    MaxResults: { type: 'integer', min: 1, max: 100 },
    OptionText: { type: 'string', min: 1, max: 4096 },
    PasswordLength: { type: 'integer', min: 1, max: 4096 },
    RotationDays: { type: 'long', min: 1, max: 1000 },
    Duration: { type: 'string', min: 2, max: 3, pattern: '[0-9]+h' },
    ScheduleExpression: { type: 'string', min: 1, max: 256, pattern: '[0-9A-Za-z\\(\\)#\\?\\*\\-\\/, ]+' },
    Boolean: { type: 'boolean' },
  },
};
