import type { CliIo } from './cli-io.js';
import type { CommandOptions } from './command-options.js';

/** One `kora-audit` subcommand, loaded when it runs. */
export interface Command {
  /** The word after `kora-audit`. */
  readonly name: string;
  /** The full usage text, printed by `--help`. */
  readonly usage: string;
  /** The options its command line takes, as parsed and as its usage lists them (none for a command with subcommands). */
  readonly options?: CommandOptions;
  /**
   * The usage text for `--help` given these arguments, when it depends on them: a command with
   * subcommands answers for the one named (`db lag --help`). Default: `usage`.
   */
  helpFor?(args: readonly string[]): Promise<string>;
  /** Run with the arguments after the command name; resolves to the exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/**
 * A subcommand as the command list names it. Its module is loaded only when it runs or its
 * help is asked for: start-up then costs only what that command needs (`ship` alone brings
 * in the PostgreSQL driver).
 */
export interface CommandEntry {
  /** The word after `kora-audit`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The command itself. */
  load(): Promise<Command>;
}
