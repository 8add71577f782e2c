import assert from 'node:assert/strict';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { auditEnvelope } from '../envelope/audit-envelope.js';
import type { AuditEnvelope } from '../envelope/audit-envelope.js';
import { escapeJsonControls } from '../format/escape-json-controls.js';
import { escapeToken } from '../format/escape-token.js';
import { formatPythonStr } from '../format/format-python-str.js';
import type { Seam } from '../seam/define-seam.js';
import type { EmitOutcome } from '../seam/emit-types.js';
import { auditClosedSeam } from '../lifecycle/audit-closed.js';
import { auditLostSeam } from '../lifecycle/audit-lost.js';
import { auditOpenedSeam } from '../lifecycle/audit-opened.js';
import type { CaptureSink, CapturedLogLine } from './create-capture-sink.js';

/** What one case wrote, once it passed every check. */
export interface CheckedOutputs {
  /** The seam's rows appended to the file, parsed (the writer's own `audit.*` rows are checked, not listed). */
  readonly rows: readonly AuditEnvelope[];
  /** The log lines written: verbatim lines and the sink's warnings. */
  readonly logLines: readonly CapturedLogLine[];
}

/** Checks the outputs of a capture sink case by case, reading only what each case added. */
export interface OutputChecker {
  /**
   * Check everything written since the previous call. Throws an AssertionError naming the
   * broken rule: file bytes not UTF-8, a line not a whole JSON row, a row holding a raw DEL,
   * C1, separator or bidi control, a row not a valid envelope or its details not valid for the
   * seam, a log message with a line break, control or bidi character, or any of `secrets` (raw
   * or as the formatters would escape it) in any output.
   */
  check(secrets?: readonly string[]): CheckedOutputs;
  /**
   * {@link check}, for one call of the seam's emit helper that returned `outcome`: also
   * asserts that exactly one verbatim line of the seam was logged, at the seam's level, and
   * that the file gained the outcome's row if it is ok and no row if it is not.
   */
  checkEmit(outcome: EmitOutcome, secrets?: readonly string[]): CheckedOutputs;
}

