import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Call `onChange` when anything in the audit file's directory changes: the directory, not the
 * file, because rotation renames the file and the new one must be seen. Returns how to stop
 * watching. Polling goes on regardless; a watch that cannot start or fails only makes it
 * slower to notice.
 */
export function watchAuditDirectory(path: string, onChange: () => void): { close(): void } {
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, onChange);
    watcher.on('error', () => {
      watcher?.close();
      watcher = undefined;
    });
  } catch {
    watcher = undefined;
  }
  return { close: () => watcher?.close() };
}
