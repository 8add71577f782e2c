import { setTimeout as delay } from 'node:timers/promises';
import { SealError, followSeal, openSealer, sealPaths } from '@kora/audit-seal';
import type { CheckpointRecord, NoteSigner, Sealer, SealerPosition, SealPass } from '@kora/audit-seal';
import type { AuditLogger } from '@kora/audit-sink';
import { readErrorCode } from '@kora/audit-sink/reader';
import { countUnsealedBytes } from './count-unsealed-bytes.js';
import type { SealStatus } from './seal-status.js';

/** What {@link startAuditSeal} needs. */
export interface AuditSealOptions {
  /** The live audit file the sink writes, an absolute path. */
  readonly path: string;
  readonly signer: NoteSigner;
  /** Time between the starts of two passes. */
  readonly intervalMs: number;
  readonly logger: AuditLogger;
  /**
   * Called with each checkpoint the daemon appends, in order, one at a time, after it is in
   * the checkpoints file: the place to anchor checkpoints elsewhere (a database table). Its
   * failure is logged (`[kora.seal.checkpoint_hook_failed]`) and does not stop sealing.
   */
  readonly onCheckpoint?: ((record: CheckpointRecord) => Promise<void> | void) | undefined;
  /** Wait before opening the seal again after a pass failed for another reason than a mismatch (default 5 s, doubling to 1 min). */
  readonly retryMs?: number | undefined;
  readonly now?: (() => number) | undefined;
}

/** The daemon's sealer, running in the background. */
export interface AuditSeal {
  /** Where sealing stands; reads the sizes of the chain's files. */
  status(): Promise<SealStatus>;
  /** Stop after the pass under way, seal once more (the sink's last rows), and close the seal's files. */
  stop(): Promise<void>;
}

const DEFAULT_RETRY_MS = 5_000;
const MAX_RETRY_MS = 60_000;

/**
 * Open the seal of the daemon's audit file and keep sealing it, a pass every `intervalMs`, as
 * `kora-audit seal --follow` does. Rejects when the seal cannot be opened for a reason an
 * operator must fix first (another sealer holds it, a file cannot be opened). A
 * {@link SealError} (the file no longer matches its seal) does not reject and does not stop
 * the daemon: it is logged as `[kora.seal.failed]` once, shown as `failed`, and nothing more is
 * signed until a restart. Any other failure of a pass closes the seal and opens it again after
 * a wait (sealing is crash-safe: the saved state is where it resumes).
 */
