import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findSecrets } from './find-secrets.js';
import { redactValue } from './redact-value.js';
import { SECRET_RULES } from './secret-rules.js';

const fake = (...parts: string[]): string => parts.join('');
const SLACK = fake('xoxb-', '1234567890-', 'FAKEFAKEFAKEFAKE');
const EMAIL = 'ops@example.com';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Every positive example with the part redaction removes from it. */
const PLANTABLE = SECRET_RULES.flatMap((rule) =>
  rule.examples.positive.flatMap((example) =>
    findSecrets(example)
      .filter((match) => match.rule === rule.id)
      .map((match) => ({ example, secret: example.slice(match.start, match.end) })),
  ),
)
  // Short secrets (`Bearer x`) could occur by chance in random text; they prove nothing here.
  .filter(({ secret }) => secret.length >= 8);

const isContainer = (value: unknown): value is object => typeof value === 'object' && value !== null;

/** A copy of `node` with `text` planted in some container chosen by `seed`, as a value or a key. */
function plant(node: unknown, text: string, seed: number, asKey: boolean): unknown {
  if (!isContainer(node)) return [node, text];
  const entries: [string, unknown][] = Object.entries(node);
  const descend = entries.flatMap(([, child], index) => (isContainer(child) ? [index] : []));
  const chosen = descend[seed % Math.max(descend.length, 1)];
  if (chosen !== undefined && seed % 3 !== 0) {
    const planted = entries.map(([key, child], index): [string, unknown] => [
      key,
      index === chosen ? plant(child, text, Math.floor(seed / 3), asKey) : child,
    ]);
    return Array.isArray(node) ? planted.map(([, child]) => child) : Object.fromEntries(planted);
  }
  if (Array.isArray(node)) {
    const at = seed % (entries.length + 1);
    return [...entries.slice(0, at).map(([, child]) => child), text, ...entries.slice(at).map(([, child]) => child)];
  }
  return Object.fromEntries([...entries, asKey ? [text, 1] : [`k${seed}`, text]]);
}

