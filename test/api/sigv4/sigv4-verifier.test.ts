/**
 * SigV4: the canonicalisation against AWS's published test-suite vectors (aws-sig-v4-test-suite,
 * credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z, us-east-1, service "service"), and the verifier
 * against requests signed by @smithy/signature-v4, including every way a request can fail.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { canonicalQuery, canonicalRequest, sha256Hex, stringToSign } from '../../../src/api/sigv4/canonical-request.js';
import { deriveSigningKey, signatureFor } from '../../../src/api/sigv4/signing-key.js';
import { SigV4Verifier, type SignedRequest } from '../../../src/api/sigv4/sigv4-verifier.js';
import { expectError } from '../../helpers/expect-error.js';
import { NodeSha256 as Sha256 } from '../../helpers/node-sha256.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const VECTOR_DATE = '20150830T123600Z';

function vectorSignature(method: string, path: string, search: string): string {
  const headers = new Map([
    ['host', 'example.amazonaws.com'],
    ['x-amz-date', VECTOR_DATE],
  ]);
  const canonical = canonicalRequest({
    method,
    path,
    search,
    headers,
    signedHeaders: ['host', 'x-amz-date'],
    payloadHash: sha256Hex(''),
  });
  const key = deriveSigningKey(SECRET, '20150830', 'us-east-1', 'service');
  return signatureFor(key, stringToSign(VECTOR_DATE, '20150830/us-east-1/service/aws4_request', canonical));
}

describe('SigV4 canonicalisation: AWS test-suite vectors', () => {
  it('derives the published signing key', () => {
    assert.equal(
      deriveSigningKey(SECRET, '20150830', 'us-east-1', 'service').toString('hex'),
      '938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75',
    );
  });
  it('get-vanilla', () =>
    assert.equal(vectorSignature('GET', '/', ''), '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'));
  it('get-vanilla-query-order-key-case', () =>
    assert.equal(
      vectorSignature('GET', '/', '?Param2=value2&Param1=value1'),
      'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    ));
  it('post-vanilla', () =>
    assert.equal(vectorSignature('POST', '/', ''), '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'));
  it('get-utf8', () =>
    assert.equal(vectorSignature('GET', '/ሴ', ''), '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85'));
  it('sorts query parameters by name then value, encoding both', () => {
    assert.equal(canonicalQuery('?b=2&a=1&A=0&a=0&sp=a%20b&star=*'), 'A=0&a=0&a=1&b=2&sp=a%20b&star=%2A');
  });
});

const KEY = {
  accessKeyId: 'AKIAVERIFIERTEST0001',
  account: '123456789012',
  principalArn: 'arn:aws:iam::123456789012:root',
  ownerId: '123456789012',
  secretAccessKey: 'verifier-secret',
};
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

async function smithySigned(
  options: {
    body?: string;
    secret?: string;
    service?: string;
    date?: number;
    extraHeaders?: Record<string, string>;
  } = {},
): Promise<SignedRequest> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: options.secret ?? KEY.secretAccessKey },
    region: 'eu-west-1',
    service: options.service ?? 'ssm',
    sha256: Sha256,
  });
  const body = options.body ?? '{"Name":"/x"}';
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4566,
      path: '/',
      query: {},
      headers: {
        host: '127.0.0.1:4566',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonSSM.GetParameter',
        ...options.extraHeaders,
      },
      body,
    },
    { signingDate: new Date(options.date ?? NOW) },
  );
  const headers = new Map(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return { method: 'POST', path: '/', search: '', headers, body: Buffer.from(body) };
}

// Every case runs on a verifier that remembers verified requests too (the agent's): a request
// that differs in anything signed must never pass on a remembered one.
for (const memo of [0, 1000])
  describe(`SigV4Verifier${memo ? ', remembering verified requests' : ''}`, () => {
    let now = NOW;
    const verifier = new SigV4Verifier(
      async (id) => (id === KEY.accessKeyId ? KEY : undefined),
      new Set(['us-east-1', 'eu-west-1']),
      () => now,
      memo,
    );

    it('checks a replay for its date, and refuses a changed body even after the same request passed', async () => {
      const request = await smithySigned();
      await verifier.verify(request, ['ssm']);
      await verifier.verify(request, ['ssm']);
      const changed = { ...request, body: Buffer.from('{"Name":"/y"}') };
      await expectError(verifier.verify(changed, ['ssm']), 'InvalidSignatureException');
      const rerouted = { ...request, path: '/other' };
      await expectError(verifier.verify(rerouted, ['ssm']), 'InvalidSignatureException');
      now = NOW + 16 * 60_000;
      try {
        await expectError(verifier.verify(request, ['ssm']), 'InvalidSignatureException');
      } finally {
        now = NOW;
      }
    });

    it("accepts a request signed by @smithy/signature-v4, giving the caller and the scope's region", async () => {
      const caller = await verifier.verify(await smithySigned(), ['ssm']);
      assert.equal(caller.key.principalArn, KEY.principalArn);
      assert.equal(caller.region, 'eu-west-1');
    });

    it('accepts signatures up to 15 minutes old or early', async () => {
      await verifier.verify(await smithySigned({ date: NOW - 14 * 60_000 }), ['ssm']);
      await verifier.verify(await smithySigned({ date: NOW + 14 * 60_000 }), ['ssm']);
    });

    it('refuses an unsigned request', async () => {
      const request = await smithySigned();
      (request.headers as Map<string, string>).delete('authorization');
      await expectError(verifier.verify(request, ['ssm']), 'MissingAuthenticationTokenException');
    });

    it('refuses an unknown access key', async () => {
      const request = await smithySigned();
      (request.headers as Map<string, string>).set(
        'authorization',
        request.headers.get('authorization')!.replace(KEY.accessKeyId, 'AKIAUNKNOWNKEY000001'),
      );
      await expectError(
        verifier.verify(request, ['ssm']),
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    });

    it('refuses a wrong secret', async () => {
      await expectError(
        verifier.verify(await smithySigned({ secret: 'not-the-secret' }), ['ssm']),
        'InvalidSignatureException',
        /does not match the signature you provided/,
      );
    });

    it('refuses expired and not-yet-current signatures', async () => {
      await expectError(
        verifier.verify(await smithySigned({ date: NOW - 16 * 60_000 }), ['ssm']),
        'InvalidSignatureException',
        /^Signature expired: 20261122T114400Z is now earlier than 20261122T114500Z \(20261122T120000Z - 15 min\.\)$/,
      );
      await expectError(
        verifier.verify(await smithySigned({ date: NOW + 16 * 60_000 }), ['ssm']),
        'InvalidSignatureException',
        /^Signature not yet current: /,
      );
    });

    it('refuses a signature scoped to another service', async () => {
      await expectError(
        verifier.verify(await smithySigned({ service: 'secretsmanager' }), ['ssm']),
        'InvalidSignatureException',
        /scoped to correct service: 'ssm'/,
      );
    });

    it('refuses a tampered body', async () => {
      const request = await smithySigned();
      await expectError(
        verifier.verify({ ...request, body: Buffer.from('{"Name":"/y"}') }, ['ssm']),
        'InvalidSignatureException',
      );
    });

    it('refuses a tampered signed header', async () => {
      const request = await smithySigned();
      (request.headers as Map<string, string>).set('x-amz-target', 'AmazonSSM.DeleteParameter');
      await expectError(verifier.verify(request, ['ssm']), 'InvalidSignatureException');
    });

    it('refuses a malformed Authorization header', async () => {
      const request = await smithySigned();
      (request.headers as Map<string, string>).set(
        'authorization',
        'AWS4-HMAC-SHA256 Credential=AKIA/20261122/us-east-1/ssm/aws4_request',
      );
      await expectError(
        verifier.verify(request, ['ssm']),
        'IncompleteSignatureException',
        /'SignedHeaders', 'Signature'/,
      );
    });

    it('verifies session-token requests only when the token is signed', async () => {
      const signed = await smithySigned({ extraHeaders: { 'x-amz-security-token': 'token' } });
      assert.equal((await verifier.verify(signed, ['ssm'])).sessionToken, 'token');
      const request = await smithySigned();
      (request.headers as Map<string, string>).set('x-amz-security-token', 'sneaked-in');
      await expectError(verifier.verify(request, ['ssm']), 'InvalidSignatureException', /x-amz-security-token/);
    });
  });
