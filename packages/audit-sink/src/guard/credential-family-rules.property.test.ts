import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_FAMILY_RULES } from './credential-family-rules.js';
import { findSecrets } from './find-secrets.js';
import { redactText } from './redact-text.js';

// Fixed seeds keep CI deterministic; a failure prints its seed and path to replay it.
const RUNS = 2_000;

const word = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/);
/** Tool names as the MCP server registers them: `kora__create_sea_ticket`. */
const toolName = fc.array(word, { minLength: 1, maxLength: 5 }).map((words) => `kora__${words.join('_')}`);
const uuid = fc.uuid().chain((id) => fc.constantFrom(id, id.toUpperCase(), id.replace(/-/g, '')));
const isoTimestamp = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .chain((date) => fc.constantFrom(date.toISOString(), date.toISOString().replace('Z', '+02:00'), date.toISOString().slice(0, 19)));
const slackId = fc.stringMatching(/^[CDGUWTB][A-Z0-9]{8,10}$/);
const slackTs = fc
  .tuple(fc.integer({ min: 1_000_000_000, max: 9_999_999_999 }), fc.integer({ min: 0, max: 999_999 }))
  .map(([seconds, micros]) => `${seconds}.${String(micros).padStart(6, '0')}`);
const cleanIdentifier = fc.oneof(toolName, uuid, isoTimestamp, slackId, slackTs);

/** A positive example of a family with the secret it holds (the part redaction removes). */
const familyPositives = CREDENTIAL_FAMILY_RULES.flatMap((rule) =>
  rule.examples.positive.map((text) => {
    const match = findSecrets(text).find((found) => found.rule === rule.id);
    if (match === undefined) throw new Error(`${rule.id}: a positive example is not found: ${text}`);
    return { rule: rule.id, text, secret: text.slice(match.start, match.end) };
  }),
);
const HEADER_NAMES = ['Authorization', 'X-Request-Id', 'User-Agent', 'X-Api-Key', 'Cookie', 'X-Forwarded-For'];
const JSON_KEYS = ['note', 'args', 'result', 'headers', 'caller_session_id'];

/** A positive placed where a row carries it: a JSON value, a header line, an array between clean ids. */
const embedded = fc
  .tuple(
    fc.constantFrom(...familyPositives),
    fc.constantFrom('json', 'header', 'array', 'nested'),
    fc.constantFrom(...HEADER_NAMES),
    fc.constantFrom(...JSON_KEYS),
    cleanIdentifier,
    cleanIdentifier,
  )
  .map(([positive, kind, header, key, before, after]) => {
    const text = {
      json: JSON.stringify({ [key]: positive.text, tool_name: before }),
      header: `${header}: ${before}\r\n${header}: ${positive.text}\r\nX-Trace: ${after}`,
      array: JSON.stringify([before, positive.text, after]),
      nested: JSON.stringify({ headers: { [header.toLowerCase()]: positive.text }, ids: [before, after] }),
    }[kind];
    return { ...positive, embedded: text };
  });

describe('the credential families in rows', () => {
  it('leave clean identifiers clean under the whole rule table', () => {
    fc.assert(
      fc.property(fc.array(cleanIdentifier, { minLength: 1, maxLength: 6 }), (identifiers) => {
        expect(findSecrets(identifiers.join(' '))).toEqual([]);
        expect(findSecrets(JSON.stringify({ tool_name: identifiers[0], ids: identifiers }))).toEqual([]);
      }),
      { numRuns: RUNS, seed: 0x66616d31 },
    );
  });

  it('find each positive embedded in JSON and in headers, and redaction removes its secret', () => {
    fc.assert(
      fc.property(embedded, ({ rule, secret, embedded: text }) => {
        expect(findSecrets(text).map((match) => match.rule)).toContain(rule);
        // JSON escaping may change the secret's characters; what must go is the secret as written.
        const written = JSON.stringify(secret).slice(1, -1);
        const redacted = redactText(text).text;
        expect(redacted.includes(secret) || redacted.includes(written), `${rule} in ${redacted}`).toBe(false);
      }),
      { numRuns: RUNS, seed: 0x66616d32 },
    );
  });
});
