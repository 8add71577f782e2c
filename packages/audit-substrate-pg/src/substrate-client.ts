import type pg from 'pg';

/**
 * Where statements go: a pool (each call may use another connection) or one connected client
 * (inside the caller's transaction, if it opened one).
 */
export type SubstrateClient = pg.Pool | pg.ClientBase;

/** Whether `client` is a pool (each statement may take another connection) rather than one client. */
export function isPool(client: SubstrateClient): client is pg.Pool {
  // Duck-typed: a pool from another copy of `pg` is still a pool.
  return 'totalCount' in client && typeof client.connect === 'function';
}

/**
 * Run `body` on one connection: a pool lends one for the duration, a client is used as it
 * is. Statements that must share a session (a transaction) go through here.
 */
export async function withConnection<T>(client: SubstrateClient, body: (connection: pg.ClientBase) => Promise<T>): Promise<T> {
  if (!isPool(client)) return body(client);
  const connection = await client.connect();
  let broken: Error | undefined;
  try {
    return await body(connection);
  } catch (error) {
    // A connection whose session state is unknown is closed, not lent out again.
    broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    connection.release(broken);
  }
}
