/**
 * The access report, below the wire: pages of parameters then secrets by name, each page's reads
 * looked up for its own names, a NextToken that resumes exactly, and one that was not ours refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccessReportItem } from '../../../src/engine/audit/access-report.js';
import { CLOUDTRAIL_EVENT_VERSION, type AuditEvent } from '../../../src/engine/audit/audit-record.js';
import { parameterArn } from '../../../src/engine/ssm/parameter-name.js';
import { ctx, freshCoffer } from '../../helpers/test-stores.js';

/** A successful read of `arn` by `principal`, as the request auditor would record it. */
function read(arn: string, name: string, type: string, principal: string, time: number): AuditEvent {
  return {
    time,
    resourceNames: [{ type, name }],
    record: {
      eventVersion: CLOUDTRAIL_EVENT_VERSION,
      userIdentity: { type: 'IAMUser', principalId: 'AIDA', arn: principal, accountId: ctx.account, userName: 'u' },
      eventTime: '',
      eventSource: 'ssm.amazonaws.com',
      eventName: 'GetParameter',
      awsRegion: ctx.region,
      sourceIPAddress: '127.0.0.1',
      userAgent: 't',
      requestParameters: null,
      responseElements: null,
      requestID: `r-${Math.random()}`,
      eventID: `e-${Math.random()}`,
      readOnly: true,
      resources: [{ ARN: arn, accountId: ctx.account, type }],
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ctx.account,
      eventCategory: 'Management',
    },
  };
}

describe('access report', () => {
  it(
    "pages parameters then secrets by name, with the reads of each page's own items, and resumes " + 'exactly',
    async () => {
      const { coffer, done } = await freshCoffer('sqlite');
      try {
        for (let i = 0; i < 5; i++)
          await coffer.parameters.putParameter(ctx, { Name: `/rep/p${i}`, Value: 'v', Type: 'String' });
        for (let i = 0; i < 3; i++)
          await coffer.secrets.store.createSecret(ctx, { Name: `rep/s${i}`, SecretString: 'v' });
        const now = coffer.clock.now();
        for (let i = 0; i < 5; i++) {
          for (let n = 0; n <= i; n++)
            await coffer.audit.record(
              read(parameterArn(ctx, `/rep/p${i}`), `/rep/p${i}`, 'AWS::SSM::Parameter', 'arn:reader', now),
            );
        }
        const report = coffer.accessReport;
        const pages: AccessReportItem[][] = [];
        let token: string | undefined;
        do {
          const page = await report.getAccessReport(ctx, { MaxResults: 3, ...(token ? { NextToken: token } : {}) });
          pages.push(page.Items);
          token = page.NextToken;
          assert.ok(pages.length <= 4, 'it ends');
        } while (token);
        assert.deepEqual(
          pages.map((p) => p.map((i) => i.Name)),
          [
            ['/rep/p0', '/rep/p1', '/rep/p2'],
            ['/rep/p3', '/rep/p4', 'rep/s0'],
            ['rep/s1', 'rep/s2'],
          ],
        );
        assert.deepEqual(
          pages
            .flat()
            .filter((i) => i.Kind === 'parameter')
            .map((i) => i.Reads7d),
          [1, 2, 3, 4, 5],
          'every page counts its own reads',
        );
        assert.deepEqual(
          pages[1]![1]!.Readers.map((r) => [r.Principal, r.Reads7d]),
          [['arn:reader', 5]],
        );
        const whole = await report.getAccessReport(ctx, {});
        assert.equal(whole.Items.length, 8);
        assert.equal(whole.NextToken, undefined, 'no token when everything fits');
        const exact = await report.getAccessReport(ctx, { MaxResults: 8 });
        assert.equal(exact.NextToken, undefined, 'a page that ends on the last item says there is no more');
        const secrets = await report.getAccessReport(ctx, { Kind: 'secret', MaxResults: 2 });
        assert.deepEqual(
          secrets.Items.map((i) => i.Name),
          ['rep/s0', 'rep/s1'],
        );
        await assert.rejects(report.getAccessReport(ctx, { NextToken: 'not-a-token' }), {
          name: 'ValidationException',
        });
        await assert.rejects(
          report.getAccessReport(ctx, { NextToken: Buffer.from('["key","x"]').toString('base64url') }),
          { name: 'ValidationException' },
        );
      } finally {
        await done();
      }
    },
  );
});
