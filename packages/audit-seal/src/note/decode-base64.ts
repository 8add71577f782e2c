/**
 * Decode standard base64 (RFC 4648 section 4, padded), or undefined unless `text` is exactly
 * the canonical encoding of its bytes. Canonical only: a note or key edited in its padding
 * bits would otherwise read as the same bytes.
 */
export function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
