import { emitMcpToolCalled } from '@kora/seam-mcp';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext } from '../__fixtures__/create-test-context.js';
import type { TestContext } from '../__fixtures__/create-test-context.js';
import { createFileSource } from './create-panel-sources.js';
import { readActivity } from './read-activity.js';

const start = Date.parse('2026-11-26T17:00:00.000Z');
let test: TestContext | undefined;

afterEach(async () => {
  await test?.cleanup();
});

describe('readActivity', () => {
  it('stops after maxRows, keeping the newest rows and saying the count is cut short', async () => {
    let now = start;
    test = createTestContext(() => now);
    for (let index = 0; index < 30; index += 1) {
      now = start + index * 10_000;
      emitMcpToolCalled(
        { toolName: 'list_tickets', toolKind: 'read', callerActorKind: 'support_agent', args: {}, result: 'ok', callerSessionId: 's' },
        test.context.audit,
      );
    }
    const source = createFileSource(test.path);
    const request = { seams: ['mcp.tool_called'] as const, minutes: 10, bucketSeconds: 60, now: start + 299_000 };

    const cut = await readActivity(source, { ...request, maxRows: 12 });
    expect(cut.truncated).toBe(true);
    expect(cut.rows).toBe(12);
    // Rows 18–29 (minutes 3 and 4) are the newest twelve; the window ends at 17:05.
    expect(cut.seams[0]?.total.slice(-5)).toEqual([0, 0, 0, 6, 6]);

    const whole = await readActivity(source, { ...request, maxRows: 1000 });
    expect(whole.truncated).toBe(false);
    expect(whole.rows).toBe(30);
    expect(whole.seams[0]?.total.slice(-5)).toEqual([6, 6, 6, 6, 6]);
  });
});
