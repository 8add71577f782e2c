import { Buffer } from 'node:buffer';
import { findSecrets } from '../guard/find-secrets.js';
import { SECRET_RULES } from '../guard/secret-rules.js';

/** A credential-shaped string to plant in hostile input, and the part no output may contain. */
export interface PlantedSecret {
  /** The guard rule meant to find it. */
  readonly rule: string;
  /** What to plant: the secret with whatever label it needs (`password=…`, `Bearer …`). */
  readonly text: string;
  /** The credential itself: the part redaction must remove. */
  readonly secret: string;
}

// Every credential below is assembled from pieces at run time, so that no credential-shaped
// literal sits in the source for repository secret scanners to flag.
const join = (...parts: string[]): string => parts.join('');
const digits = (entropy: string, length: number): string =>
  Array.from(entropy, (character) => String(character.charCodeAt(0) % 10))
    .join('')
    .padEnd(length, '7')
    .slice(0, length);
const upperAlnum = (entropy: string, length: number): string => entropy.toUpperCase().padEnd(length, 'Q').slice(0, length);
const planted = (rule: string, secret: string, label = ''): PlantedSecret => ({ rule, text: `${label}${secret}`, secret });

/**
 * One builder per credential family the guard promises to catch. Each takes `entropy`, at
 * least 64 of `[A-Za-z0-9]`, so that a property test plants a fresh credential every run
 * rather than the guard's own examples only.
 */
const BUILDERS: Readonly<Record<string, (entropy: string) => PlantedSecret>> = {
  'slack-bot-token': (e) => planted('slack-bot-token', join('xox', 'b-', digits(e, 10), '-', digits(e.slice(10), 13), '-', e.slice(0, 24))),
  'slack-user-token': (e) =>
    planted('slack-user-token', join('xox', 'p-', digits(e, 10), '-', digits(e.slice(5), 12), '-', e.slice(0, 32))),
  'slack-token': (e) => planted('slack-token', join('xox', 'c-', digits(e, 12), '-', e.slice(0, 30))),
  'slack-app-token': (e) => planted('slack-app-token', join('xap', 'p-1-A', upperAlnum(e, 10), '-', digits(e, 13), '-', e.slice(0, 40))),
  'slack-config-token': (e) => planted('slack-config-token', join('xoxe', '.xox', 'p-1-', e.slice(0, 40))),
  'slack-refresh-token': (e) => planted('slack-refresh-token', join('xoxe', '-1-', e.slice(0, 40))),
  'slack-webhook-url': (e) =>
    planted(
      'slack-webhook-url',
      join('https://hooks', '.slack.com/services/T', upperAlnum(e, 8), '/B', upperAlnum(e.slice(8), 8), '/', e.slice(0, 24)),
    ),
  'anthropic-api-key': (e) => planted('anthropic-api-key', join('sk-', 'ant-', 'api03-', e, e.slice(0, 30))),
  'anthropic-oauth-token': (e) => planted('anthropic-oauth-token', join('sk-', 'ant-', 'oat01-', e)),
  'anthropic-admin-key': (e) => planted('anthropic-admin-key', join('sk-', 'ant-', 'admin01-', e)),
  'openai-api-key': (e) => planted('openai-api-key', join('sk-', 'proj-', e)),
  'stripe-secret-key': (e) => planted('stripe-secret-key', join('sk', '_live_', e.slice(0, 32))),
  'stripe-restricted-key': (e) => planted('stripe-restricted-key', join('rk', '_test_', e.slice(0, 32))),
  'stripe-webhook-secret': (e) => planted('stripe-webhook-secret', join('whsec', '_', e.slice(0, 32))),
  'aws-access-key-id': (e) => planted('aws-access-key-id', join('AK', 'IA', upperAlnum(e, 16))),
  'aws-temporary-access-key-id': (e) => planted('aws-temporary-access-key-id', join('AS', 'IA', upperAlnum(e, 16))),
  'aws-secret-access-key': (e) => planted('aws-secret-access-key', e.slice(0, 40), join('aws_secret', '_access_key=')),
  'github-token': (e) => planted('github-token', join('gh', 'p_', e.slice(0, 36))),
  'github-fine-grained-token': (e) => planted('github-token', join('github', '_pat_', e.slice(0, 22), '_', e.slice(22, 64))),
  'gitlab-token': (e) => planted('gitlab-token', join('gl', 'pat-', e.slice(0, 20))),
  'npm-token': (e) => planted('npm-token', join('np', 'm_', e.slice(0, 36))),
  'huggingface-token': (e) => planted('huggingface-token', join('h', 'f_', e.slice(0, 34))),
  'google-api-key': (e) => planted('google-api-key', join('AI', 'za', e.slice(0, 35))),
  'sendgrid-api-key': (e) => planted('sendgrid-api-key', join('S', 'G.', e.slice(0, 22), '.', e.slice(22, 64))),
  'json-web-token': (e) =>
    planted(
      'json-web-token',
      join(
        Buffer.from('{"alg":"HS256"}').toString('base64url'),
        '.',
        Buffer.from(`{"sub":"${e.slice(0, 16)}"}`).toString('base64url'),
        '.',
        e.slice(16, 59),
      ),
    ),
  'private-key': (e) =>
    planted(
      'private-key',
      join('-----BEGIN ', 'RSA PRIVATE', ' KEY-----\n', e, '\n', e.slice(0, 20), '==\n-----END RSA ', 'PRIVATE KEY-----'),
    ),
  'url-password': (e) => ({
    rule: 'url-password',
    text: join('postgres://app:', e.slice(0, 20), '@db.internal:5432/app'),
    secret: e.slice(0, 20),
  }),
  'basic-auth': (e) => planted('basic-auth', Buffer.from(`ops:${e.slice(0, 24)}`).toString('base64'), 'Basic '),
  'bearer-token': (e) => planted('bearer-token', join(e.slice(0, 30), '.', digits(e, 6)), 'Bearer '),
  'password-assignment': (e) => planted('password-assignment', e.slice(0, 24), 'password='),
  'email-address': (e) => planted('email-address', join(e.slice(0, 12).toLowerCase(), '@', e.slice(12, 20).toLowerCase(), '.example.com')),
};

