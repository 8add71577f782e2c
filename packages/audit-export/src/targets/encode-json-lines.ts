/**
 * One JSON document per line, from the documents' JSON texts (as the OCSF and ECS writers make
 * them). Each text is encoded into one buffer the batch's size: no string of the whole batch,
 * which is slow to build and slower to encode.
 */
export function encodeJsonLines(records: readonly unknown[]): Buffer {
  let bytes = 0;
  for (const record of records) {
    if (typeof record !== 'string') throw new TypeError('encodeJsonLines: OCSF and ECS records are JSON texts');
    // At most three UTF-8 bytes per UTF-16 unit: a bound, checked below.
    bytes += record.length * 3 + 1;
  }
  const buffer = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const record of records as readonly string[]) {
    at += buffer.write(record, at, 'utf8');
    buffer[at] = 0x0a;
    at += 1;
  }
  return buffer.subarray(0, at);
}
