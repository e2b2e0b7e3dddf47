/**
 * `npm test`'s runner: every test file under test/, two at a time. The PostgreSQL suites need
 * PostgreSQL on 127.0.0.1:5432 (COFFER_TEST_POSTGRES_URL); when it does not answer they are
 * skipped, said once here, unless COFFER_REQUIRE_POSTGRES=1 (CI's .ci/run sets it) makes that a
 * failure.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

const URL = process.env.COFFER_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresAnswers(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

function* testFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* testFiles(path);
    else if (name.endsWith('.test.ts')) yield path;
  }
}

// The AWS SDK's notice that its 2027 releases need Node 22, once per test process, is noise here
// (bin/coffer.js turns it off the same way).
const env: NodeJS.ProcessEnv = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env };
const down = await postgresAnswers();
if (down !== undefined) {
  if (process.env.COFFER_REQUIRE_POSTGRES === '1') {
    process.stderr.write(`PostgreSQL does not answer at ${URL} (${down}), and COFFER_REQUIRE_POSTGRES=1 needs it\n`);
    process.exit(1);
  }
  process.stderr.write(`PostgreSQL does not answer at ${URL} (${down}): the PostgreSQL suites are skipped\n`);
  env.COFFER_TEST_POSTGRES = 'off';
}
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...testFiles('test')],
  { stdio: 'inherit', env },
);
process.exit(run.status ?? 1);
