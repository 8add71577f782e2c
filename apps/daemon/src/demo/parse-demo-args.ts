import { parseArgs } from 'node:util';

/** What the demo command was asked to do. */
export interface DemoArgs {
  /** Run the scenario, print where everything went, and exit instead of serving on. */
  readonly once: boolean;
  /** Where the daemon listens; 0 picks a free port. */
  readonly port: number;
  /** The directory to keep the audit file, keys and log in; a fresh temp directory when left out. */
  readonly home?: string;
  /** Print the usage and exit. */
  readonly help: boolean;
}

/** How the demo command is used. */
export const DEMO_USAGE = 'usage: pnpm demo [--once] [--port N] [--home DIR]   (--port 0: a free port; default 8787)';

/** The demo's arguments were not understood; the message names the problem, not the text given. */
export class DemoArgsError extends Error {
  override name = 'DemoArgsError';
}

const DEFAULT_PORT = 8787;

/**
 * Read the demo's arguments. A leading `--` is skipped: pnpm 10 passes it on as given, so
 * `pnpm demo -- --once` and `pnpm demo --once` mean the same.
 */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        once: { type: 'boolean', default: false },
        port: { type: 'string' },
        home: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new DemoArgsError(describeParseError(error));
  }
  const port = values.port === undefined ? DEFAULT_PORT : readPort(values.port);
  if (values.home === '') throw new DemoArgsError('--home needs a directory');
  return { once: values.once, port, help: values.help, ...(values.home === undefined ? {} : { home: values.home }) };
}

function readPort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) throw new DemoArgsError('--port must be a port number, 0 to 65535');
  return Number(text);
}

// The parser's own messages quote what was typed; these name only what was wrong.
function describeParseError(error: unknown): string {
  switch ((error as { code?: unknown }).code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return 'unknown option';
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return 'unexpected argument: the demo takes options only';
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return '--port and --home need a value; --once and --help take none';
    default:
      throw error;
  }
}
