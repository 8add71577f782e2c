/**
 * The code a thrown value carries: Node's system and argument errors (`ENOENT`, `EEXIST`,
 * `ERR_PARSE_ARGS_UNKNOWN_OPTION`), a database's SQLSTATE (`57014`). `undefined` when it has
 * none, or when the value is not an object, or its `code` is not a non-empty string. Never
 * throws, even for a hostile object whose `code` getter does.
 */
export function readErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  try {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && code !== '' ? code : undefined;
  } catch {
    // A throwing getter or a revoked proxy: no code to report.
    return undefined;
  }
}
