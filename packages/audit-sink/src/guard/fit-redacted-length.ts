import { findSecrets } from './find-secrets.js';

/** From `start`, up to `limit` code points but not past `end`: where that stops and how many it took. */
function takeCodePoints(text: string, start: number, end: number, limit: number): { end: number; count: number } {
  let index = start;
  let count = 0;
  while (index < end && count < limit) {
    const unit = text.charCodeAt(index);
    const pair = unit >= 0xd800 && unit <= 0xdbff && index + 1 < end && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00;
    index += pair ? 2 : 1;
    count += 1;
  }
  return { end: index, count };
}

/**
 * The longest prefix of `text` that is at most `maxLength` code points as the guard will
 * write it, each secret counted as its `[REDACTED:<rule>]` marker, cut between code points
 * and so that every secret of `text` it keeps any part of is still found in it. Returns
 * `text` itself when it fits.
 *
 * Emit helpers cap what callers send before the sink's guard runs. Capping the raw text is
 * not enough: a few short secrets (`a@b.co`) become much longer markers and push a field
 * past its allow-list, which would cost the whole row, and a cut through a secret, or just
 * through the context that marks it as one (the `@` after a URL's password), leaves text the
 * guard no longer recognizes. Without secrets this is the first `maxLength` code points, as
 * a plain cut would give.
 */
export function fitRedactedLength(text: string, maxLength: number): string {
  const secrets = findSecrets(text);
  let candidate = text;
  let found = secrets;
  for (;;) {
    let room = maxLength;
    let cursor = 0;
    let cut: number | undefined;
    for (const match of found) {
      const plain = takeCodePoints(candidate, cursor, match.start, room);
      room -= plain.count;
      if (plain.end < match.start) {
        cut = plain.end;
        break;
      }
      const marker = `[REDACTED:${match.rule}]`.length;
      if (marker > room) {
        cut = match.start;
        break;
      }
      room -= marker;
      cursor = match.end;
    }
    if (cut === undefined) {
      const tail = takeCodePoints(candidate, cursor, candidate.length, room);
      if (tail.end < candidate.length) cut = tail.end;
    }
    if (cut === undefined) {
      // It fits; but a secret of the whole text whose end or context was cut away may have
      // gone unrecognized, and then it goes too.
      const length = candidate.length;
      const own = found;
      const lost = secrets.find(
        (secret) => secret.start < length && !own.some((match) => match.start <= secret.start && match.end >= Math.min(secret.end, length)),
      );
      if (lost === undefined) return candidate;
      cut = lost.start;
    }
    // Every pass cuts, so this ends.
    candidate = candidate.slice(0, cut);
    found = findSecrets(candidate);
  }
}
