import { Buffer } from 'node:buffer';

/** `{"` in base64: where a base64-wrapped JSON object starts. */
const JSON_START = 'eyJ';
/** Shorter runs decode to at most 14 bytes: too little to hold anything the rules find. */
const MIN_RUN = 20;

/** A run of base64 (either alphabet) that starts like JSON, and where decoding may start. */
export interface Base64JsonRun {
  /** Where the first `eyJ` of the run is. */
  readonly start: number;
  /** Just past the run, its `=` padding included. */
  readonly end: number;
  /** Offsets to decode from: the first `eyJ` of each distinct alignment in the run. */
  readonly starts: readonly number[];
}

function isBase64Unit(unit: number): boolean {
  const lower = unit | 0x20;
  return (
    (lower >= 0x61 && lower <= 0x7a) || (unit >= 0x30 && unit <= 0x39) || unit === 0x2b || unit === 0x2f || unit === 0x2d || unit === 0x5f
  );
}

/**
 * Every run of base64 characters in `text` holding an `eyJ` (`{"`) with at least 20
 * characters from there on, in order, each found in one pass.
 *
 * Decoding from the run's first `eyJ` is right unless whatever is glued in front of the JSON
 * (`token_eyJ…`) holds an `eyJ` of its own; its bytes then fall out of step with the JSON's.
 * So a run is decoded from its first `eyJ` at each of the four alignments where one occurs:
 * one of those is the JSON's, and each decode costs the run's length, four times at most.
 */
export function findBase64JsonRuns(text: string): Base64JsonRun[] {
  const runs: Base64JsonRun[] = [];
  for (let found = text.indexOf(JSON_START); found !== -1;) {
    let end = found + JSON_START.length;
    while (end < text.length && isBase64Unit(text.charCodeAt(end))) end += 1;
    for (let padding = 0; padding < 2 && text.charCodeAt(end) === 0x3d; padding += 1) end += 1;
    const starts: number[] = [];
    const alignments = new Set<number>();
    for (let at = found; at !== -1 && at < end && alignments.size < 4; at = text.indexOf(JSON_START, at + 1)) {
      if (end - at < MIN_RUN || alignments.has((at - found) % 4)) continue;
      alignments.add((at - found) % 4);
      starts.push(at);
    }
    if (starts.length > 0) runs.push({ start: starts[0] ?? found, end, starts });
    found = text.indexOf(JSON_START, end);
  }
  return runs;
}

/** The UTF-8 text that `text[start, end)` encodes in base64 (either alphabet; padding optional). */
export function decodeBase64(text: string, start: number, end: number): string {
  return Buffer.from(text.slice(start, end), 'base64').toString('utf8');
}
