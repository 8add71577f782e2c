import { listChain, openChainFile, sameIdentity } from '@kora/audit-sink/reader';
import type { OpenChainFile } from '@kora/audit-sink/reader';
import { UsageError } from './usage-error.js';

/**
 * Open every file of the audit file's chain, oldest first, before reading any: a rotation
 * meanwhile renames them, and an open file is read whatever its name. Tried again when one was
 * renamed between listing and opening. A missing or unreadable file is a usage error.
 */
export async function openAuditChain(path: string): Promise<OpenChainFile[]> {
  for (let attempt = 0; ; attempt += 1) {
    let listed;
    try {
      listed = await listChain(path);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    if (listed.length === 0) throw new UsageError(`${path}: no such file`);
    const opened: OpenChainFile[] = [];
    let moved = false;
    try {
      for (const file of [...listed].reverse()) {
        const open = await openChainFile(path, file.index, file.identity);
        if (open === null || !sameIdentity(open.identity, file.identity)) {
          moved = true;
          break;
        }
        opened.push(open);
      }
    } catch (error) {
      await Promise.all(opened.map((file) => file.handle.close()));
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    if (!moved) return opened;
    await Promise.all(opened.map((file) => file.handle.close()));
    if (attempt === 2) throw new UsageError(`${path}: the files kept rotating while they were opened; run the command again`);
  }
}
