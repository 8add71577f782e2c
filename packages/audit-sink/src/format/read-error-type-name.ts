import { findSecrets } from '../guard/find-secrets.js';

const TYPE_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;
// Constructors that say nothing about what went wrong; their `name` property says more
// (`new DOMException(message, 'TimeoutError')`, `error.name = 'AbortError'`).
const GENERIC_CONSTRUCTORS: ReadonlySet<string> = new Set(['Error', 'DOMException', 'Object']);

/**
 * The type name of a thrown value, like Python's `type(error).__name__`: the constructor's
 * name (a subclass that never sets `name` still counts), else `error.name`, else `Error`.
 * Only identifier-shaped names the secret guard leaves alone are used, so a hostile `name`
 * can carry neither text nor a credential. Never reads the message.
 */
export function readErrorTypeName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'Error';
  try {
    const constructorName = (error.constructor as { name?: unknown } | undefined)?.name;
    if (isTypeName(constructorName) && !GENERIC_CONSTRUCTORS.has(constructorName)) return constructorName;
    const name = (error as { name?: unknown }).name;
    if (isTypeName(name)) return name;
    if (isTypeName(constructorName)) return constructorName;
  } catch {
    // A hostile object (throwing getter, revoked proxy): fall through to the generic name.
  }
  return 'Error';
}

/**
 * Identifier-shaped and not a credential: a thrown payload's `name` (`ghp_…`, `AKIA…` are
 * identifiers too) would be redacted into a marker no type-name allow-list accepts, and the
 * row recording the failure would be lost.
 */
function isTypeName(name: unknown): name is string {
  return typeof name === 'string' && TYPE_NAME.test(name) && findSecrets(name).length === 0;
}
