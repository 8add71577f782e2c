/** Something holding a file open that logrotate may rename away. */
export interface HangupReopenable {
  reopen(): void;
}

const registered = new Set<HangupReopenable>();

function reopenAll(): void {
  for (const target of registered) {
    try {
      target.reopen();
    } catch {
      // One target failing to let go of its file must not keep the others on the old one.
    }
  }
}

/**
 * Reopen `target`'s file whenever the process receives SIGHUP (logrotate's `postrotate`
 * sends it after renaming the file and creating a new one), until it is unregistered.
 *
 * One process-level listener serves every registered target; it is added with the first and
 * removed with the last. While it is installed SIGHUP no longer ends the process (a listener
 * replaces Node's default action): a process that writes an audit file is expected to be a
 * daemon that survives its log being rotated. Once no target is left, SIGHUP ends the
 * process again. The listener never keeps the process alive.
 */
export function registerHangupReopen(target: HangupReopenable): void {
  registered.add(target);
  if (registered.size === 1) process.on('SIGHUP', reopenAll);
}

/** Stop reopening `target` on SIGHUP (it was closed). */
export function unregisterHangupReopen(target: HangupReopenable): void {
  if (!registered.delete(target)) return;
  if (registered.size === 0) process.removeListener('SIGHUP', reopenAll);
}
