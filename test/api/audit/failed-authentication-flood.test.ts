/**
 * A flood of requests that fail authentication costs the trail a bounded number of events: the
 * first ones per address and window one by one, the rest counted in one summary event, found by
 * its address with the AWS SDK's CloudTrail client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import type { CloudTrailRecord } from '../../../src/engine/audit/audit-record.js';
import { ROOT, startServer, type RunningServer } from '../../helpers/server-process.js';
import { signedRequest } from '../../helpers/signed-request.js';
import { until } from '../../helpers/until.js';

describe('a flood of failed authentications', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({
      env: { COFFER_AUDIT_FAILED_AUTH_PER_MINUTE: '5', COFFER_AUDIT_FAILED_AUTH_WINDOW_MS: '500' },
    });
  });
  after(async () => {
    await server.stop();
  });

  it(
    'records five failures one by one and the other 25 in one summary, and every request still gets its ' + 'error',
    async () => {
      const forged = {
        accessKeyId: 'AKIAFLOODFLOODFLOOD1',
        secretAccessKey: 'flood-secret-0123456789abcdefghijklmnopq',
      };
      for (let i = 0; i < 30; i++) {
        const answer = await signedRequest(server.endpoint, forged, {
          service: 'ssm',
          target: 'AmazonSSM.GetParameter',
          body: JSON.stringify({ Name: `/flood/${i}` }),
        });
        assert.equal(answer.status, 400);
      }
      const ct = new CloudTrailClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: ROOT });
      try {
        const lookup = async (name: string, value: string) =>
          (
            (
              await ct.send(
                new LookupEventsCommand({
                  LookupAttributes: [{ AttributeKey: name as 'EventName', AttributeValue: value }],
                  MaxResults: 50,
                }),
              )
            ).Events ?? []
          ).map((e) => JSON.parse(e.CloudTrailEvent!) as CloudTrailRecord);
        const one = await lookup('AccessKeyId', forged.accessKeyId);
        assert.equal(one.length, 5, 'five recorded one by one');
        assert.ok(one.every((r) => r.errorCode === 'UnrecognizedClientException' && r.sourceIPAddress === '127.0.0.1'));
        const summary = await until(
          "the window's summary",
          async () => (await lookup('EventName', 'FailedAuthenticationSummary'))[0],
        );
        assert.equal(summary!.sourceIPAddress, '127.0.0.1');
        assert.equal(summary!.eventType, 'AwsServiceEvent');
        assert.equal(summary!.errorCode, 'UnrecognizedClientException');
        assert.deepEqual(
          { ...summary!.serviceEventDetails, firstEventTime: undefined, lastEventTime: undefined },
          {
            suppressedEvents: 25,
            claimedAccessKeyId: forged.accessKeyId,
            errorCodes: ['UnrecognizedClientException'],
            recordedOneByOne: 5,
            windowSeconds: 0.5,
            firstEventTime: undefined,
            lastEventTime: undefined,
          },
        );
      } finally {
        ct.destroy();
      }
    },
  );
});
