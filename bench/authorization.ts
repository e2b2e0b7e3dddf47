/**
 * What authorization costs: GetParameter (SecureString, decrypted) through the real server as
 * root (no policy evaluation) and as a user holding 20 policies of 5 statements each, with
 * conditions and policy variables, in the same run, alternating rounds so drift hits both.
 */
import { AttachUserPolicyCommand, CreatePolicyCommand } from '@aws-sdk/client-iam';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { clientsFor, userWithKey } from '../test/helpers/identity-clients.js';
import { ROOT, startServer } from '../test/helpers/server-process.js';
import { drive, prepare, type LoadResult } from './load-generator.js';
import { fmt } from './measure.js';

const SECONDS = Number(process.env.BENCH_WIRE_SECONDS ?? 5);
const ROUNDS = 2;

/** Five statements; only the last grants the benchmark's read, so evaluation walks them all. */
function policy(i: number): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: `Team${i}Read`,
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'ssm:GetParameters'],
        Resource: `arn:aws:ssm:*:*:parameter/team-${i}/\${aws:username}/*`,
        Condition: { StringEquals: { 'aws:PrincipalTag/team': `team-${i}` } },
      },
      {
        Sid: `Team${i}Write`,
        Effect: 'Allow',
        Action: 'ssm:PutParameter',
        Resource: `arn:aws:ssm:*:*:parameter/team-${i}/*`,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: `NoDelete${i}`,
        Effect: 'Deny',
        Action: 'ssm:DeleteParameter*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:PrincipalTag/role': 'admin' } },
      },
      {
        Sid: `Kms${i}`,
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: 'arn:aws:kms:*:*:key/*',
        Condition: { StringEquals: { 'kms:ViaService': "${aws:RequestedRegion, 'x'}" } },
      },
      {
        Sid: `Bench${i}`,
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'kms:Decrypt'],
        Resource: ['arn:aws:ssm:*:*:parameter/bench/app/*', 'arn:aws:kms:*:*:key/*'],
        Condition: { StringLike: { 'aws:PrincipalTag/team': 'team-*' }, IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } },
      },
    ],
  });
}

export async function runAuthorizationBench(): Promise<void> {
  console.log(
    `\nAuthorization benchmark: GetParameter as root vs a user with 20 policies x 5 statements, ${SECONDS}s per run\n`,
  );
  const server = await startServer({ args: ['--quiet'] });
  const root = clientsFor(server);
  try {
    await root.ssm.send(
      new PutParameterCommand({ Name: '/bench/app/p0001', Value: 'secret-value', Type: 'SecureString' }),
    );
    const inline = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`inline-${i}`, JSON.parse(policy(i))]));
    const user = await userWithKey(root.iam, 'bench-user', inline, { team: 'team-7', role: 'reader' });
    for (let i = 10; i < 20; i++) {
      const arn = (
        await root.iam.send(new CreatePolicyCommand({ PolicyName: `managed-${i}`, PolicyDocument: policy(i) }))
      ).Policy!.Arn!;
      await root.iam.send(new AttachUserPolicyCommand({ UserName: 'bench-user', PolicyArn: arn }));
    }
    const input = { Name: '/bench/app/p0001', WithDecryption: true };
    const best = new Map<string, LoadResult>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const connections of [8, 32]) {
        for (const [who, credentials] of [
          ['root', ROOT],
          ['20-policy user', user],
        ] as const) {
          const requests = await Promise.all(
            Array.from({ length: connections }, () =>
              prepare(server.endpoint, credentials, 'AmazonSSM.GetParameter', input),
            ),
          );
          const r = await drive(server.endpoint, requests, connections, SECONDS);
          if (r.errors > 0) throw new Error(`${who}: ${r.errors} requests failed; the policies should allow this read`);
          const key = `${who}@${connections}`;
          if (!best.has(key) || best.get(key)!.perSecond < r.perSecond) best.set(key, r);
          console.log(
            `round ${round}  ${who.padEnd(15)} ${String(connections).padStart(2)} conn ` +
              `${fmt(r.perSecond).padStart(8)} req/s  p50 ${fmt(r.p50Ms)} ms  p99 ${fmt(r.p99Ms)} ms`,
          );
        }
      }
    }
    console.log('\nAuthorization cost (best of the rounds): user req/s relative to root');
    for (const connections of [8, 32]) {
      const r = best.get(`root@${connections}`)!;
      const u = best.get(`20-policy user@${connections}`)!;
      console.log(
        `  ${String(connections).padStart(2)} conn: root ${fmt(r.perSecond)} req/s, user ${fmt(u.perSecond)} req/s, ` +
          `cost ${fmt((1 - u.perSecond / r.perSecond) * 100)}% of throughput`,
      );
    }
  } finally {
    root.destroy();
    await server.stop();
  }
}
