// The change feed's request (GET /_coffer/changes), written by hand in the form of the generated
// AWS tables: the query's `prefix` and the Last-Event-ID header are decoded against it, by the
// same decoder as every service's input, before anything reads them.
import type { ServiceModel } from './service-model.js';

export const changesModel: ServiceModel = {
  service: 'coffer',
  apiVersion: '2026-12-01',
  protocol: 'json',
  targetPrefix: 'CofferChanges',
  internalError: 'InternalServerError',
  operations: { SubscribeChanges: 'SubscribeChangesRequest' },
  shapes: {
    SubscribeChangesRequest: {
      type: 'structure',
      members: { Prefix: 'ChangePrefix', LastEventId: 'ChangeSequence' },
    },
    ChangePrefix: { type: 'string', min: 1, max: 2048 },
    ChangeSequence: { type: 'string', min: 1, max: 18, pattern: '^[0-9]+$' },
  },
};
