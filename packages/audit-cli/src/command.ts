import type { CliIo } from './cli-io.js';

/** One `kora-audit` subcommand. */
export interface Command {
  /** The word after `kora-audit`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The full usage text, printed by `--help`. */
  readonly usage: string;
  /** Run with the arguments after the command name; resolves to the exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}
