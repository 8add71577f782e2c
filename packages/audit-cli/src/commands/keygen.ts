import { mkdir, open, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readErrorCode } from '@kora/audit-sink/reader';
import { formatVerifierKey, generateSealKey, isNoteKeyName, privateKeyPem, publicKeyPem } from '@kora/audit-seal';
import { writeText } from '../cli-io.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { EXIT_OK } from '../exit-codes.js';
import { parseCommandLine } from '../parse-arguments.js';
import { UsageError } from '../usage-error.js';

const options = {
  out: { type: 'string', value: 'DIR', description: 'the directory for the key files (required)' },
  name: { type: 'string', value: 'NAME', description: "the key's name in signature lines (default kora-audit@<this host's name>)" },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit keygen --out DIR [--name NAME]

Make a new Ed25519 key for signing checkpoints of the audit file, and write it to DIR
(created with mode 0700 if missing):

  seal-key.pem      the private key, PKCS#8 PEM, mode 0600: keep it secret
  seal-key.pub.pem  the public key, SPKI PEM, for openssl and other tools
  seal-key.vkey     the verifier key NAME+KEYID+KEY, for signed-note readers such as Go's

NAME is the key's name in signature lines (default kora-audit@<this host's name>): not
empty, no spaces, no '+'; a schema-less URL such as audit.example.com/host-7 is recommended.
An existing key is never overwritten: the command refuses and exits 2. The private key is
never printed.`,
  options,
);

const FILES = { privateKey: 'seal-key.pem', publicKey: 'seal-key.pub.pem', verifierKey: 'seal-key.vkey' } as const;

/** Create `path` with `text`, failing if it exists; the mode is set whatever the umask. */
async function writeNewFile(path: string, text: string, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.chmod(mode);
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function fileError(error: unknown, path: string): UsageError {
  const code = readErrorCode(error);
  if (code === 'EEXIST')
    return new UsageError(`${path} already exists: refusing to overwrite a key (move it away or choose another --out)`);
  return new UsageError(`cannot write ${path}: ${code ?? (error instanceof Error ? error.message : String(error))}`);
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() => parseArgs({ args: [...args], options: parseArgsOptions(options), strict: true }));
  if (values.out === undefined || values.out.trim() === '') throw new UsageError('--out DIR is required (the directory for the key files)');
  const name = values.name ?? `kora-audit@${hostname()}`;
  if (!isNoteKeyName(name)) {
    throw new UsageError(
      `${values.name === undefined ? 'the default name' : '--name'} '${name}' is not a key name: it must be non-empty, without spaces, '+' or control characters`,
    );
  }
  const dir = resolve(io.cwd, values.out);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw fileError(error, dir);
  }
  const key = generateSealKey();
  const files: [path: string, text: string, mode: number][] = [
    // The private key first: creating it exclusively is what refuses to replace a key.
    [join(dir, FILES.privateKey), privateKeyPem(key.privateKey), 0o600],
    [join(dir, FILES.publicKey), publicKeyPem(key.publicKey), 0o644],
    [join(dir, FILES.verifierKey), `${formatVerifierKey(name, key.publicKey)}\n`, 0o644],
  ];
  const written: string[] = [];
  for (const [path, text, mode] of files) {
    try {
      await writeNewFile(path, text, mode);
      written.push(path);
    } catch (error) {
      // Half a key pair is worse than none: take back what this run wrote.
      await Promise.all(written.map(async (done) => unlink(done).catch(() => undefined)));
      throw fileError(error, path);
    }
  }
  const [privatePath, publicPath, verifierPath] = written;
  await writeText(
    io.stdout,
    `wrote ${privatePath} (private key, mode 0600: keep it secret)\n` +
      `wrote ${publicPath} (public key)\n` +
      `wrote ${verifierPath} (verifier key):\n` +
      `${formatVerifierKey(name, key.publicKey)}\n`,
  );
  return EXIT_OK;
}

/** `kora-audit keygen`: a new Ed25519 key for signing checkpoints, written as PEM and a verifier key. */
export const keygenCommand: Command = {
  name: 'keygen',
  usage,
  options,
  run,
};
