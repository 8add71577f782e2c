import { setTimeout as delay } from 'node:timers/promises';
import type { Sealer, SealPass } from './open-sealer.js';

/** Options of {@link followSeal}. */
export interface FollowSealOptions {
  /** Time between the starts of two passes (default 1000 ms): a checkpoint at least this often while rows arrive. */
  readonly intervalMs?: number | undefined;
  /** Ends the loop after the pass under way. */
  readonly signal: AbortSignal;
  /** Called after each pass; the next pass waits for what it returns. */
  readonly onPass?: ((pass: SealPass) => void | Promise<void>) | undefined;
}

/**
 * Seal, then seal again every `intervalMs` until the signal aborts. A pass that takes longer
 * than the interval is followed at once by the next, so a busy file is sealed as fast as it can
 * be read. Rejects with the first pass's error (a {@link SealError} stops sealing for good).
 */
export async function followSeal(sealer: Sealer, { intervalMs = 1_000, signal, onPass }: FollowSealOptions): Promise<void> {
  while (!signal.aborted) {
    const started = Date.now();
    const pass = await sealer.seal(signal);
    await onPass?.(pass);
    const wait = intervalMs - (Date.now() - started);
    if (wait > 0 && !signal.aborted) await sleep(wait, signal);
  }
}

/** Wait `ms`, or less when the signal aborts first; never rejects. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
