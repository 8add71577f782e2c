/** Something holding rows in memory that must reach the file before the process ends. */
export interface ExitFlushable {
  flushSync(): void;
}

const registered = new Set<ExitFlushable>();
let installed = false;

function flushAll(): void {
  for (const sink of registered) sink.flushSync();
}

function onSignal(signal: NodeJS.Signals): void {
  flushAll();
  // Listening for a signal cancels Node's default exit; when nobody else listens,
  // restore the default and re-raise so the process still ends as it would have.
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('beforeExit', flushAll);
  process.on('exit', flushAll);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Flush `sink` on `beforeExit`, `exit`, SIGINT and SIGTERM until it is unregistered. */
export function registerExitFlush(sink: ExitFlushable): void {
  install();
  registered.add(sink);
}

/** Stop flushing `sink` at exit (it was closed). */
export function unregisterExitFlush(sink: ExitFlushable): void {
  registered.delete(sink);
}
