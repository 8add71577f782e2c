import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallersFileError, hashCallerToken, loadCallersFile, parseCallersFile } from './callers-file.js';

const pmToken = 'pm-agent-token-0123456789abcdef';
const opsToken = 'ops-agent-token-fedcba9876543210';

function entry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'pm-agent',
    token_sha256: hashCallerToken(pmToken),
    actor_kind: 'claude_pm_isokron',
    capabilities: ['ops:read', 'tickets:read', 'tickets:write'],
    ...overrides,
  };
}

function fileText(...callers: Record<string, unknown>[]): string {
  return JSON.stringify({ callers });
}

function problemWith(text: string): string {
  try {
    parseCallersFile(text, '/etc/kora/callers.json');
  } catch (error) {
    expect(error).toBeInstanceOf(CallersFileError);
    return (error as Error).message;
  }
  throw new Error('the callers file was accepted');
}

describe('hashCallerToken', () => {
  it('is the lower-case hex SHA-256 of the token', () => {
    // The FIPS 180-2 test vector for "abc".
    expect(hashCallerToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('parseCallersFile', () => {
  const twoCallers = fileText(
    entry(),
    entry({ name: 'ops-agent', token_sha256: hashCallerToken(opsToken), actor_kind: 'ops_bot', capabilities: ['ops:transition'] }),
  );

  it('maps each token to its caller, actor kind and capabilities', () => {
    const registry = parseCallersFile(twoCallers);
    expect(registry.callers.map((caller) => caller.name)).toEqual(['pm-agent', 'ops-agent']);
    const pm = registry.authenticate(pmToken);
    expect(pm?.name).toBe('pm-agent');
    expect(pm?.actorKind).toBe('claude_pm_isokron');
    expect([...(pm?.capabilities ?? [])]).toEqual(['ops:read', 'tickets:read', 'tickets:write']);
    // The second entry matches too: the comparison does not stop at the first entry.
    expect(registry.authenticate(opsToken)?.name).toBe('ops-agent');
  });

  it('rejects a wrong token, one of another length and an empty one', () => {
    const registry = parseCallersFile(twoCallers);
    expect(registry.authenticate(`${pmToken.slice(0, -1)}X`)).toBeUndefined();
    expect(registry.authenticate(`${pmToken}-and-more`)).toBeUndefined();
    expect(registry.authenticate('short')).toBeUndefined();
    expect(registry.authenticate('')).toBeUndefined();
    // The hash itself is not a token.
    expect(registry.authenticate(hashCallerToken(pmToken))).toBeUndefined();
  });

  it('accepts a file with no callers, which lets nobody in', () => {
    expect(parseCallersFile('{"callers": []}').authenticate(pmToken)).toBeUndefined();
  });

  it('names the file and says the text is not JSON, without quoting it', () => {
    const hash = hashCallerToken(pmToken);
    const message = problemWith(`{"callers": [{"token_sha256": "${hash}",}]}`);
    expect(message).toBe('callers file /etc/kora/callers.json: is not valid JSON');
  });

  it('names every invalid field by its path', () => {
    const message = problemWith(
      fileText(
        entry({ name: 'PM Agent', capabilities: ['tickets:read', 'root'] }),
        entry({ name: 'other', token_sha256: hashCallerToken(opsToken), actor_kind: undefined }),
      ),
    );
    expect(message).toMatch(/^callers file \/etc\/kora\/callers\.json: /);
    expect(message).toContain('callers[0].name must be 1-64 of a-z 0-9 _ . -');
    expect(message).toContain(
      'callers[0].capabilities[1] must be one of ops:read, ops:transition, tickets:read, tickets:write, slack:send',
    );
    expect(message).toContain('callers[1].actor_kind is required');
    expect(message).not.toContain('\n');
  });

  it('rejects a hash that is not 64 lower-case hex characters, never quoting it', () => {
    const upper = hashCallerToken(pmToken).toUpperCase();
    const message = problemWith(fileText(entry({ token_sha256: upper })));
    expect(message).toContain('callers[0].token_sha256 must be 64 lower-case hex characters');
    expect(message).not.toContain(upper);
    expect(problemWith(fileText(entry({ token_sha256: 'abc123' })))).toContain('callers[0].token_sha256 must be 64');
  });

  it('rejects the hash of an empty token', () => {
    expect(problemWith(fileText(entry({ token_sha256: hashCallerToken('') })))).toContain(
      'callers[0].token_sha256 is the hash of an empty token',
    );
  });

  it('rejects a token stored in place of its hash, without echoing it', () => {
    const message = problemWith(fileText({ ...entry(), token: pmToken }));
    expect(message).toContain('callers[0] has unknown key: token (store token_sha256, never the token)');
    expect(message).not.toContain(pmToken);
  });

  it('does not echo an unknown key that does not look like a field name', () => {
    const message = problemWith(fileText({ ...entry(), [pmToken]: true }));
    expect(message).toContain('callers[0] has 1 unknown key');
    expect(message).not.toContain(pmToken);
  });

  it('rejects duplicate names and duplicate hashes, naming entries not values', () => {
    const hash = hashCallerToken(pmToken);
    const message = problemWith(fileText(entry(), entry({ token_sha256: hashCallerToken(opsToken) }), entry({ name: 'third' })));
    expect(message).toContain('callers[1].name is already used by callers[0]');
    expect(message).toContain('callers[2].token_sha256 is already used by callers[0]');
    expect(message).not.toContain(hash);
  });

  it('reserves the anonymous actor kind for unauthenticated requests', () => {
    expect(problemWith(fileText(entry({ actor_kind: 'anonymous' })))).toContain('callers[0].actor_kind must not be "anonymous"');
  });

  it('rejects a capability listed twice and a top level that is not an object', () => {
    expect(problemWith(fileText(entry({ capabilities: ['ops:read', 'ops:read'] })))).toContain(
      'callers[0].capabilities lists a capability twice',
    );
    expect(problemWith('[]')).toContain('the top level must be a JSON object');
    expect(problemWith('{}')).toContain('callers is required');
  });
});

describe('loadCallersFile', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'kora-callers-'));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('reads the file at the path', () => {
    const path = join(directory, 'callers.json');
    writeFileSync(path, fileText(entry()));
    expect(loadCallersFile(path).authenticate(pmToken)?.actorKind).toBe('claude_pm_isokron');
  });

  it('names the file and the reason when it cannot be read', () => {
    const path = join(directory, 'missing.json');
    expect(() => loadCallersFile(path)).toThrow(new CallersFileError(`callers file ${path}: cannot be read (ENOENT)`));
  });

  it('names the file when its content is invalid', () => {
    const path = join(directory, 'callers.json');
    writeFileSync(path, fileText(entry({ capabilities: 'all' })));
    expect(() => loadCallersFile(path)).toThrow(`callers file ${path}: callers[0].capabilities must be an array`);
  });
});
