/**
 * One of two processes racing to write a file profile (file-store.test.ts): waits for the start
 * time it is given, writes from the version it is given, and prints what happened as JSON.
 * Arguments: a JSON object { configHome, app, profile, expectedVersion, owner, startAt }.
 */
import { profiles } from '../../../src/client/index.js';

const args = JSON.parse(process.argv[2]!) as {
  configHome: string;
  app: string;
  profile: string;
  expectedVersion: string;
  owner: string;
  startAt: number;
};
const store = profiles(args.app, { store: `file:${args.configHome}` });
await new Promise((resolve) => setTimeout(resolve, Math.max(0, args.startAt - Date.now())));
try {
  const { version } = await store.write(args.profile, { owner: args.owner }, { expectedVersion: args.expectedVersion });
  console.log(JSON.stringify({ ok: true, version }));
} catch (error) {
  const e = error as { code?: string; message: string };
  console.log(JSON.stringify({ ok: false, code: e.code, message: e.message }));
}
