/**
 * A string option of `owner` (a function's name, for the message) that must be one of
 * `choices`, or its fallback when left out (`undefined`). A value that is not a string throws a
 * TypeError, an unknown string a RangeError, each naming the function, the option and the
 * choices.
 */
export function readChoiceOption<Choice extends string>(
  owner: string,
  name: string,
  value: unknown,
  choices: readonly Choice[],
  fallback: Choice,
): Choice {
  if (value === undefined) return fallback;
  const expected = `${owner}: ${name} must be ${choices.map((choice) => `'${choice}'`).join(' or ')}`;
  if (typeof value !== 'string') throw new TypeError(`${expected}, got a ${typeof value}`);
  if (!(choices as readonly string[]).includes(value)) throw new RangeError(expected);
  return value as Choice;
}