const ENVELOPE_KEYS = ['v', 'id', 'emitted_at', 'seam', 'source', 'caller_session_id', 'details'];
// Version 2 rows name their writer and their place in its sequence after the details.
const ENVELOPE_V2_KEYS = [...ENVELOPE_KEYS, 'writer', 'seq'];
// The writer's own rows, which any file may hold between a seam's rows.
const LIFECYCLE_SEAMS: ReadonlyMap<string, Seam> = new Map(
  [auditOpenedSeam, auditLostSeam, auditClosedSeam].map((lifecycle): [string, Seam] => [lifecycle.name, lifecycle]),
);
// What could end a log line or start a forged one in some viewer: C0, DEL, C1 (NEL among
// them), U+2028 and U+2029; and the bidi controls, which reorder what a reader sees.
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
// What a row may hold only escaped: the above but the C0 controls, which JSON escapes itself.
const RAW_IN_ROW = /[\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Check the outputs of `capture` as a property test runs: after every case, the bytes the
 * file gained and the lines the logger gained are checked against the audit's invariants.
 * Rows must pass `seam.details`; the documented stand-in for a row no truncation can fit
 * (`{ oversized: true, original_bytes }`) is the one exception.
 */
export function createOutputChecker(capture: CaptureSink, seam: Seam): OutputChecker {
  let fileOffset = 0;

  function readNewBytes(): Buffer {
    let fd: number;
    try {
      fd = openSync(capture.path, 'r');
    } catch {
      // No row yet: the sink creates the file on its first write.
      return Buffer.alloc(0);
    }
    try {
      const size = fstatSync(fd).size;
      const bytes = Buffer.alloc(Math.max(0, size - fileOffset));
      let read = 0;
      while (read < bytes.length) {
        const count = readSync(fd, bytes, read, bytes.length - read, fileOffset + read);
        if (count === 0) break;
        read += count;
      }
      fileOffset += read;
      return bytes.subarray(0, read);
    } finally {
      closeSync(fd);
    }
  }

  function checkRows(bytes: Buffer): AuditEnvelope[] {
    const text = decoder.decode(bytes);
    if (text === '') return [];
    assert.ok(text.endsWith('\n'), 'the file gained whole lines only');
    const raw = RAW_IN_ROW.exec(text);
    assert.equal(
      raw,
      null,
      `a row holds no raw control or bidi character: U+${(raw?.[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
    );
    return text
      .slice(0, -1)
      .split('\n')
      .map((line) => {
        const parsed = JSON.parse(line) as unknown;
        const envelope = auditEnvelope.safeParse(parsed);
        assert.ok(envelope.success, `a row is a valid envelope: ${envelope.error?.message ?? ''}`);
        assert.deepEqual(
          Object.keys(parsed as object),
          envelope.data.v === 2 ? ENVELOPE_V2_KEYS : ENVELOPE_KEYS,
          'envelope keys are in the documented order',
        );
        const rowSeam = LIFECYCLE_SEAMS.get(envelope.data.seam) ?? seam;
        assert.equal(envelope.data.seam, rowSeam.name, "the row is of the seam under test or its writer's own");
        const { details } = envelope.data;
        const oversized = details.oversized === true && Object.keys(details).join() === 'oversized,original_bytes';
        if (!oversized) {
          const valid = rowSeam.details.safeParse(details);
          assert.ok(valid.success, `row details pass the ${rowSeam.name} allow-list: ${valid.error?.message ?? ''}`);
        }
        return envelope.data;
      });
  }

  function checkLogLines(lines: readonly CapturedLogLine[]): void {
    for (const line of lines) {
      assert.equal(typeof line.msg, 'string', 'every log line has a message');
      assert.ok(line.msg.startsWith('[kora.'), `a log message starts with [kora.: ${JSON.stringify(line.msg.slice(0, 80))}`);
      const breaking = LINE_BREAKING.exec(line.msg);
      assert.equal(breaking, null, `a log message holds no line break or control character: ${JSON.stringify(line.msg.slice(0, 200))}`);
    }
  }

  function checkSecrets(secrets: readonly string[], outputs: Readonly<Record<string, string>>): void {
    for (const secret of secrets) {
      // As written, and as each formatter on the way could have escaped it.
      const forms = new Set([
        secret,
        escapeJsonControls(JSON.stringify(secret)).slice(1, -1),
        JSON.stringify(secret).slice(1, -1),
        escapeToken(secret, Infinity),
        formatPythonStr(secret),
      ]);
      for (const [name, output] of Object.entries(outputs)) {
        for (const form of forms) {
          const at = output.indexOf(form);
          // The planted secrets are fakes made by the test, so the message may show where.
          assert.ok(
            at < 0,
            `a planted secret survived in the ${name}: ${JSON.stringify(output.slice(Math.max(0, at - 40), at + form.length + 40))}`,
          );
        }
      }
    }
  }

  function check(secrets: readonly string[] = []): CheckedOutputs {
    const bytes = readNewBytes();
    const written = checkRows(bytes);
    const rows = written.filter((row) => row.seam === seam.name);
    const logLines = capture.newLogLines();
    checkLogLines(logLines);
    if (secrets.length > 0) {
      const rowStrings: string[] = [];
      const collect = (value: unknown): void => {
        if (typeof value === 'string') rowStrings.push(value);
        else if (typeof value === 'object' && value !== null) {
          for (const [key, item] of Object.entries(value)) {
            rowStrings.push(key);
            collect(item);
          }
        }
      };
      written.forEach(collect);
      checkSecrets(secrets, {
        file: bytes.toString('utf8'),
        'row strings': rowStrings.join('\n'),
        'log output': logLines.map((line) => line.raw).join('\n'),
        'log messages': logLines.map((line) => line.msg).join('\n'),
      });
    }
    return { rows, logLines };
  }

  return {
    check,
    checkEmit(outcome, secrets = []) {
      const outputs = check(secrets);
      const verbatim = outputs.logLines.filter((line) => line.msg.startsWith(`[kora.${seam.name}] `));
      assert.deepEqual(
        verbatim.map((line) => line.level),
        [seam.level],
        `one verbatim line of ${seam.name}, at ${seam.level}`,
      );
      assert.deepEqual(
        outputs.rows.map((row) => row.id),
        outcome.ok ? [outcome.id] : [],
        'a row exactly when the outcome is ok',
      );
      return outputs;
    },
  };
}