/** The families {@link buildCredential} can build: every rule of the guard, GitHub twice. */
export const CREDENTIAL_FAMILIES: readonly string[] = Object.freeze(Object.keys(BUILDERS));

/**
 * Build a fresh credential of `family` from `entropy` (at least 64 of `[A-Za-z0-9]`).
 * @throws Error for an unknown family (a bug in the test).
 */
export function buildCredential(family: string, entropy: string): PlantedSecret {
  const build = BUILDERS[family];
  if (build === undefined) throw new Error(`buildCredential: unknown family '${family}'`);
  if (!/^[A-Za-z0-9]{64,}$/.test(entropy)) throw new Error('buildCredential: entropy must be 64 or more of [A-Za-z0-9]');
  return build(entropy);
}

/**
 * The guard's own positive examples with the part redaction removes, as the guard tests plant
 * them. Secrets shorter than 8 characters are left out: random text can hold them by chance.
 */
export function ruleExampleSecrets(): PlantedSecret[] {
  return SECRET_RULES.flatMap((rule) =>
    rule.examples.positive.flatMap((example) =>
      findSecrets(example)
        .filter((match) => match.rule === rule.id)
        .map((match) => ({ rule: rule.id, text: example, secret: example.slice(match.start, match.end) })),
    ),
  ).filter(({ secret }) => secret.length >= 8);
}

/**
 * Characters that end one token and start the next: a secret planted between two of them is
 * one the guard must find. Some are escaped by the emit helpers (`\x20`, `\x0a`, `\xe9`)
 * before the guard sees them.
 */
export const SECRET_SEPARATORS: readonly string[] = Object.freeze([
  ' ',
  '\n',
  '\t',
  '\r\n',
  '=',
  ': ',
  '"',
  "'",
  ',',
  '(',
  '\u2028',
  '\u00e9',
  '\u3000',
]);

/**
 * Strings that break naive formatting, parsing or logging: line breaks of every kind, a
 * forged `[kora.` line, lone surrogates, prototype keys, quotes and backslashes, bidi and
 * BOM characters, Python escapes written literally.
 */
export const HOSTILE_STRINGS: readonly string[] = Object.freeze([
  '',
  ' ',
  '\n',
  '\r',
  '\r\n',
  '\u2028',
  '\u2029',
  '\u0085',
  '\v',
  '\f',
  '\x00',
  '\x07',
  '\x1b[31m',
  '\x7f',
  '\ud800',
  '\udfff',
  '\udc00\ud800',
  '\ud83d\ude00',
  '\u202e',
  '\ufeff',
  '\u00e9',
  '"',
  "'",
  '\\',
  '\\x0a',
  '\\n',
  '%s',
  '${x}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '\n[kora.mcp.tool_called] tool=forged caller_actor_kind=admin args_keys=[] result=ok',
  '\u2028[kora.audit.skipped] forged=1',
  '\r[kora.webhook.dead_letter] source=slack reason=forged',
]);

/** The kinds of hostile value {@link makeHostileValue} builds. */
export const HOSTILE_VALUE_KINDS = [
  'circular',
  'revoked-proxy',
  'throwing-proxy',
  'flip-flop-proxy',
  'throwing-getter',
  'flip-flop-getter',
  'inherited-getter',
  'inherited-key',
  'throwing-to-json',
  'secret-to-json',
  'prototype-keys',
  'null-prototype',
  'deep',
  'huge-string',
  'huge-array',
  'sparse-array',
  'nan',
  'infinity',
  'negative-zero',
  'bigint',
  'symbol',
  'function',
  'date',
  'invalid-date',
  'buffer',
  'map',
  'set',
  'error',
  'boxed-string',
] as const;

/** One of {@link HOSTILE_VALUE_KINDS}. */
export type HostileValueKind = (typeof HOSTILE_VALUE_KINDS)[number];

