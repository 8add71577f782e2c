import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext } from '../__fixtures__/create-test-context.js';
import type { TestContext } from '../__fixtures__/create-test-context.js';
import { createCounterReporter } from './create-counter-reporter.js';

let test: TestContext | undefined;
afterEach(async () => {
  await test?.cleanup();
});

describe('createCounterReporter', () => {
  it('logs one warning with the increase of every counter, only when one moved', () => {
    test = createTestContext();
    let now = 1_000;
    const counts = { mcp_unauthenticated_unaudited: 0, refused_headers_too_large: 0 };
    const reporter = createCounterReporter({ read: () => ({ ...counts }), logger: test.logger, intervalMs: 0, clock: () => now });

    reporter.report();
    expect(test.logLines()).toEqual([]);

    counts.mcp_unauthenticated_unaudited = 145_900;
    now += 60_000;
    reporter.report();
    now += 60_000;
    reporter.report();
    counts.refused_headers_too_large = 2;
    now += 60_000;
    reporter.report();

    expect(test.logLines().map(({ level, msg }) => [level, msg])).toEqual([
      ['warn', '[kora.daemon.unaudited] interval_ms=60000 mcp_unauthenticated_unaudited=145900 refused_headers_too_large=0'],
      ['warn', '[kora.daemon.unaudited] interval_ms=120000 mcp_unauthenticated_unaudited=0 refused_headers_too_large=2'],
    ]);
    reporter.stop();
  });
});
