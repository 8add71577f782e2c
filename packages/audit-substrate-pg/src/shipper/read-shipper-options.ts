import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { readIntegerOption } from '@kora/audit-sink';
import type { AuditLogger } from '@kora/audit-sink';
import { parseSubstrateTable } from '../substrate-table.js';
import type { SubstrateTable } from '../substrate-table.js';
import { readDatabasePassword, redactDatabaseUrl } from './redact-database-url.js';
import type { ShipperOptions } from './shipper-types.js';

const DEFAULT_BATCH_ROWS = 2_000;
const MAX_BATCH_ROWS = 50_000;
const POLL_MS = { min: 1, max: 3_600_000, fallback: 500 };
const RETRY_DELAY_MS = { min: 1, max: 3_600_000 };

/** A shipper's options, checked, with their defaults filled in. */
export interface ShipperSettings {
  readonly path: string;
  readonly checkpointPath: string;
  readonly table: SubstrateTable;
  readonly originHost: string;
  readonly batchRows: number;
  readonly follow: boolean;
  readonly pollMs: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly giveUpAfterMs: number | undefined;
  readonly logger: AuditLogger;
  /** The database as the log lines name it: the URL without its password, or `pool`. */
  readonly databaseLabel: string;
  /** Takes the URL's password out of a text. */
  readonly scrub: (text: string) => string;
}

/**
 * Check a shipper's options and fill in the defaults. Throws a TypeError (wrong type, or
 * neither or both of `pool` and `databaseUrl`) or a RangeError (out of range, not a whole
 * number, an empty `originHost`, a table name that is not an identifier); nothing is clamped.
 */
export function readShipperOptions(options: ShipperOptions): ShipperSettings {
  const path = resolve(options.path);
  const checkpointPath = resolve(options.checkpointPath ?? `${path}.ship-checkpoint.json`);
  const table = parseSubstrateTable(options.table);
  const originHost = options.originHost ?? hostname();
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  if (!Number.isSafeInteger(batchRows) || batchRows < 1 || batchRows > MAX_BATCH_ROWS) {
    throw new RangeError(`createShipper: batchRows must be an integer from 1 to ${MAX_BATCH_ROWS}`);
  }
  if (originHost === '') throw new RangeError('createShipper: originHost must not be empty');
  if ((options.pool === undefined) === (options.databaseUrl === undefined)) {
    throw new TypeError('createShipper: give either pool or databaseUrl');
  }
  const pollMs = readIntegerOption('createShipper', 'pollMs', options.pollMs, POLL_MS);
  const initialDelayMs = readIntegerOption('createShipper', 'retry.initialDelayMs', options.retry?.initialDelayMs, {
    ...RETRY_DELAY_MS,
    fallback: 100,
  });
  const maxDelayMs = readIntegerOption('createShipper', 'retry.maxDelayMs', options.retry?.maxDelayMs, {
    min: initialDelayMs,
    max: RETRY_DELAY_MS.max,
    fallback: Math.max(30_000, initialDelayMs),
  });
  const giveUpAfterMs = options.giveUpAfterMs;
  if (giveUpAfterMs !== undefined && (!Number.isFinite(giveUpAfterMs) || giveUpAfterMs < 0)) {
    throw new RangeError('createShipper: giveUpAfterMs must be a number of milliseconds');
  }
  const logger = options.logger ?? {
    info: (message: string) => void process.stderr.write(`${message}\n`),
    warn: (message: string) => void process.stderr.write(`${message}\n`),
  };
  const databaseLabel = options.databaseUrl === undefined ? 'pool' : redactDatabaseUrl(options.databaseUrl);
  const password = options.databaseUrl === undefined ? undefined : readDatabasePassword(options.databaseUrl);
  const scrub = (text: string): string => (password === undefined || password === '' ? text : text.split(password).join('***'));
  return {
    path,
    checkpointPath,
    table,
    originHost,
    batchRows,
    follow: options.follow === true,
    pollMs,
    initialDelayMs,
    maxDelayMs,
    giveUpAfterMs,
    logger,
    databaseLabel,
    scrub,
  };
}