/**
 * A hostile value of `kind` carrying `text` wherever the kind allows: in a property, a key, a
 * getter's second answer, an error message, a function's name, a symbol's description. Object
 * kinds give `text` to each of `keys` (so a test can aim at a schema's fields).
 */
export function makeHostileValue(kind: HostileValueKind, text: string, keys: readonly string[] = ['value']): unknown {
  const record = (value: unknown): Record<string, unknown> => Object.fromEntries(keys.map((key) => [key, value]));
  switch (kind) {
    case 'circular': {
      const node: Record<string, unknown> = record(text);
      node.self = node;
      node.list = [node, text];
      return node;
    }
    case 'revoked-proxy': {
      const { proxy, revoke } = Proxy.revocable(record(text), {});
      revoke();
      return proxy;
    }
    case 'throwing-proxy':
      return new Proxy(record(text), {
        get() {
          throw new Error(text);
        },
        ownKeys() {
          throw new Error(text);
        },
        getOwnPropertyDescriptor() {
          throw new Error(text);
        },
      });
    case 'flip-flop-proxy': {
      // Clean on the first read of each key, the secret on every later one.
      const reads = new Map<PropertyKey, number>();
      return new Proxy(record('clean'), {
        get(target, key, receiver) {
          const count = reads.get(key) ?? 0;
          reads.set(key, count + 1);
          return count === 0 || typeof key !== 'string' || !keys.includes(key) ? (Reflect.get(target, key, receiver) as unknown) : text;
        },
      });
    }
    case 'throwing-getter': {
      const object = {};
      for (const key of keys) {
        Object.defineProperty(object, key, {
          enumerable: true,
          get() {
            throw new Error(text);
          },
        });
      }
      return object;
    }
    case 'flip-flop-getter': {
      const object = {};
      for (const key of keys) {
        let reads = 0;
        Object.defineProperty(object, key, {
          enumerable: true,
          get() {
            reads += 1;
            return reads === 1 ? 'clean' : text;
          },
        });
      }
      return object;
    }
    case 'inherited-getter': {
      // No own keys: a walk by `Object.keys` sees nothing, a read by name finds the getter.
      const prototype = {};
      for (const key of keys) Object.defineProperty(prototype, key, { get: () => text });
      return Object.create(prototype) as object;
    }
    case 'inherited-key':
      // An enumerable inherited key: `Object.keys` skips it, a `for…in` loop does not.
      return Object.assign(Object.create({ [text]: text }) as object, record('clean'));
    case 'throwing-to-json':
      return Object.assign(
        Object.create({
          toJSON(): never {
            throw new Error(text);
          },
        }) as object,
        record('clean'),
      );
    case 'secret-to-json':
      return Object.assign(Object.create({ toJSON: () => text }) as object, record('clean'));
    case 'prototype-keys':
      return JSON.parse(
        `{"__proto__": ${JSON.stringify(record(text))}, "constructor": {"prototype": ${JSON.stringify(text)}}, "prototype": [${JSON.stringify(text)}]}`,
      ) as unknown;
    case 'null-prototype':
      return Object.assign(Object.create(null) as object, record(text));
    case 'deep': {
      let nested: unknown = text;
      for (let level = 0; level < 300; level += 1) nested = level % 2 === 0 ? [nested] : { [keys[0] ?? 'value']: nested };
      return nested;
    }
    case 'huge-string':
      // Longer than a row's default 16 KiB once encoded, short of a 20 000-character field cap.
      return `${'\u00e9x '.repeat(4_000)}${text}${' \n'.repeat(2_500)}`;
    case 'huge-array':
      return Array.from({ length: 5_000 }, (_, index) => (index % 997 === 0 ? text : `k${index}`));
    case 'sparse-array': {
      const sparse: unknown[] = [];
      sparse[2 ** 31] = text;
      sparse[1] = text;
      return sparse;
    }
    case 'nan':
      return Number.NaN;
    case 'infinity':
      return text.length % 2 === 0 ? Infinity : -Infinity;
    case 'negative-zero':
      return -0;
    case 'bigint':
      return BigInt(text.length) * 10n ** 30n;
    case 'symbol':
      return Symbol(text);
    case 'function': {
      const named = (): string => text;
      Object.defineProperty(named, 'name', { value: text });
      return named;
    }
    case 'date':
      return new Date(Date.UTC(2026, 10, 26, 17, 15, 48, text.length % 1000));
    case 'invalid-date':
      return new Date(Number.NaN);
    case 'buffer':
      return Buffer.from(text, 'utf8');
    case 'map':
      return new Map([[text, text]]);
    case 'set':
      return new Set([text]);
    case 'error': {
      // The message and the class name both reach a formatter that prints errors.
      class HostileError extends Error {}
      Object.defineProperty(HostileError, 'name', { value: text });
      return new HostileError(text);
    }
    case 'boxed-string':
      // A boxed string is odd input, but JSON writes it as its text.
      return new String(text);
  }
}
