import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
// The guard alone: neither the sink, its logger nor zod is loaded to scan a file.
import { findSecrets, mayHoldSecret, redactText } from '@kora/audit-sink/guard';
import { readErrorCode } from '@kora/audit-sink/reader';
import { LineWriter, writeText } from '../cli-io.js';
import { escapeTerminalText } from '../escape-terminal-text.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { parseCommandLine } from '../parse-arguments.js';
import { readLinesForward } from '../read-lines-forward.js';
import { UsageError } from '../usage-error.js';

const options = {
  json: { type: 'boolean', description: 'one JSON object per finding: {"file","line","rule","path"}' },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit scan [--json] FILE...

Scan every string (values and keys) of every JSON line of any JSONL file for credential and
personal-data shapes, with the same rules the sink redacts with. Lines that are not JSON are
scanned as raw text. The secret itself is never printed: only file, line, rule and path.

Paths are those of the sink's [kora.audit.redacted] warnings: details.result,
details.args_keys[2], details.headers["x-api-key"]; a key that itself matches a rule is
shown redacted, followed by {key}; $ is the whole line when it is not a JSON object or array.`,
  options,
  `Exit status: 0 clean, 1 findings, 2 usage error or a file that could not be read.`,
);

// A rule can match across the cut between two pieces of an over-long line; pieces overlap this much.
const PIECE_OVERLAP_CHARS = 8 * 1024;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** One finding: where, and which rule; never the value. */
export interface ScanFinding {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** The rule id, e.g. `slack-bot-token`. */
  readonly rule: string;
  /** Path of the string in the line (`details.result`), `$` for the line itself. */
  readonly path: string;
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (IDENTIFIER.test(key)) return parent === '' ? key : `${parent}.${key}`;
  // A key from the file may hold controls JSON leaves raw: a path is printed, so they are escaped.
  return `${parent}[${escapeTerminalText(JSON.stringify(key))}]`;
}

// A value waiting to be walked; its path is spelled out only when a rule hits in it.
interface PendingValue {
  readonly value: unknown;
  readonly parent: PendingValue | undefined;
  /** The key under the parent: an array index, or an object key already redacted. */
  readonly key: string | number;
}

function pathOf(item: PendingValue): string {
  const keys: (string | number)[] = [];
  for (let at: PendingValue | undefined = item; at?.parent !== undefined; at = at.parent) keys.push(at.key);
  let path = '';
  for (let index = keys.length - 1; index >= 0; index -= 1) path = childPath(path, keys[index] ?? '');
  return path;
}

/**
 * Rule hits in one parsed JSON value, as `{ rule, path }`, in document order. Paths are the
 * ones the sink's `[kora.audit.redacted]` warning uses: `details.result`,
 * `details.args_keys[2]`, `details.headers["x-api-key"]`; a key that matches a rule is shown
 * redacted with `{key}` after it; `$` is the value itself when it is not an object or array.
 */
export function* findSecretsInJson(root: unknown): Generator<{ rule: string; path: string }> {
  // An explicit stack: a deeply nested line must not overflow the call stack.
  const stack: PendingValue[] = [{ value: root, parent: undefined, key: '' }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value } = item;
    if (typeof value === 'string') {
      const matches = findSecrets(value);
      if (matches.length === 0) continue;
      const path = pathOf(item);
      for (const match of matches) yield { rule: match.rule, path: path === '' ? '$' : path };
    } else if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index -= 1) {
        stack.push({ value: value[index] as unknown, parent: item, key: index });
      }
    } else if (typeof value === 'object' && value !== null) {
      const object = value as Record<string, unknown>;
      const keys = Object.keys(object);
      const firstChild = stack.length;
      for (const key of keys) {
        const matches = findSecrets(key);
        // The path carries the redacted key: a path must never spell out a secret either.
        const child: PendingValue = { value: object[key], parent: item, key: matches.length === 0 ? key : redactText(key).text };
        for (const match of matches) yield { rule: match.rule, path: `${pathOf(child)}{key}` };
        stack.push(child);
      }
      // Pushed in key order; reversed so that they are popped in key order.
      for (let low = firstChild, high = stack.length - 1; low < high; low += 1, high -= 1) {
        const swapped = stack[low]!;
        stack[low] = stack[high]!;
        stack[high] = swapped;
      }
    }
  }
}

/** The rule hits in one line: its strings if it is JSON, its text if not. */
function findSecretsInLine(text: string): { rule: string; path: string }[] {
  // JSON leaves every rule's trigger as it is and writes every escape with a backslash, so a
  // line with neither holds no string a rule can hit: most lines need no parse at all.
  if (!mayHoldSecret(text)) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return findSecrets(text).map((match) => ({ rule: match.rule, path: '$' }));
  }
  return [...findSecretsInJson(value)];
}

type FileOutcome = 'scanned' | 'unreadable' | 'interrupted';

async function scanFile(file: string, absolute: string, io: CliIo, report: (finding: ScanFinding) => Promise<void>): Promise<FileOutcome> {
  try {
    const stats = await stat(absolute);
    if (!stats.isFile()) throw Object.assign(new Error('not a regular file'), { code: stats.isDirectory() ? 'EISDIR' : 'ENOTFILE' });
    // Findings of one line are reported once per (rule, path); pieces of a long line share the set.
    let seen: Set<string> | undefined;
    let carry = '';
    for await (const event of readLinesForward(absolute, { signal: io.signal })) {
      let hits: { rule: string; path: string }[];
      if (event.kind === 'piece') {
        const window = carry + event.text;
        hits = findSecrets(window)
          .filter((match) => match.end > carry.length)
          .map((match) => ({ rule: match.rule, path: '$' }));
        carry = window.slice(-PIECE_OVERLAP_CHARS);
      } else {
        hits = event.text === null ? [] : findSecretsInLine(event.text);
      }
      for (const hit of hits) {
        const key = `${hit.rule}\0${hit.path}`;
        seen ??= new Set();
        if (seen.has(key)) continue;
        seen.add(key);
        await report({ file, line: event.number, rule: hit.rule, path: hit.path });
      }
      if (event.kind === 'line') {
        seen = undefined;
        carry = '';
      }
    }
    return io.signal?.aborted === true ? 'interrupted' : 'scanned';
  } catch (error) {
    const code = readErrorCode(error);
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? String(error));
    await writeText(io.stderr, `kora-audit scan: ${escapeTerminalText(file)}: ${reason}\n`);
    return 'unreadable';
  }
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({ args: [...args], options: parseArgsOptions(options), allowPositionals: true, strict: true }),
  );
  if (positionals.length === 0) throw new UsageError('name at least one FILE to scan');
  const out = new LineWriter(io.stdout);
  const json = values.json === true;
  let findings = 0;
  let unreadable = 0;
  const report = async (finding: ScanFinding): Promise<void> => {
    findings += 1;
    await out.line(
      escapeTerminalText(json ? JSON.stringify(finding) : `${finding.file}:${finding.line}: ${finding.rule} at ${finding.path}`),
    );
  };
  for (const file of positionals) {
    const outcome = await scanFile(file, resolve(io.cwd, file), io, report);
    if (outcome === 'interrupted') {
      await out.flush();
      return EXIT_INTERRUPTED;
    }
    if (outcome === 'unreadable') unreadable += 1;
  }
  await out.flush();
  const files = positionals.length - unreadable;
  await writeText(
    io.stderr,
    `kora-audit scan: ${findings} finding${findings === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}${unreadable > 0 ? `, ${unreadable} unreadable` : ''}\n`,
  );
  if (unreadable > 0) return EXIT_USAGE;
  return findings > 0 ? EXIT_FINDINGS : EXIT_OK;
}

/** `kora-audit scan`: the guard's rules over any JSONL file, offline. */
export const scanCommand: Command = {
  name: 'scan',
  usage,
  options,
  run,
};
