/** Inclusive runs of sequence numbers, as an `audit.lost` row names them. */
export interface SeqRange {
  readonly first: number;
  readonly last: number;
}

/**
 * Add `seq` to `ranges` (ascending, disjoint, not adjacent), keeping that order. Sequence
 * numbers mostly arrive in order, so the common case extends or follows the last range.
 */
export function addSeq(ranges: SeqRange[], seq: number): void {
  const lastRange = ranges.at(-1);
  if (lastRange === undefined || seq > lastRange.last + 1) {
    ranges.push({ first: seq, last: seq });
    return;
  }
  if (seq === lastRange.last + 1) {
    ranges[ranges.length - 1] = { first: lastRange.first, last: seq };
    return;
  }
  addRange(ranges, { first: seq, last: seq });
}

/** Add every number of `range` to `ranges` (ascending, disjoint, not adjacent), merging where they meet. */
export function addRange(ranges: SeqRange[], range: SeqRange): void {
  let first = range.first;
  let last = range.last;
  let at = 0;
  while (at < ranges.length && ranges[at]!.last + 1 < first) at += 1;
  let end = at;
  while (end < ranges.length && ranges[end]!.first <= last + 1) {
    first = Math.min(first, ranges[end]!.first);
    last = Math.max(last, ranges[end]!.last);
    end += 1;
  }
  ranges.splice(at, end - at, { first, last });
}

/** How many of the numbers `first` to `last` `ranges` holds. */
export function countSeqsWithin(ranges: readonly SeqRange[], first: number, last: number): number {
  let count = 0;
  for (const range of ranges) {
    const from = Math.max(range.first, first);
    const to = Math.min(range.last, last);
    if (from <= to) count += to - from + 1;
  }
  return count;
}

/** How many numbers `ranges` holds. */
export function countSeqs(ranges: readonly SeqRange[]): number {
  let count = 0;
  for (const range of ranges) count += range.last - range.first + 1;
  return count;
}

/** `3-5,9`: each range as `first-last`, or one number alone. */
export function formatSeqRanges(ranges: readonly SeqRange[]): string {
  return ranges.map((range) => (range.first === range.last ? String(range.first) : `${range.first}-${range.last}`)).join(',');
}
