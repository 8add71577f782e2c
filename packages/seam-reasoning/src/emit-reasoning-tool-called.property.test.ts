import { randomBytes } from 'node:crypto';
import { createArgsDigester, findSecrets, redactText } from '@kora/audit-sink';
import { checkLineFields, createCaptureSink, createHostileArbitraries, createOutputChecker } from '@kora/audit-sink/testing';
import type { CaptureSink, Carrier, OutputChecker, Planted } from '@kora/audit-sink/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitReasoningToolCalled } from './emit-reasoning-tool-called.js';
import type { EmitReasoningToolCalledInput } from './emit-reasoning-tool-called.js';
import { TOOL_STATUSES, seam } from './reasoning-tool-called.js';
import type { ToolStatus } from './reasoning-tool-called.js';

const hostile = createHostileArbitraries(fc);
const plain = (value: unknown): Planted => ({ value, secrets: [] });
const carried = ({ text, secrets }: Carrier): Planted => ({ value: text, secrets });

// What the reasoning loop itself decides: valid most of the time, so that a missing row can
// be blamed on what the model asked for or the tool threw.
const TRIGGERED_BY = /^[A-Za-z0-9_.:-]{1,128}$/;
const triggeredBy = fc.oneof(
  { arbitrary: fc.constantFrom('slack_dm', 'email', 'probe_wake', 'mcp:claude_pm_isokron:kora__list_tickets'), weight: 8 },
  { arbitrary: hostile.text, weight: 1 },
);
const durationMs = fc.oneof(
  { arbitrary: fc.double({ min: 0, max: 1e7, noNaN: true }), weight: 8 },
  { arbitrary: fc.constantFrom(-0, -5, 1e300, Number.NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER + 2), weight: 1 },
);
const status = fc.oneof(
  { arbitrary: fc.constantFrom(...TOOL_STATUSES), weight: 9 },
  { arbitrary: hostile.text.map((text) => text as ToolStatus), weight: 1 },
);
const sessionId = fc.oneof(
  { arbitrary: fc.constantFrom(null, undefined, 'D01CHAN01:1700000000.000100').map(plain), weight: 6 },
  { arbitrary: hostile.textCarrier.map(carried), weight: 2 },
);

const call = fc.record({
  toolName: hostile.textCarrier,
  triggeredBy,
  durationMs,
  status,
  error: fc.oneof(
    { arbitrary: fc.constantFrom(undefined, null).map(plain), weight: 3 },
    { arbitrary: hostile.textCarrier.map(({ text, secrets }) => ({ value: new TypeError(text), secrets })), weight: 2 },
    { arbitrary: hostile.anyValue(['name', 'message', 'constructor']), weight: 3 },
    // A type name shaped like a credential: a thrown payload's `name`, or a class's.
    {
      arbitrary: fc.tuple(hostile.identifierCarrier, fc.boolean()).map(([{ text, secrets }, asClass]) => {
        const Named = class extends Error {};
        Object.defineProperty(Named, 'name', { value: text });
        return { value: asClass ? new Named('x') : { name: text }, secrets };
      }),
      weight: 1,
    },
  ),
  callerSessionId: sessionId,
  // The tool's input as the model gave it: anything, or none.
  args: fc.oneof({ arbitrary: fc.constant(plain(undefined)), weight: 1 }, { arbitrary: hostile.anyValue(), weight: 3 }),
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
describe('emitReasoningToolCalled under hostile input', { timeout: 600_000 }, () => {
  it('never throws, writes one line and one valid row, keeps no error message and lets no planted secret out', () => {
    fc.assert(
      fc.property(call, (generated) => {
        const input: EmitReasoningToolCalledInput = {
          toolName: generated.toolName.text,
          triggeredBy: generated.triggeredBy,
          durationMs: generated.durationMs,
          status: generated.status,
          error: generated.error.value,
          callerSessionId: generated.callerSessionId.value as string | null | undefined,
          args: generated.args.value,
        };
        const outcome = emitReasoningToolCalled(input, capture);

        const outputs = checker.checkEmit(outcome, [
          ...generated.toolName.secrets,
          ...generated.error.secrets,
          ...generated.callerSessionId.secrets,
          ...generated.args.secrets,
        ]);
        // Arguments given are digested or named as not digestible; none, no field.
        const row = outputs.rows.find((entry) => entry.seam === 'reasoning.tool_called');
        const digestFields = Object.keys(row?.details ?? {}).filter((key) => key.startsWith('args_digest'));
        if (row !== undefined) expect(digestFields).toHaveLength(generated.args.value === undefined ? 0 : 1);
        // No tool name, trigger, session id or type name can read as another field of the line.
        const line = outputs.logLines.find((entry) => entry.msg.startsWith('[kora.reasoning.tool_called] '))?.msg ?? '';
        const withType = generated.error.value === undefined || generated.error.value === null ? [] : ['exc_type'];
        checkLineFields(line, ['tool', 'triggered_by', 'caller_session_id', 'tool_duration_ms', 'tool_status', ...withType]);

        // The tool's name (the model's choice) and what the tool threw never cost the row.
        const session = generated.callerSessionId.value;
        const loopInputsValid =
          TRIGGERED_BY.test(generated.triggeredBy) &&
          findSecrets(generated.triggeredBy).length === 0 &&
          // A duration past 2^53 ms is a broken clock, refused on purpose.
          Number.isSafeInteger(Math.max(0, Math.round(generated.durationMs))) &&
          (TOOL_STATUSES as readonly string[]).includes(generated.status) &&
          (typeof session !== 'string' || redactText(session).text.length <= 256);
        if (loopInputsValid) expect(outcome).toMatchObject({ ok: true });
      }),
      { numRuns: 10_000, seed: 0x726561 },
    );
    expect(capture.sink.stats().rowsWritten).toBeGreaterThan(5_000);
  });
});
