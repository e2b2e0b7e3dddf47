/**
 * CofferMetrics' labels stay bounded: only served services and their operations become labels,
 * anything else is "unknown"; codes of the wrong shape are "Other"; each instance has its own
 * registry.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CofferMetrics, type MeteredService } from '../../../src/api/metrics/coffer-metrics.js';

const SERVICES: MeteredService[] = [
  { name: 'ssm', model: { operations: { GetParameter: 'GetParameterRequest', PutParameter: 'PutParameterRequest' } } },
  { name: 'iam', model: { operations: { CreateUser: 'CreateUserRequest' } } },
];

const requestLines = (body: string) => body.split('\n').filter((l) => l.startsWith('coffer_requests_total{'));

describe('CofferMetrics', () => {
  it('labels only served services and their operations; anything else is unknown', async () => {
    const metrics = new CofferMetrics(SERVICES);
    metrics.observeRequest({ service: 'ssm', action: 'GetParameter', code: undefined, durationMs: 3 });
    metrics.observeRequest({ service: 'ssm', action: '/prod/db/password', code: 'ParameterNotFound', durationMs: 1 });
    metrics.observeRequest({ service: 'ssm', action: 'CreateUser', code: undefined, durationMs: 1 });
    metrics.observeRequest({ service: 'evil"service', action: 'GetParameter', code: undefined, durationMs: 1 });
    metrics.observeRequest({ service: 'ssm', action: 'constructor', code: undefined, durationMs: 1 });
    metrics.observeRequest({ service: '__proto__', action: undefined, code: 'weird code\n{x}', durationMs: 1 });
    const { body, contentType } = await metrics.render();
    assert.match(contentType, /^text\/plain/);
    assert.deepEqual(
      requestLines(body).sort(),
      [
        'coffer_requests_total{service="ssm",action="GetParameter",code="OK"} 1',
        'coffer_requests_total{service="ssm",action="unknown",code="OK"} 2',
        'coffer_requests_total{service="ssm",action="unknown",code="ParameterNotFound"} 1',
        'coffer_requests_total{service="unknown",action="unknown",code="OK"} 1',
        'coffer_requests_total{service="unknown",action="unknown",code="Other"} 1',
      ].sort(),
    );
    assert.ok(!body.includes('/prod/db/password'));
  });

  it('counts denials of either service style, and rotations and audit writes', async () => {
    const metrics = new CofferMetrics(SERVICES);
    metrics.observeRequest({ service: 'ssm', action: 'GetParameter', code: 'AccessDeniedException', durationMs: 2 });
    metrics.observeRequest({ service: 'iam', action: 'CreateUser', code: 'AccessDenied', durationMs: 2 });
    metrics.observeRequest({ service: 'iam', action: 'CreateUser', code: 'EntityAlreadyExists', durationMs: 2 });
    metrics.observeRotation('succeeded');
    metrics.observeRotation('failed');
    metrics.observeRotation('failed');
    metrics.observeAuditWrite(0.002);
    const { body } = await metrics.render();
    assert.match(body, /^coffer_access_denied_total\{service="ssm",action="GetParameter"\} 1$/m);
    assert.match(body, /^coffer_access_denied_total\{service="iam",action="CreateUser"\} 1$/m);
    assert.match(body, /^coffer_rotation_runs_total\{outcome="succeeded"\} 1$/m);
    assert.match(body, /^coffer_rotation_runs_total\{outcome="failed"\} 2$/m);
    assert.match(body, /^coffer_audit_write_duration_seconds_count 1$/m);
    assert.match(body, /^coffer_audit_write_duration_seconds_bucket\{le="0\.0025"\} 1$/m);
    assert.match(body, /^coffer_request_duration_seconds_count\{service="iam",action="CreateUser"\} 2$/m);
    assert.match(body, /^nodejs_eventloop_lag_seconds /m);
  });

  it("keeps each instance's counts apart (its own registry, not the global one)", async () => {
    const a = new CofferMetrics(SERVICES);
    const b = new CofferMetrics(SERVICES);
    a.observeRequest({ service: 'ssm', action: 'PutParameter', code: undefined, durationMs: 1 });
    assert.equal(requestLines((await a.render()).body).length, 1);
    assert.equal(requestLines((await b.render()).body).length, 0);
  });
});
