/**
 * On the first SIGINT or SIGTERM, tell `onSignal`, run `shutdown` and exit: 0 once it has
 * finished, 1 if it failed. Signals that arrive while it runs are ignored: one Ctrl-C often
 * arrives more than once (the terminal sends it to the whole process group, and `pnpm` and
 * `tsx` pass it on to their child as well), and a second one must not cut the audit file's
 * flush short or turn a clean stop into a failed one.
 */
export function stopOnSignals(shutdown: () => Promise<void>, onSignal?: (signal: NodeJS.Signals) => void): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    onSignal?.(signal);
    shutdown().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