export async function startAuditSeal(options: AuditSealOptions): Promise<AuditSeal> {
  const { path, logger } = options;
  const now = options.now ?? Date.now;
  const sealerLogger = { info: (message: string) => logger.info(message), warn: (message: string) => logger.warn(message) };
  const open = (): Promise<Sealer> => openSealer({ path, signer: options.signer, logger: sealerLogger, now });
  const startedAt = now();
  const stopping = new AbortController();
  let state: 'sealing' | 'failed' = 'sealing';
  let error: string | undefined;
  let sealer: Sealer | undefined;
  let lastSeen: Pick<SealStatus, 'origin' | 'key'> & { checkpoint: CheckpointRecord | null } = {
    origin: null,
    key: null,
    checkpoint: null,
  };
  let openCheck: SealStatus['open_check'] = null;
  // Where the sealer stood when last asked: kept once it is closed.
  let position: SealerPosition | null = null;
  // The newest checkpoint found at open: the first passes bring the tree to it and compare roots.
  let toCheck: CheckpointRecord | null = null;

  const fail = (reason: SealError): void => {
    state = 'failed';
    error = reason.message;
    if (openCheck === null) openCheck = { result: 'mismatch', size: toCheck?.size ?? 0, checked_at: new Date(now()).toISOString() };
    logError(
      logger,
      `[kora.seal.failed] path=${path} reason=${reason.message} (nothing more is signed until the daemon restarts; run kora-audit verify)`,
    );
  };
  const opened = (next: Sealer): void => {
    sealer = next;
    const status = next.status();
    lastSeen = { origin: status.origin, key: status.key, checkpoint: status.lastCheckpoint };
    toCheck = openCheck === null ? status.lastCheckpoint : null;
    if (openCheck === null && toCheck === null) {
      openCheck = { result: 'no_checkpoint', size: 0, checked_at: new Date(now()).toISOString() };
    }
  };

  let anchoring: Promise<void> = Promise.resolve();
  const onPass = (pass: SealPass): void => {
    if (toCheck !== null && pass.size >= toCheck.size) {
      openCheck = { result: 'matched', size: toCheck.size, checked_at: new Date(now()).toISOString() };
      toCheck = null;
    }
    error = undefined;
    const { checkpoint } = pass;
    if (checkpoint === null) return;
    lastSeen = { ...lastSeen, checkpoint };
    const hook = options.onCheckpoint;
    if (hook === undefined) return;
    anchoring = anchoring.then(async () => {
      try {
        await hook(checkpoint);
      } catch (hookError) {
        logger.warn(`[kora.seal.checkpoint_hook_failed] size=${checkpoint.size} error=${describeError(hookError)}`);
      }
    });
  };

  try {
    opened(await open());
  } catch (openError) {
    if (!(openError instanceof SealError)) {
      throw new Error(
        `KORA_AUDIT_SEAL_KEY is set but ${path} cannot be sealed: ${openError instanceof Error ? openError.message : 'unknown error'}`,
      );
    }
    fail(openError);
  }

  const run = async (): Promise<void> => {
    let retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
    while (state === 'sealing' && !stopping.signal.aborted) {
      try {
        sealer ??= await reopen(open, opened);
        await followSeal(sealer, { intervalMs: options.intervalMs, signal: stopping.signal, onPass });
        retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
      } catch (passError) {
        if (passError instanceof SealError) {
          fail(passError);
          break;
        }
        // A disk error, say: start over from the saved state, after a wait.
        error = `sealing paused (${describeError(passError)}); trying again in ${Math.round(retryMs / 1000)} s`;
        logger.warn(`[kora.seal.pass_failed] path=${path} error=${describeError(passError)} retry_in_ms=${retryMs}`);
        position = sealer?.status().position ?? position;
        await sealer?.close().catch(() => undefined);
        sealer = undefined;
        await wait(retryMs, stopping.signal);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    }
  };
  const running = run();

  return {
    async status() {
      position = sealer?.status().position ?? position;
      const checkpoint = lastSeen.checkpoint;
      const unsealed = await countUnsealedBytes(path, position).catch(() => 0);
      const since = checkpoint === null ? startedAt : Date.parse(checkpoint.sealed_at);
      return {
        enabled: true,
        state,
        origin: lastSeen.origin,
        key: lastSeen.key ?? null,
        size: checkpoint?.size ?? 0,
        root: checkpoint?.root ?? null,
        last_checkpoint_at: checkpoint?.sealed_at ?? null,
        unsealed_bytes: unsealed,
        lag_seconds: unsealed > 0 ? Math.max(0, Math.floor((now() - since) / 1000)) : 0,
        open_check: openCheck,
        checkpoints: sealPaths(path).checkpoints,
        ...(error === undefined ? {} : { error }),
      };
    },
    async stop() {
      stopping.abort();
      await running;
      if (state === 'sealing' && sealer !== undefined) {
        try {
          onPass(await sealer.seal());
        } catch (passError) {
          if (passError instanceof SealError) fail(passError);
          else logger.warn(`[kora.seal.pass_failed] path=${path} error=${describeError(passError)}`);
        }
      }
      await anchoring;
      position = sealer?.status().position ?? position;
      await sealer?.close();
      sealer = undefined;
    },
  };
}

async function reopen(open: () => Promise<Sealer>, opened: (sealer: Sealer) => void): Promise<Sealer> {
  const sealer = await open();
  opened(sealer);
  return sealer;
}

/** pino's `error` level when the logger has one; the sink's logger interface has info and warn. */
function logError(logger: AuditLogger, message: string): void {
  const withError = logger as AuditLogger & { error?: unknown };
  if (typeof withError.error === 'function') (withError.error as (line: string) => void).call(logger, message);
  else logger.warn(message);
}

/** An error's code (`EIO`, `ENOSPC`) or its class name, never its message. */
function describeError(error: unknown): string {
  return readErrorCode(error) ?? (error instanceof Error ? error.name : 'Error');
}

/** Wait `ms`, or less when the signal aborts first; never rejects. */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
