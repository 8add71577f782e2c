/** One option of a command: how `parseArgs` reads it and how its help describes it. */
export interface CommandOption {
  /** A string option takes a value; a boolean option is a flag. */
  readonly type: 'string' | 'boolean';
  /** A one-letter alias (`f` for `-f`). */
  readonly short?: string;
  /** The option may be given more than once; its values are collected in order. */
  readonly multiple?: boolean;
  /** The value's name in the help (`P` in `--path P`); string options only. */
  readonly value?: string;
  /** What the option does; a `\n` starts a continuation line under the first. */
  readonly description: string;
}

/** A command's options by long name (without `--`), in the order its help lists them. */
export type CommandOptions = Readonly<Record<string, CommandOption>>;

/** Just what `parseArgs` reads of an option. */
type ParseArgsOption<O extends CommandOption> = {
  type: O['type'];
} & (O extends { readonly short: infer S } ? { short: S } : unknown) &
  (O extends { readonly multiple: infer M } ? { multiple: M } : unknown);

/** The `options` of `parseArgs` for these options. */
export type ParseArgsOptionsOf<T extends CommandOptions> = { -readonly [K in keyof T]: ParseArgsOption<T[K]> };

/**
 * The `options` for `node:util` `parseArgs`, made from the same definitions as the help's
 * "Options:" section ({@link formatOptions}), so the two cannot disagree.
 */
export function parseArgsOptions<const T extends CommandOptions>(options: T): ParseArgsOptionsOf<T> {
  return Object.fromEntries(
    Object.entries(options).map(([name, option]) => [
      name,
      {
        type: option.type,
        ...(option.short === undefined ? {} : { short: option.short }),
        ...(option.multiple === undefined ? {} : { multiple: option.multiple }),
      },
    ]),
  ) as ParseArgsOptionsOf<T>;
}

/** How the help names an option: `-f, --follow`, `--path P`. */
export function formatOptionName(name: string, option: CommandOption): string {
  const value = option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : '';
  return `${option.short === undefined ? '' : `-${option.short}, `}--${name}${value}`;
}

/** The lines of an "Options:" section, each name then its description in one column. */
export function formatOptions(options: CommandOptions): string {
  const entries = Object.entries(options).map(([name, option]) => [formatOptionName(name, option), option.description] as const);
  const width = Math.max(0, ...entries.map(([label]) => label.length));
  return entries
    .map(([label, description]) =>
      description
        .split('\n')
        .map((line, index) => `  ${(index === 0 ? label : '').padEnd(width)}  ${line}`.trimEnd())
        .join('\n'),
    )
    .join('\n');
}

/**
 * A command's help: `head` (the usage line and what the command does, written by hand), its
 * "Options:" section made from `options`, then `tail` (exit status and the like) if any.
 */
export function formatUsage(head: string, options: CommandOptions, tail?: string): string {
  const sections = [head.trimEnd(), `Options:\n${formatOptions(options)}`];
  if (tail !== undefined && tail.trim() !== '') sections.push(tail.trimEnd());
  return `${sections.join('\n\n')}\n`;
}
