import { describe, expect, it } from 'vitest';
import { formatPythonInt } from './format-python-int.js';

describe('formatPythonInt', () => {
  it('writes integers in decimal, however large', () => {
    expect(formatPythonInt(42)).toBe('42');
    expect(formatPythonInt(2147483648)).toBe('2147483648');
    expect(formatPythonInt(1e21)).toBe('1000000000000000000000');
    expect(formatPythonInt(2n ** 64n)).toBe('18446744073709551616');
  });

  it('truncates floats toward zero as Python int() does', () => {
    expect(formatPythonInt(3.9)).toBe('3');
    expect(formatPythonInt(-3.9)).toBe('-3');
    expect(formatPythonInt(-0.5)).toBe('0');
  });

  it('shows other input through %s instead of throwing', () => {
    expect(formatPythonInt(Number.NaN)).toBe('nan');
    expect(formatPythonInt(-Infinity)).toBe('-inf');
    expect(formatPythonInt(null)).toBe('None');
    expect(formatPythonInt('12\n')).toBe(String.raw`12\n`);
    expect(formatPythonInt(true)).toBe('True');
  });
});
