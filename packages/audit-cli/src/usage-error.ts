/** A mistake in the command line or an input that cannot be read: exit code 2, one line on stderr. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Rethrow a reader error (bad cursor, directory, unreadable file) as a usage error, without
 * the `readAuditEntries:` prefix that means nothing on a command line.
 */
export function asUsageError(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  throw new UsageError(message.replace(/^readAuditEntries: /, ''));
}
