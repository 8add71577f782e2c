const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
// JSON.stringify leaves these raw, yet a log viewer may break a line at them (DEL, C1 with
// NEL, U+2028, U+2029); a path goes into a warning line, so it must stay on one line.
const LINE_BREAKING_IN_JSON = /[\u007f-\u009f\u2028\u2029]/g;

/**
 * `parent` with one more key, as the guard writes a finding's path: `[2]` for an index,
 * `.name` for an identifier (bare at the root), `["user-agent"]` for anything else. The sink
 * renders a validation issue's path the same way to match it with the guard's findings.
 */
export function appendPathKey(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (IDENTIFIER.test(key)) return parent === '' ? key : `${parent}.${key}`;
  const quoted = JSON.stringify(key).replace(
    LINE_BREAKING_IN_JSON,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${parent}[${quoted}]`;
}
