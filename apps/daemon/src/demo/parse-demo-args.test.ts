import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DemoArgsError, parseDemoArgs } from './parse-demo-args.js';

describe('parseDemoArgs', () => {
  it('serves on 8787 in a fresh home by default', () => {
    expect(parseDemoArgs([])).toEqual({ once: false, port: 8787, help: false });
  });

  it('reads --once, --port and --home', () => {
    expect(parseDemoArgs(['--once', '--port', '0', '--home', '/tmp/kora'])).toEqual({
      once: true,
      port: 0,
      help: false,
      home: '/tmp/kora',
    });
    expect(parseDemoArgs(['--port=65535'])).toMatchObject({ port: 65_535 });
  });

  it('skips a leading --, as pnpm 10 passes it on', () => {
    expect(parseDemoArgs(['--', '--once', '--port', '0'])).toEqual(parseDemoArgs(['--once', '--port', '0']));
  });

  it('refuses what it does not understand, naming the problem and not the text', () => {
    const cases: [string[], RegExp][] = [
      [['--bogus-xoxb-secret'], /^unknown option$/],
      [['xoxb-secret'], /^unexpected argument/],
      [['--once', '--', '--port', '0'], /^unexpected argument/],
      [['--port'], /need a value/],
      [['--port=-1'], /port number/],
      [['--port', '-1'], /need a value/],
      [['--port', '65536'], /port number/],
      [['--port', '80.5'], /port number/],
      [['--port', ''], /port number/],
      [['--home='], /--home needs a directory/],
      [['--once=yes'], /take none/],
    ];
    for (const [argv, message] of cases) {
      let error: unknown;
      try {
        parseDemoArgs(argv);
      } catch (thrown) {
        error = thrown;
      }
      expect(error, argv.join(' ')).toBeInstanceOf(DemoArgsError);
      expect((error as Error).message, argv.join(' ')).toMatch(message);
      expect((error as Error).message).not.toContain('xoxb');
    }
  });

  it('either reads any argument list or refuses it with a DemoArgsError that does not repeat it', () => {
    const word = fc.oneof(
      fc.constantFrom('--', '--once', '--port', '--home', '--help', '-h', '0', '8787', '--port=1', '--once=1', '-x'),
      fc.string({ minLength: 1 }).map((text) => `secret${text}`),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), (argv) => {
        try {
          const args = parseDemoArgs(argv);
          expect(Number.isInteger(args.port) && args.port >= 0 && args.port <= 65_535).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(DemoArgsError);
          expect((error as Error).message).not.toContain('secret');
        }
      }),
      { numRuns: 500 },
    );
  });
});
