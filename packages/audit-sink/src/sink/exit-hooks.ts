import type { CloseTrigger } from '../lifecycle/loss-reasons.js';

/** Something holding rows in memory that must reach the file before the process ends. */
export interface ExitFlushable {
  /** Write what waits; the process may still go on. */
  flushSync(): void;
  /** Write what waits and close for good: the process is ending, for `trigger`. */
  closeSync(trigger: CloseTrigger): void;
}

const registered = new Set<ExitFlushable>();
let installed = false;

function flushAll(): void {
  for (const sink of registered) sink.flushSync();
}

function closeAll(trigger: CloseTrigger): void {
  for (const sink of registered) sink.closeSync(trigger);
}

function onSignal(signal: NodeJS.Signals): void {
  // Listening for a signal cancels Node's default exit; when nobody else listens, restore the
  // default and re-raise so the process still ends as it would have, its sinks closed first.
  // When another listener decides what the signal means, the process may go on: flush only.
  if (process.listenerCount(signal) === 1) {
    closeAll(signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  } else {
    flushAll();
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('beforeExit', flushAll);
  process.on('exit', () => closeAll('exit'));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * Flush `sink` on `beforeExit`; close it on `exit`, and on SIGINT and SIGTERM when nothing
 * else listens for them (the signal then ends the process); until it is unregistered.
 */
export function registerExitFlush(sink: ExitFlushable): void {
  install();
  registered.add(sink);
}

/** Stop flushing `sink` at exit (it was closed). */
export function unregisterExitFlush(sink: ExitFlushable): void {
  registered.delete(sink);
}
