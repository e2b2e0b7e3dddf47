/**
 * What a running `coffer serve` leaves in its data directory for the commands that look for it
 * (`coffer env`, `coffer reset`): `server.json`, its URL and pid, 0600, removed when it stops.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServerState {
  readonly url: string;
  readonly pid: number;
  readonly startedAt: string;
}

const fileIn = (dataDir: string) => join(dataDir, 'server.json');

export function writeServerState(dataDir: string, state: ServerState): void {
  writeFileSync(fileIn(dataDir), `${JSON.stringify(state)}\n`, { mode: 0o600 });
}

export function removeServerState(dataDir: string, pid: number): void {
  if (readServerState(dataDir)?.pid === pid) rmSync(fileIn(dataDir), { force: true });
}

/** The server running on `dataDir`, if one is (a state left by one that died is ignored). */
export function runningServer(dataDir: string): ServerState | undefined {
  const state = readServerState(dataDir);
  // Our own pid in the file is a server that died before us (a container's pid 1, restarted).
  if (!state || state.pid === process.pid) return undefined;
  try {
    process.kill(state.pid, 0);
    return state;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? state : undefined;
  }
}

function readServerState(dataDir: string): ServerState | undefined {
  try {
    const state = JSON.parse(readFileSync(fileIn(dataDir), 'utf8')) as Partial<ServerState>;
    return typeof state.url === 'string' && typeof state.pid === 'number' ? (state as ServerState) : undefined;
  } catch {
    return undefined;
  }
}
