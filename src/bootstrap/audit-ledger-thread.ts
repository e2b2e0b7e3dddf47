/**
 * The audit ledger's thread (a worker_threads entry point): it opens the trail's own storage,
 * serves the Ledger's calls from the server's thread (threaded-ledger.ts), and, given the
 * process's audit journal, tails it into the chain every few milliseconds, and adopts the
 * journals of processes that stopped. So chaining, hashing, sealing and committing events cost
 * the requests' thread only a journal write. It is given the row key and the signing key as
 * KeyObjects, never as bytes.
 */
import type { KeyObject } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { AuditSigner } from '../crypto/audit-signer.js';
import { rowAuthenticatorFrom } from '../crypto/row-authenticator.js';
import { AuditLedger, type Ledger } from '../engine/audit/audit-ledger.js';
import { JournalTail } from '../engine/audit/journal-tail.js';
import { AuditJournalReader, orphanedInstances } from '../storage/audit-journal.js';
import { openAuditStorage, type StorageLocation } from '../storage/open-storage.js';
import { describeError, type LedgerCall, type LedgerReply } from './ledger-messages.js';

/** What the server's thread gives the ledger's. */
export interface LedgerThreadData {
  readonly location: StorageLocation;
  readonly rowKey: KeyObject;
  readonly signingKey: KeyObject;
  readonly retentionDays: number;
  /** The process's audit journal, to tail. */
  readonly journal?: { readonly dir: string; readonly instance: string };
}

/**
 * How often the journal is read into the chain. Lookups catch up first, so this sets only the
 * size of a group: fewer, larger commits cost the thread less (10 ms: ~62 µs of CPU per event
 * under load; 50 ms: ~53 µs; measured with bench/audit.ts's load).
 */
const TAIL_MS = 50;
const ADOPT_MS = 30_000;
const HEARTBEAT_MS = 10_000;

async function serve(data: LedgerThreadData): Promise<void> {
  const port = parentPort!;
  const tell = (reply: LedgerReply) => port.postMessage(reply);
  let ledger: AuditLedger;
  try {
    const storage = await openAuditStorage(data.location);
    storage.useIntegrity(rowAuthenticatorFrom(data.rowKey));
    await storage.migrate();
    ledger = new AuditLedger(storage, AuditSigner.fromTransferred(data.signingKey), {
      retentionDays: data.retentionDays,
    });
  } catch (error) {
    tell({ ready: false, error: describeError(error) });
    return;
  }
  const timers: NodeJS.Timeout[] = [];
  const rowKey = rowAuthenticatorFrom(data.rowKey);
  const journal = data.journal;
  const own = journal ? new AuditJournalReader(journal.dir, journal.instance, rowKey) : undefined;
  const tail = own
    ? new JournalTail(ledger, own, (error) => tell({ notice: 'problem', error: describeError(error) }))
    : undefined;
  let failing = false;
  const catchUp = async () => {
    if (!tail) return;
    try {
      await tail.catchUp();
      if (failing) tell({ notice: 'chain-ok' });
      failing = false;
    } catch (error) {
      if (!failing) tell({ notice: 'chain-failed', error: describeError(error) });
      failing = true;
      throw error;
    }
  };
  const adoptOrphans = async () => {
    for (const instance of orphanedInstances(journal!.dir, journal!.instance))
      await tail!.adopt(new AuditJournalReader(journal!.dir, instance, rowKey));
  };
  const problem = (error: unknown) => tell({ notice: 'problem', error: describeError(error) });
  if (tail) {
    const every = (ms: number, work: () => Promise<void> | void, onError: (error: unknown) => void) => {
      timers.push(setInterval(() => void Promise.resolve().then(work).catch(onError), ms));
    };
    // A failing tail says so once (chain-failed), not every 50 ms.
    every(TAIL_MS, catchUp, () => {});
    every(ADOPT_MS, adoptOrphans, problem);
    every(HEARTBEAT_MS, () => own!.heartbeat(), problem);
  }
  // Every call but an append sees the chain caught up with the journal first.
  const served: Ledger = {
    append: (entries, sync) => ledger.append(entries, sync),
    catchUp,
    sync: () => ledger.sync(),
    seal: async (now) => {
      await catchUp();
      return ledger.seal(now);
    },
    prune: async (now) => {
      await catchUp();
      return ledger.prune(now);
    },
    indexResources: async () => {
      await catchUp();
      return ledger.indexResources();
    },
    readActivity: async (...args) => {
      await catchUp();
      return ledger.readActivity(...args);
    },
    lookup: async (query) => {
      await catchUp();
      return ledger.lookup(query);
    },
    verify: async (range) => {
      await catchUp();
      return ledger.verify(range);
    },
    exportPage: async (range, cursor) => {
      await catchUp();
      return ledger.exportPage(range, cursor);
    },
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      // Everything chained and on disk: the journal goes (left behind, the next start takes it over).
      await tail?.finish().catch(problem);
      await ledger.close();
    },
  };
  tell({ ready: true });
  // After ready, so the server's thread hears of what an adoption finds.
  if (tail) void adoptOrphans().catch(problem);
  port.on('message', (call: LedgerCall) => {
    const method = served[call.method] as (...args: unknown[]) => Promise<unknown>;
    method(...call.args)
      .then(
        (value) => tell({ id: call.id, value }),
        (error: unknown) => tell({ id: call.id, error: describeError(error) }),
      )
      .finally(() => {
        if (call.method === 'close') port.close();
      });
  });
}

void serve(workerData as LedgerThreadData);