describe('redactValue', () => {
  it('redacts strings in nested objects and arrays and reports their paths', () => {
    const input = {
      tool_name: 'kora__x',
      args_keys: ['body', 'title', `to ${EMAIL}`],
      headers: { 'x-foo': `Bearer ${SLACK}`, ok: 'fine' },
      nested: [{ deeper: [[SLACK]] }],
    };
    const result = redactValue(input, 'details');
    expect(result.value).toEqual({
      tool_name: 'kora__x',
      args_keys: ['body', 'title', 'to [REDACTED:email-address]'],
      headers: { 'x-foo': 'Bearer [REDACTED:slack-bot-token]', ok: 'fine' },
      nested: [{ deeper: [['[REDACTED:slack-bot-token]']] }],
    });
    expect(result.findings).toEqual([
      { rule: 'email-address', path: 'details.args_keys[2]' },
      { rule: 'slack-bot-token', path: 'details.headers["x-foo"]' },
      { rule: 'slack-bot-token', path: 'details.nested[0].deeper[0][0]' },
    ]);
  });

  it('redacts object keys and reports them with the redacted key in the path', () => {
    const input = { args: { [EMAIL]: 1, [`k ${SLACK}`]: EMAIL } };
    const result = redactValue(input, 'details');
    expect(result.value).toEqual({
      args: { '[REDACTED:email-address]': 1, 'k [REDACTED:slack-bot-token]': '[REDACTED:email-address]' },
    });
    expect(result.findings).toEqual([
      { rule: 'email-address', path: 'details.args["[REDACTED:email-address]"]{key}' },
      { rule: 'slack-bot-token', path: 'details.args["k [REDACTED:slack-bot-token]"]{key}' },
      { rule: 'email-address', path: 'details.args["k [REDACTED:slack-bot-token]"]' },
    ]);
    expect(JSON.stringify(result)).not.toContain(SLACK);
    expect(JSON.stringify(result)).not.toContain(EMAIL);
  });

  it('redacts a bare string at the given path, and paths start bare under an empty root', () => {
    expect(redactValue(EMAIL, 'caller_session_id')).toEqual({
      value: '[REDACTED:email-address]',
      findings: [{ rule: 'email-address', path: 'caller_session_id' }],
    });
    expect(redactValue({ a: [EMAIL] }, '').findings).toEqual([{ rule: 'email-address', path: 'a[0]' }]);
  });

  it('never mutates the input and returns it as is when nothing changed', () => {
    const input = deepFreeze({ a: [SLACK, 'x'], b: { c: EMAIL }, d: { clean: ['yes'] } });
    const before = JSON.stringify(input);
    const result = redactValue(input, 'details');
    expect(JSON.stringify(input)).toBe(before);
    const output = result.value as typeof input;
    expect(output).not.toBe(input);
    expect(output.d).toBe(input.d);
    const clean = { a: ['x', 1, null, true], b: { c: 'y' } };
    expect(redactValue(clean, 'details')).toEqual({ value: clean, findings: [] });
    expect(redactValue(clean, 'details').value).toBe(clean);
  });

  it('escapes in a path the line breaks JSON leaves raw, since paths are logged', () => {
    const findings = redactValue({ [`\u2028[kora.x] \u0085`]: EMAIL }, 'details').findings;
    expect(findings).toEqual([{ rule: 'email-address', path: String.raw`details["\u2028[kora.x] \u0085"]` }]);
  });

  it('replaces a circular reference with [Circular]', () => {
    const input: Record<string, unknown> = { name: SLACK };
    input.self = input;
    input.list = [input];
    const result = redactValue(input, 'details');
    expect(result.value).toEqual({ name: '[REDACTED:slack-bot-token]', self: '[Circular]', list: ['[Circular]'] });
    expect(input.self).toBe(input);
  });

  it('walks an object shared by two branches once, keeping the sharing', () => {
    let node: Record<string, unknown> = { leaf: SLACK };
    for (let level = 0; level < 40; level += 1) node = { left: node, right: node };
    const result = redactValue(node, 'details');
    const output = result.value as { left: unknown; right: unknown };
    expect(output.left).toBe(output.right);
    expect(result.findings).toHaveLength(1);
    let leaf: unknown = output;
    while (typeof leaf === 'object' && leaf !== null && 'left' in leaf) leaf = leaf.left;
    expect(leaf).toEqual({ leaf: '[REDACTED:slack-bot-token]' });
  });

  it('reads a throwing getter as [Unreadable] and calls each getter once', () => {
    let reads = 0;
    const input = {
      get broken(): string {
        throw new Error(SLACK);
      },
      get counted(): string {
        reads += 1;
        return EMAIL;
      },
      fine: 'ok',
    };
    const result = redactValue(input, 'details');
    expect(result.value).toEqual({ broken: '[Unreadable]', counted: '[REDACTED:email-address]', fine: 'ok' });
    expect(reads).toBe(1);
  });

  it('turns a hostile proxy into [Unreadable]', () => {
    const { proxy, revoke } = Proxy.revocable({ a: SLACK }, {});
    revoke();
    const throwing = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    expect(redactValue({ proxy, throwing, ok: 1 }, 'details').value).toEqual({
      proxy: '[Unreadable]',
      throwing: '[Unreadable]',
      ok: 1,
    });
  });

  it('keeps __proto__ and constructor keys as own data properties without polluting prototypes', () => {
    const input = JSON.parse(`{"__proto__": {"polluted": "${EMAIL}"}, "constructor": {"prototype": "${EMAIL}"}}`) as object;
    const result = redactValue(input, 'details');
    const output = result.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.keys(output)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(output, '__proto__')?.value).toEqual({ polluted: '[REDACTED:email-address]' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(result.findings.map((finding) => finding.path)).toEqual(['details.__proto__.polluted', 'details.constructor.prototype']);
  });

  it('leaves BigInt, Symbol, functions and other non-string values as they are', () => {
    const symbol = Symbol('s');
    const fn = (): string => SLACK;
    const date = new Date(0);
    const input = { big: 10n, symbol, fn, date, n: Number.NaN, u: undefined, bytes: new Uint8Array([1]), email: EMAIL };
    const output = redactValue(input, 'details').value as typeof input;
    expect(output.big).toBe(10n);
    expect(output.symbol).toBe(symbol);
    expect(output.fn).toBe(fn);
    expect(output.date).toBe(date);
    expect(output.n).toBeNaN();
    expect(output.bytes).toBe(input.bytes);
    expect(output.email).toBe('[REDACTED:email-address]');
    expect(redactValue({ n: Number.NaN }, 'details').findings).toEqual([]);
  });

  it('redacts a boxed string and the fields of a class instance', () => {
    class Credentials {
      constructor(readonly token: string) {}
    }
    // A boxed string is odd input, but it serializes as its text and so must be guarded.
    const result = redactValue({ boxed: new String(EMAIL), instance: new Credentials(SLACK) }, 'details');
    expect(result.value).toEqual({ boxed: '[REDACTED:email-address]', instance: { token: '[REDACTED:slack-bot-token]' } });
  });

  it('replaces containers nested deeper than 64 levels with [TooDeep]', () => {
    let deep: unknown = SLACK;
    for (let level = 0; level < 10_000; level += 1) deep = [deep];
    const result = redactValue(deep, 'details');
    let cursor = result.value;
    let depth = 0;
    while (Array.isArray(cursor)) {
      cursor = cursor[0];
      depth += 1;
    }
    expect(depth).toBe(65);
    expect(cursor).toBe('[TooDeep]');
  });

  it('walks a sparse array by its own keys and keeps its holes', () => {
    const sparse: unknown[] = [];
    sparse[2 ** 32 - 2] = SLACK;
    sparse[3] = 'x';
    const result = redactValue(sparse, 'details');
    const output = result.value as unknown[];
    expect(output.length).toBe(2 ** 32 - 1);
    expect(output[2 ** 32 - 2]).toBe('[REDACTED:slack-bot-token]');
    expect(output[3]).toBe('x');
    expect(0 in output).toBe(false);
    expect(result.findings).toEqual([{ rule: 'slack-bot-token', path: `details[${2 ** 32 - 2}]` }]);
    const holey = ['a', , EMAIL]; // eslint-disable-line no-sparse-arrays -- the hole is the point
    const copy = redactValue(holey, 'x').value as unknown[];
    expect(1 in copy).toBe(false);
    expect(copy).toHaveLength(3);
  });

  it('never throws on any value', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withBoxedValues: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
          withObjectString: true,
          withSparseArray: true,
          withTypedArray: true,
          withUnicodeString: true,
        }),
        (value) => {
          const result = redactValue(value, 'details');
          if (result.findings.length === 0) expect(result.value).toBe(value);
          for (const finding of result.findings) expect(typeof finding.path).toBe('string');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('lets no secret embedded anywhere in a JSON value survive', () => {
    const separator = fc.constantFrom(' ', '\n', '=', ': ', '"', ',', '(');
    const embedded = fc
      .tuple(fc.string({ maxLength: 12 }), separator, fc.constantFrom(...PLANTABLE), separator, fc.string({ maxLength: 12 }))
      .map(([before, open, { example, secret }, close, after]) => ({ text: `${before}${open}${example}${close}${after}`, secret }));
    const tree = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    const planted = fc
      .tuple(tree, embedded, fc.nat(), fc.boolean())
      .map(([root, { text, secret }, seed, asKey]) => ({ value: plant(root, text, seed, asKey), secret }));
    fc.assert(
      fc.property(planted, ({ value, secret }) => {
        const before = JSON.stringify(value);
        expect(before).toContain(JSON.stringify(secret).slice(1, -1));
        const result = redactValue(value, 'details');
        expect(JSON.stringify(result.value)).not.toContain(JSON.stringify(secret).slice(1, -1));
        expect(JSON.stringify(result.findings)).not.toContain(JSON.stringify(secret).slice(1, -1));
        expect(result.findings.length).toBeGreaterThan(0);
        expect(JSON.stringify(value)).toBe(before);
      }),
      { numRuns: 300 },
    );
  });
});
