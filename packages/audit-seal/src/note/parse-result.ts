/** What a parser returns: the value, or why the input was refused (never an exception). */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };
