const TYPE_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;
// Constructors that say nothing about what went wrong; their `name` property says more
// (`new DOMException(message, 'TimeoutError')`, `error.name = 'AbortError'`).
const GENERIC_CONSTRUCTORS: ReadonlySet<string> = new Set(['Error', 'DOMException', 'Object']);

/**
 * The type name of a thrown value, like Python's `type(error).__name__`: the constructor's
 * name (a subclass that never sets `name` still counts), else `error.name`, else `Error`.
 * Only identifier-shaped names are used, so a hostile `name` cannot carry text. Never reads
 * the message.
 */
export function readErrorTypeName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'Error';
  try {
    const constructorName = (error.constructor as { name?: unknown } | undefined)?.name;
    if (typeof constructorName === 'string' && TYPE_NAME.test(constructorName) && !GENERIC_CONSTRUCTORS.has(constructorName)) {
      return constructorName;
    }
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && TYPE_NAME.test(name)) return name;
    if (typeof constructorName === 'string' && TYPE_NAME.test(constructorName)) return constructorName;
  } catch {
    // A hostile object (throwing getter, revoked proxy): fall through to the generic name.
  }
  return 'Error';
}
