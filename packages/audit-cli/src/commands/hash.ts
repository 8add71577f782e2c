import { parseArgs } from 'node:util';
import { createArgsDigester } from '@kora/audit-sink';
import type { ArgsDigester } from '@kora/audit-sink';
import { writeText } from '../cli-io.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { EXIT_OK } from '../exit-codes.js';
import { parseCommandLine } from '../parse-arguments.js';
import { readBoundedInput } from '../read-bounded-input.js';
import { UsageError } from '../usage-error.js';

const options = {
  args: {
    type: 'string',
    value: 'JSON',
    description: "the tool call's arguments as JSON, or - to read them from standard input (required)",
  },
  'key-file': { type: 'string', value: 'FILE', description: 'a file holding the key as base64 (default: KORA_AUDIT_HMAC_KEY)' },
  'key-id': {
    type: 'string',
    value: 'ID',
    description: "the key's id (default: KORA_AUDIT_HMAC_KEY_ID with the variable's key, else the key's SHA-256 prefix)",
  },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit hash --args JSON|- [--key-file FILE] [--key-id ID]

Print the args_digest a tool call with these arguments gets in mcp.tool_called and
reasoning.tool_called rows under this key: hmac-sha256:<key id>:<digest>, the HMAC-SHA256 of
the arguments' RFC 8785 canonical JSON. Equal to a row's args_digest, it proves which arguments
ran; key order and number spelling do not matter.

The key is base64 of at least 32 bytes, read from FILE or from KORA_AUDIT_HMAC_KEY; it is
never printed. To check a digest made under a retired key, pass that key's file.`,
  options,
);

/** Largest arguments text or key file read. */
const MAX_ARGS_BYTES = 16 * 1024 * 1024;
const MAX_KEY_FILE_BYTES = 4096;

async function readDigester(values: { 'key-file'?: string | undefined; 'key-id'?: string | undefined }, io: CliIo): Promise<ArgsDigester> {
  let key: string;
  let keyId = values['key-id'];
  if (values['key-file'] !== undefined) {
    key = (await readBoundedInput('--key-file', values['key-file'], io, MAX_KEY_FILE_BYTES)).toString('utf8');
  } else {
    const fromEnv = io.env.KORA_AUDIT_HMAC_KEY?.trim();
    if (fromEnv === undefined || fromEnv === '') throw new UsageError('no key: pass --key-file FILE or set KORA_AUDIT_HMAC_KEY');
    key = fromEnv;
    const envKeyId = io.env.KORA_AUDIT_HMAC_KEY_ID?.trim();
    keyId ??= envKeyId === '' ? undefined : envKeyId;
  }
  const source = values['key-file'] === undefined ? 'KORA_AUDIT_HMAC_KEY' : '--key-file';
  try {
    return createArgsDigester({ key, keyId });
  } catch (error) {
    // The digester's messages never hold the key; they are restated for the command line.
    const message = error instanceof Error ? error.message.replace(/^createArgsDigester: /, '') : 'invalid key';
    throw new UsageError(/^keyId/.test(message) ? message.replace(/^keyId/, 'the key id') : `${source}: ${message}`);
  }
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() => parseArgs({ args: [...args], options: parseArgsOptions(options), strict: true }));
  if (values.args === undefined) throw new UsageError("--args JSON is required (the tool call's arguments, or - for standard input)");
  const digester = await readDigester(values, io);
  const text = values.args === '-' ? (await readBoundedInput('--args', '-', io, MAX_ARGS_BYTES)).toString('utf8') : values.args;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the input, which may be secret: say only that it is not JSON.
    throw new UsageError('--args is not valid JSON');
  }
  const result = digester.digest(parsed);
  if (!result.ok) throw new UsageError(`--args cannot be digested: ${result.reason}`);
  await writeText(io.stdout, `${result.digest}\n`);
  return EXIT_OK;
}

/** `kora-audit hash`: the keyed digest rows record for a tool call's arguments. */
export const hashCommand: Command = {
  name: 'hash',
  usage,
  options,
  run,
};
