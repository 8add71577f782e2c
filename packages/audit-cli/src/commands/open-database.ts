import type { SubstrateClient, SubstrateTimeouts } from '@kora/audit-substrate-pg';
import type { CliIo } from '../cli-io.js';
import type { CommandOptions } from '../command-options.js';
import { UsageError } from '../usage-error.js';

/** The options every `db` subcommand takes; {@link readDatabaseTarget} reads them. */
export const DATABASE_OPTIONS = {
  'database-url': { type: 'string', value: 'URL', description: 'postgres://user:password@host:5432/db (default: KORA_DATABASE_URL)' },
  table: { type: 'string', value: 'T', description: 'the table, name or schema.name (default kora_audit_events)' },
} as const satisfies CommandOptions;

/** The event log a `db` subcommand works on: its table's name and what to connect with. */
export interface DatabaseTarget {
  readonly databaseUrl: string;
  readonly table: string;
}

/** `--database-url` (else `KORA_DATABASE_URL`) and `--table`, checked before anything connects. */
export async function readDatabaseTarget(
  values: { readonly 'database-url'?: string | undefined; readonly table?: string | undefined },
  io: CliIo,
): Promise<DatabaseTarget> {
  const databaseUrl = values['database-url'] ?? io.env.KORA_DATABASE_URL;
  if (databaseUrl === undefined || databaseUrl.trim() === '') throw new UsageError('--database-url is required (or set KORA_DATABASE_URL)');
  // The driver is loaded only to connect: help and argument errors answer without it.
  const { parseSubstrateTable } = await import('@kora/audit-substrate-pg');
  try {
    return { databaseUrl, table: parseSubstrateTable(values.table).name };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Run `body` with a pool of one connection to the event log, closed when done. A database
 * error becomes a UsageError naming the table and the URL with its password masked; the
 * driver's message is scrubbed of the password too, as it may quote the connection string.
 * Errors of the options (RangeError) keep their message.
 */
export async function withDatabase<T>(
  target: DatabaseTarget,
  options: {
    readonly applicationName: string;
    /** What the error says could not be done: `cannot <action> <table> at …`. */
    readonly action: string;
    readonly timeouts?: SubstrateTimeouts | undefined;
  },
  body: (client: SubstrateClient) => Promise<T>,
): Promise<T> {
  const { createSubstratePool, readDatabasePassword, readDatabaseErrorCode, redactDatabaseUrl } = await import('@kora/audit-substrate-pg');
  const pool = createSubstratePool({
    connectionString: target.databaseUrl,
    max: 1,
    applicationName: options.applicationName,
    ...options.timeouts,
  });
  try {
    return await body(pool);
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    const password = readDatabasePassword(target.databaseUrl);
    let message = error instanceof Error ? error.message : String(error);
    if (password !== undefined && password !== '') message = message.split(password).join('***');
    throw new UsageError(
      `cannot ${options.action} ${target.table} at ${redactDatabaseUrl(target.databaseUrl)}: code=${readDatabaseErrorCode(error)} ${message}`,
    );
  } finally {
    await pool.end().catch(() => undefined);
  }
}
