/**
 * What the server answers without authentication besides its APIs: the health document (every
 * service and its state, at /health and, for tools written for LocalStack, at
 * /_localstack/health, in LocalStack's shape plus Coffer's own fields) and a short page for a
 * person who opens the server's URL in a browser. Neither says anything of the store's contents.
 */

/** What the health document reports. */
export interface HealthFacts {
  readonly services: readonly string[];
  readonly version: string;
  readonly store: string;
  /** Whether the audit trail takes events (while it does not, every request is refused). */
  readonly trailHealthy: boolean;
}

/** LocalStack's `{"status", "services": {name: "running"}}`, with Coffer's version, store and audit state. */
export function healthDocument(facts: HealthFacts): string {
  const state = facts.trailHealthy ? 'running' : 'unavailable';
  return JSON.stringify({
    status: facts.trailHealthy ? 'ok' : 'degraded',
    services: Object.fromEntries(facts.services.map((s) => [s, state])),
    edition: 'coffer',
    version: facts.version,
    store: facts.store,
    audit: facts.trailHealthy ? 'ok' : 'refusing requests: the audit trail cannot chain events',
  });
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c]};`);

/** The page at GET /: what this is and how to point a client at it. */
export function rootPage(facts: HealthFacts, url: string): string {
  const u = escapeHtml(url);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Coffer ${escapeHtml(facts.version)}</title></head>
<body style="font-family: sans-serif; max-width: 48em; margin: 2em auto">
<h1>Coffer ${escapeHtml(facts.version)}</h1>
<p>Secrets and configuration with the AWS wire APIs: ${facts.services.map(escapeHtml).join(', ')}.
Store: ${escapeHtml(facts.store)}.
Every request must be signed (SigV4) with an access key of this server.</p>
<pre>eval "$(coffer env)"   # or: export AWS_ENDPOINT_URL=${u} AWS_DEFAULT_REGION=us-east-1 \\
                       #     AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...
aws ssm put-parameter --name /dev/app/key --value v --type SecureString
aws ssm get-parameter --name /dev/app/key --with-decryption
python3 -c 'import boto3; print(boto3.client("ssm", endpoint_url="${u}").describe_parameters())'</pre>
<p><a href="/health">/health</a> lists the services and their state;
<a href="/ready">/ready</a> says whether the store takes writes.</p>
</body></html>
`;
}
