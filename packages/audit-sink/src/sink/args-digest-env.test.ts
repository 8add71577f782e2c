import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createArgsDigester } from '../digest/create-args-digester.js';
import { sinkOptionsFromEnv } from './default-sink.js';

const path = '/tmp/kora-args-digest-env/kora_audit_log.jsonl';

describe('sinkOptionsFromEnv with KORA_AUDIT_HMAC_KEY', () => {
  it('makes the digester the key describes, named by its id or the default id', () => {
    const key = randomBytes(32).toString('base64');
    const plain = sinkOptionsFromEnv({ KORA_AUDIT_LOG_PATH: path, KORA_AUDIT_HMAC_KEY: ` ${key}\n` });
    expect(plain.ignored).toEqual([]);
    expect(plain.options.argsDigester?.keyId).toBe(createArgsDigester({ key }).keyId);
    expect(plain.options.argsDigester?.digest({ b: 1, a: 2 })).toEqual(createArgsDigester({ key }).digest({ a: 2, b: 1 }));
    const named = sinkOptionsFromEnv({ KORA_AUDIT_LOG_PATH: path, KORA_AUDIT_HMAC_KEY: key, KORA_AUDIT_HMAC_KEY_ID: 'k2026-12' });
    expect(named.options.argsDigester?.keyId).toBe('k2026-12');
  });

  it('makes no digester without a key', () => {
    expect(sinkOptionsFromEnv({ KORA_AUDIT_LOG_PATH: path }).options.argsDigester).toBeUndefined();
    expect(sinkOptionsFromEnv({ KORA_AUDIT_LOG_PATH: path, KORA_AUDIT_HMAC_KEY: '  ' }).options.argsDigester).toBeUndefined();
  });

  it('names an unusable key or key id, never its value, and makes no digester', () => {
    const short = randomBytes(16).toString('base64');
    const cases = [
      [{ KORA_AUDIT_HMAC_KEY: short }, 'KORA_AUDIT_HMAC_KEY'],
      [{ KORA_AUDIT_HMAC_KEY: 'not base64!' }, 'KORA_AUDIT_HMAC_KEY'],
      [{ KORA_AUDIT_HMAC_KEY: randomBytes(32).toString('base64'), KORA_AUDIT_HMAC_KEY_ID: 'has space' }, 'KORA_AUDIT_HMAC_KEY_ID'],
      [{ KORA_AUDIT_HMAC_KEY_ID: 'k1' }, 'KORA_AUDIT_HMAC_KEY_ID'],
    ] as const;
    for (const [env, name] of cases) {
      const { options, ignored } = sinkOptionsFromEnv({ KORA_AUDIT_LOG_PATH: path, ...env });
      expect(options.argsDigester).toBeUndefined();
      expect(ignored).toEqual([name]);
    }
  });

  it('never throws and never echoes a key, whatever the variables hold', () => {
    fc.assert(
      fc.property(fc.option(fc.string()), fc.option(fc.string()), (key, keyId) => {
        const { ignored } = sinkOptionsFromEnv({
          KORA_AUDIT_LOG_PATH: path,
          KORA_AUDIT_HMAC_KEY: key ?? undefined,
          KORA_AUDIT_HMAC_KEY_ID: keyId ?? undefined,
        });
        for (const name of ignored) expect(['KORA_AUDIT_HMAC_KEY', 'KORA_AUDIT_HMAC_KEY_ID']).toContain(name);
      }),
    );
  });
});
