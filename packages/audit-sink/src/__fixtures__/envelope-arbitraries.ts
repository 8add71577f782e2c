// fast-check arbitraries of envelopes, for the tests of the hand checks against the schema.
import fc from 'fast-check';
import { AUDIT_SOURCES, SEAM_NAMES } from '../envelope/seam-names.js';

const hex = (length: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

/** Any row the sink could write, as a plain object, `details` of up to four keys of any JSON. */
export const validEnvelope = fc.record({
  v: fc.constant(1),
  id: fc
    .tuple(hex(8), hex(4), hex(3), fc.constantFrom('8', '9', 'a', 'b'), hex(3), hex(12))
    .map(([a, b, c, variant, d, e]) => `${a}-${b}-7${c}-${variant}${d}-${e}`),
  emitted_at: fc
    .date({ min: new Date(0), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
    .map((date) => date.toISOString()),
  seam: fc.constantFrom(...SEAM_NAMES),
  source: fc.constantFrom(...AUDIT_SOURCES, null),
  caller_session_id: fc.oneof(fc.constant(null), fc.string({ maxLength: 256 })),
  details: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }),
});
