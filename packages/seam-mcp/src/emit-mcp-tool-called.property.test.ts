import { randomBytes } from 'node:crypto';
import { createArgsDigester, findSecrets, redactText } from '@kora/audit-sink';
import { checkLineFields, createCaptureSink, createHostileArbitraries, createOutputChecker } from '@kora/audit-sink/testing';
import type { CaptureSink, Carrier, OutputChecker, Planted } from '@kora/audit-sink/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitMcpToolCalled } from './emit-mcp-tool-called.js';
import type { EmitMcpToolCalledInput, McpToolOutcome } from './emit-mcp-tool-called.js';
import { seam } from './mcp-tool-called.js';

const hostile = createHostileArbitraries(fc);
const plain = (value: unknown): Planted => ({ value, secrets: [] });
const carried = ({ text, secrets }: Carrier): Planted => ({ value: text, secrets });

// What the server's own configuration decides: valid most of the time, so that a missing row
// can be blamed on what the caller sent.
const ACTOR_KIND = /^[A-Za-z0-9_.:-]{1,64}$/;
const actorKind = fc.oneof(
  { arbitrary: fc.constantFrom('claude_pm_isokron', 'operator', 'svc.backup:nightly'), weight: 6 },
  { arbitrary: fc.string({ unit: fc.constantFrom(...'abcXYZ019_.:-'), minLength: 1, maxLength: 64 }), weight: 3 },
  { arbitrary: hostile.text, weight: 1 },
);
const sessionId = fc.oneof(
  { arbitrary: fc.constant(plain(null)), weight: 3 },
  { arbitrary: fc.constantFrom('mcp-sess-1', 'claude_pm_isokron:7f3a').map(plain), weight: 3 },
  { arbitrary: hostile.textCarrier.map(carried), weight: 2 },
);

/** Arguments: hostile keys and values, hostile objects, hundreds of long keys, or no object at all. */
const args: fc.Arbitrary<Planted> = fc.oneof(
  {
    arbitrary: fc.array(fc.tuple(hostile.textCarrier, hostile.anyValue()), { maxLength: 6 }).map((entries) => {
      const value: Record<string, unknown> = {};
      for (const [key, item] of entries) {
        // A definition keeps `__proto__` an own key, as JSON.parse makes it.
        Object.defineProperty(value, key.text, { value: item.value, enumerable: true, configurable: true, writable: true });
      }
      return { value, secrets: entries.flatMap(([key, item]) => [...key.secrets, ...item.secrets]) };
    }),
    weight: 12,
  },
  { arbitrary: hostile.hostileValue(['title', 'body', '__proto__']), weight: 6 },
  {
    // More keys than the allow-list keeps, each as long as it allows, in four-byte characters.
    arbitrary: fc
      .tuple(
        fc.integer({ min: 250, max: 300 }),
        fc.integer({ min: 1, max: 140 }),
        fc.constantFrom('\u{1f600}', 'k', '\u00e9', '\u2028', '"'),
      )
      .map(([count, length, unit]) =>
        plain(Object.fromEntries(Array.from({ length: count }, (_, index) => [`${unit.repeat(length)}${index}`, index]))),
      ),
    weight: 1,
  },
  { arbitrary: hostile.anyValue(), weight: 2 },
);

/** How the call ended: a result code or an outcome, each hostile in content. */
interface Ending {
  readonly fields: Pick<EmitMcpToolCalledInput, 'result' | 'outcome'>;
  readonly secrets: readonly string[];
}
const ended = (outcome: McpToolOutcome, secrets: readonly string[]): Ending => ({ fields: { outcome }, secrets });
const result: fc.Arbitrary<Ending> = fc.oneof(
  hostile.textCarrier.map(({ text, secrets }): Ending => ({ fields: { result: text }, secrets })),
  fc
    .option(hostile.textCarrier)
    .map((code) => ended(code === null ? { status: 'ok' } : { status: 'ok', code: code.text }, code?.secrets ?? [])),
  hostile.textCarrier.map(({ text, secrets }) => ended({ status: 'denied', reason: text }, secrets)),
  hostile.anyValue().map(({ value, secrets }) => ended({ status: 'error', error: value }, secrets)),
  // A thrown payload whose `name` is a credential shaped like an identifier.
  hostile.identifierCarrier.map(({ text, secrets }) => ended({ status: 'error', error: { name: text } }, secrets)),
);

const call = fc.record({
  toolName: hostile.textCarrier,
  toolKind: fc.constantFrom<'read' | 'mutating'>('read', 'mutating'),
  callerActorKind: actorKind,
  args: fc.option(args, { nil: undefined }),
  result,
  callerSessionId: sessionId,
});

let capture: CaptureSink;
let checker: OutputChecker;
beforeAll(() => {
  // With a digest key: the hostile arguments are digested too, and must cost neither the row nor a secret.
  capture = createCaptureSink({ argsDigester: createArgsDigester({ key: randomBytes(32) }) });
  checker = createOutputChecker(capture, seam);
});
afterAll(async () => {
  await capture.cleanup();
});

// Ten thousand runs take tens of seconds on a loaded machine: time is not what these test.
describe('emitMcpToolCalled under hostile input', { timeout: 600_000 }, () => {
  it('never throws, writes one line and one valid row, keeps no argument value and lets no planted secret out', () => {
    fc.assert(
      fc.property(call, (generated) => {
        const input = {
          toolName: generated.toolName.text,
          toolKind: generated.toolKind,
          callerActorKind: generated.callerActorKind,
          args: generated.args?.value,
          callerSessionId: generated.callerSessionId.value as string | null,
          ...generated.result.fields,
        } as EmitMcpToolCalledInput;
        const outcome = emitMcpToolCalled(input, capture);

        const outputs = checker.checkEmit(outcome, [
          ...generated.toolName.secrets,
          ...(generated.args?.secrets ?? []),
          ...generated.result.secrets,
          ...generated.callerSessionId.secrets,
        ]);
        // Arguments given are digested or named as not digestible; none, no field.
        const row = outputs.rows.find((entry) => entry.seam === 'mcp.tool_called');
        const digestFields = Object.keys(row?.details ?? {}).filter((key) => key.startsWith('args_digest'));
        if (row !== undefined) expect(digestFields).toHaveLength(input.args === undefined ? 0 : 1);
        // No tool name, actor kind, key name or result can read as another field of the line.
        const line = outputs.logLines.find((entry) => entry.msg.startsWith('[kora.mcp.tool_called] '))?.msg ?? '';
        checkLineFields(line, ['tool', 'caller_actor_kind', 'args_keys', 'result']);

        // What the caller sent (tool name, arguments, result) never costs the row: only what
        // the server itself decides can be refused.
        const session = generated.callerSessionId.value;
        const serverInputsValid =
          ACTOR_KIND.test(generated.callerActorKind) &&
          findSecrets(generated.callerActorKind).length === 0 &&
          (typeof session !== 'string' || redactText(session).text.length <= 256);
        if (serverInputsValid) expect(outcome).toMatchObject({ ok: true });
      }),
      { numRuns: 10_000, seed: 0x6d6370 },
    );
    expect(capture.sink.stats().rowsWritten).toBeGreaterThan(5_000);
  });
});
