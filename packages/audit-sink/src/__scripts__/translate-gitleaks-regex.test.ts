import { describe, expect, it } from 'vitest';
import { leadingLiteral, translateGitleaksRegex, UNBOUNDED_LIMIT } from './translate-gitleaks-regex.js';

const translate = (source: string): RegExp => new RegExp(translateGitleaksRegex(source));

describe('translateGitleaksRegex', () => {
  it('spells out an inline (?i) from where it stands to the end of its group', () => {
    const pattern = translate(String.raw`ab\.cd\.(?i)[a-f0-9]{4}x`);
    expect(pattern.test('ab.cd.0AfFX')).toBe(true);
    expect(pattern.test('AB.cd.0aff')).toBe(false);
    expect(translate(String.raw`(?:k(?i)x)y`).test('kXy')).toBe(true);
    expect(translate(String.raw`(?:k(?i)x)y`).test('kXY')).toBe(false);
  });

  it('keeps a (?-i:…) stretch case-sensitive inside a case-insensitive pattern', () => {
    const pattern = translate(String.raw`(?i)[a-z]{2}\.(?-i:atl)\.[a-z]{2}`);
    expect(pattern.test('Qz.atl.Mm')).toBe(true);
    expect(pattern.test('qz.ATL.mm')).toBe(false);
    expect(translate(String.raw`x(?i:ab)y`).test('xABy')).toBe(true);
    expect(translate(String.raw`x(?i:ab)y`).test('xABY')).toBe(false);
  });

  it('folds letter ranges without turning a trailing dash into a range', () => {
    const pattern = translate(String.raw`(?i)^[a-z0-9_-]{3}$`);
    expect(pattern.test('A_-')).toBe(true);
    expect(pattern.test('A.B')).toBe(false);
  });

  it('bounds every unbounded quantifier', () => {
    const source = translateGitleaksRegex(String.raw`a+b*c{250,}d+?`);
    expect(source).toBe(`a{1,${UNBOUNDED_LIMIT}}b{0,${UNBOUNDED_LIMIT}}c{250,${UNBOUNDED_LIMIT}}d{1,${UNBOUNDED_LIMIT}}?`);
    expect(source).not.toMatch(/[+*]|\{\d+,\}/);
  });

  it('reads \\z, \\x escapes, \\b and named groups as RE2 does', () => {
    expect(translate(String.raw`\bq_[a-z]{2}(?:\x60|\z)`).test('x q_ab')).toBe(true);
    expect(translate(String.raw`(?i)\x41`).test('A')).toBe(true);
    const named = new RegExp(translateGitleaksRegex(String.raw`(?P<kind>ab)(c)`)).exec('abc');
    expect(named?.[1]).toBe('c');
  });

  it('refuses what it cannot translate rather than guess', () => {
    expect(() => translateGitleaksRegex(String.raw`(?s:.)x`)).toThrow(/unsupported flags/);
    expect(() => translateGitleaksRegex(String.raw`\pLx`)).toThrow(/unsupported escape/);
    expect(() => translateGitleaksRegex('[abc')).toThrow(/unterminated/);
  });

  it('runs a translated pattern over a megabyte of near-misses in linear time', () => {
    const pattern = translate(String.raw`(?i)\b(tok_[a-z0-9]{20,})(?:[\x60'"\s;]|$)`);
    expect(pattern.test(`tok_${'a'.repeat(19)}-`.repeat(50_000))).toBe(false);
  });
});

describe('leadingLiteral', () => {
  it('reads the prefix a translated pattern starts with', () => {
    expect(leadingLiteral(translateGitleaksRegex(String.raw`\b(dop_v1_[a-f0-9]{64})`))).toBe('dop_v1_');
    expect(leadingLiteral(translateGitleaksRegex(String.raw`(?i)\b(dor_v1_[a-f0-9]{64})`))).toBe('dor_v1_');
    expect(leadingLiteral(translateGitleaksRegex(String.raw`dp\.pt\.(?i)[a-z0-9]{43}`))).toBe('dp.pt.');
    expect(leadingLiteral(translateGitleaksRegex(String.raw`(?i)[\w.-]{0,50}?(?:vendor)`))).toBe('');
  });
});
