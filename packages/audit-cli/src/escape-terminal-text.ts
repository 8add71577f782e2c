// Every control character (C0, DEL, C1: ESC and CSI start terminal escape sequences, NEL breaks
// a line), the line and paragraph separators and the bidirectional formatting controls, which
// reorder how a line reads. The same set as the core's `escapeJsonControls`, with C0 added.
const TERMINAL_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * `text` with every control, separator and bidi character written as a `\uXXXX` escape, for
 * one line of output that holds text from a file or from outside: a file name, a key path, a
 * database's error message. Compact JSON stays JSON that parses to the same value: raw, these
 * characters can only be inside its strings.
 */
export function escapeTerminalText(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
