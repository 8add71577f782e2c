import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatVerifierKey, generateSealKey, privateKeyPem } from '@kora/audit-seal';
import { readErrorCode } from '@kora/audit-sink/reader';
import { ensurePrivateFile } from '../files/ensure-private-paths.js';

/** The name the demo's key signs checkpoints with. */
export const DEMO_SEAL_KEY_NAME = 'kora-audit-demo';

/** The demo's sealing key files in its home. */
export interface DemoSealKey {
  /** The private key, as `kora-audit keygen` writes it. */
  readonly privateKeyPath: string;
  /** The verifier key `NAME+KEYID+KEY`, for checkers. */
  readonly verifierKeyPath: string;
}

/**
 * The demo's key for sealing its audit file, as `kora-audit keygen --out home` would make it:
 * `seal-key.pem` and `seal-key.vkey`. A key left in `home` by an earlier run is kept, so the
 * audit file it sealed stays sealed by one key. Both files are 0600, as every file of the home.
 */
export function ensureDemoSealKey(home: string): DemoSealKey {
  const privateKeyPath = join(home, 'seal-key.pem');
  const verifierKeyPath = join(home, 'seal-key.vkey');
  const key = generateSealKey();
  if (writeNew(privateKeyPath, privateKeyPem(key.privateKey))) {
    // A fresh private key replaces whatever verifier key was there.
    writeFileSync(verifierKeyPath, `${formatVerifierKey(DEMO_SEAL_KEY_NAME, key.publicKey)}\n`, { mode: 0o600 });
  }
  for (const path of [privateKeyPath, verifierKeyPath]) ensurePrivateFile(path);
  return { privateKeyPath, verifierKeyPath };
}

/** Create `path` with `text`; false when it exists. */
function writeNew(path: string, text: string): boolean {
  try {
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
    return true;
  } catch (error) {
    if (readErrorCode(error) === 'EEXIST') return false;
    throw error;
  }
}
