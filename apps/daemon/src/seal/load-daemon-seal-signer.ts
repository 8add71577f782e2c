import { resolve } from 'node:path';
import { loadSealSigner } from '@kora/audit-seal';
import type { NoteSigner } from '@kora/audit-seal';
import { readErrorCode } from '@kora/audit-sink/reader';

/**
 * The signer in the file `KORA_AUDIT_SEAL_KEY` names. Rejects with a message naming the
 * variable and the file, and why (an error code or what the file is not), never its bytes.
 */
export async function loadDaemonSealSigner(keyPath: string, name: string | undefined): Promise<NoteSigner> {
  const path = resolve(keyPath);
  try {
    return await loadSealSigner(path, name);
  } catch (error) {
    const code = readErrorCode(error);
    // loadSealSigner's own messages start with the path and say what the file is not.
    const reason =
      code !== undefined ? `cannot read it (${code})` : error instanceof Error ? error.message.replace(`${path}: `, '') : 'unreadable';
    throw new Error(`KORA_AUDIT_SEAL_KEY: ${path}: ${reason}; it must be the private key seal-key.pem from kora-audit keygen`);
  }
}
