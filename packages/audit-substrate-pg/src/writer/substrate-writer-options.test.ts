import { describe, expect, it } from 'vitest';
import type { SubstrateClient } from '../substrate-client.js';
import { createSubstrateWriter } from './create-substrate-writer.js';
import type { SubstrateWriterOptions } from './create-substrate-writer.js';

// Never reached: every writer here is refused, or closed before it has a row.
const client = { query: () => Promise.reject(new Error('not reached')) } as unknown as SubstrateClient;
const silent = { info: () => undefined, warn: () => undefined };
const create = (options: Partial<Record<keyof SubstrateWriterOptions, unknown>>): unknown =>
  createSubstrateWriter({ client, logger: silent, ...options } as SubstrateWriterOptions);

describe('createSubstrateWriter options', () => {
  it('refuses a number out of range or not whole with a RangeError naming the option, instead of changing it', () => {
    expect(() => create({ batchRows: 0 })).toThrow(
      new RangeError('createSubstrateWriter: batchRows must be an integer from 1 to 50000, got 0'),
    );
    expect(() => create({ batchRows: 50_001 })).toThrow(RangeError);
    expect(() => create({ batchRows: 2.5 })).toThrow(RangeError);
    expect(() => create({ flushIntervalMs: 0 })).toThrow(
      new RangeError('createSubstrateWriter: flushIntervalMs must be an integer from 1 to 3600000, got 0'),
    );
    expect(() => create({ closeTimeoutMs: -1 })).toThrow(RangeError);
    expect(() => create({ closeTimeoutMs: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    // The queue must hold at least one batch.
    expect(() => create({ batchRows: 100, maxQueuedRows: 50 })).toThrow(
      new RangeError('createSubstrateWriter: maxQueuedRows must be an integer from 100 to 10000000, got 50'),
    );
  });

  it('refuses a value of the wrong type with a TypeError', () => {
    expect(() => create({ batchRows: '10' })).toThrow(
      new TypeError('createSubstrateWriter: batchRows must be an integer from 1 to 50000, got a string'),
    );
  });

  it('refuses an empty origin host and a table name that is not an identifier, which would fail every insert', () => {
    expect(() => create({ originHost: '' })).toThrow(new RangeError('createSubstrateWriter: originHost must not be empty'));
    expect(() => create({ table: 'audit events; drop' })).toThrow(RangeError);
  });

  it('accepts the bounds themselves', async () => {
    const writer = createSubstrateWriter({ client, logger: silent, batchRows: 50_000, flushIntervalMs: 3_600_000, closeTimeoutMs: 0 });
    expect(writer.stats()).toMatchObject({ rowsQueued: 0, rowsDropped: 0 });
    await writer.close();
  });
});
