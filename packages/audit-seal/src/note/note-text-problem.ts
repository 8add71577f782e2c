/**
 * Why `text` cannot be a note's text, or undefined when it can: it must end in a newline and
 * hold no ASCII control character other than newline, and (as a string) no unpaired surrogate,
 * which has no UTF-8 form.
 */
export function noteTextProblem(text: string): string | undefined {
  if (!isWellFormedText(text)) return 'the text is not valid Unicode';
  if (!text.endsWith('\n')) return 'the text must end with a newline';
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) return 'the text holds a control character other than newline';
  return undefined;
}

/** Whether `text` has a UTF-8 form: no unpaired surrogate (Node 20 lacks `String#isWellFormed`). */
export function isWellFormedText(text: string): boolean {
  return !/\p{Surrogate}/u.test(text);
}
