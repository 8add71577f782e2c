import { describe, expect, it } from 'vitest';
import { formatFixedHalfEven } from './format-fixed-half-even.js';

// Expected values below were printed by CPython 3.11's `'%.<n>f' % value`.
describe('formatFixedHalfEven', () => {
  it('rounds an exact binary tie to even', () => {
    expect(formatFixedHalfEven(1700000004.3125, 3)).toBe('1700000004.312');
    expect(formatFixedHalfEven(0.125, 2)).toBe('0.12');
    expect(formatFixedHalfEven(0.5, 0)).toBe('0');
    expect(formatFixedHalfEven(1.5, 0)).toBe('2');
    expect(formatFixedHalfEven(2.5, 0)).toBe('2');
    expect(formatFixedHalfEven(-2.5, 0)).toBe('-2');
  });

  it('rounds the exact binary value, not the decimal literal', () => {
    expect(formatFixedHalfEven(2.675, 2)).toBe('2.67');
    expect(formatFixedHalfEven(123.4565, 3)).toBe('123.457');
    expect(formatFixedHalfEven(1.005, 2)).toBe('1.00');
    expect(formatFixedHalfEven(0.35, 1)).toBe('0.3');
    expect(formatFixedHalfEven(1699999999.9999, 3)).toBe('1700000000.000');
  });

  it('pads to the requested digits', () => {
    expect(formatFixedHalfEven(1700000001.5, 3)).toBe('1700000001.500');
    expect(formatFixedHalfEven(1700000002, 3)).toBe('1700000002.000');
    expect(formatFixedHalfEven(0.1, 20)).toBe('0.10000000000000000555');
  });

  it('writes large and tiny values in full', () => {
    expect(formatFixedHalfEven(1e22, 3)).toBe('10000000000000000000000.000');
    expect(formatFixedHalfEven(5e-324, 1)).toBe('0.0');
  });

  it('keeps the sign of a negative value that rounds to zero', () => {
    expect(formatFixedHalfEven(-0.0001, 3)).toBe('-0.000');
    expect(formatFixedHalfEven(-0, 1)).toBe('-0.0');
  });

  it('writes nan and infinities as Python does', () => {
    expect(formatFixedHalfEven(Number.NaN, 3)).toBe('nan');
    expect(formatFixedHalfEven(Infinity, 3)).toBe('inf');
    expect(formatFixedHalfEven(-Infinity, 3)).toBe('-inf');
  });

  it('differs from toFixed on exact ties', () => {
    expect((0.125).toFixed(2)).toBe('0.13');
    expect(formatFixedHalfEven(0.125, 2)).toBe('0.12');
    expect((0.25).toFixed(1)).toBe('0.3');
    expect(formatFixedHalfEven(0.25, 1)).toBe('0.2');
  });

  it('agrees with toFixed wherever the value is not a tie', () => {
    for (const value of [0.1, 1.005, 1234.5678, 1e-7, 98765.4321]) {
      expect(formatFixedHalfEven(value, 3)).toBe(value.toFixed(3));
    }
  });

  it('rejects a digit count that is not a small non-negative integer', () => {
    expect(() => formatFixedHalfEven(1, -1)).toThrow(RangeError);
    expect(() => formatFixedHalfEven(1, 1.5)).toThrow(RangeError);
  });
});
