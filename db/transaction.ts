import type { Pool, PoolClient } from 'pg';
import { isConnectionError } from './availability';

/** Either the pool or a client checked out of it (inside a transaction): anything a query can run on. */
export type Queryable = Pool | PoolClient;

/** Runs `work` in one transaction: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // a pool made elsewhere may not listen on checked-out clients; a lost connection must reject, not crash
  const ignore = () => undefined;
  client.on('error', ignore);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    if (isConnectionError(err)) broken = err instanceof Error ? err : new Error(String(err));
    else await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.removeListener('error', ignore);
    // a connection that failed goes away rather than back to the pool
    client.release(broken);
  }
}
