import type { Pool } from 'pg';
import Cursor from 'pg-cursor';

/** Rows a download reads from Postgres at a time: memory stays flat however many rows match. */
export const CURSOR_BATCH = 500;

/** How long a download may stream before it is cut (the pool's one-minute query timeout would cut large ones). */
export const CURSOR_TIMEOUT_MS = 15 * 60_000;

/**
 * node-postgres arms a timer for the query timeout of every query it is given and disarms it through the query's
 * `callback`, which a cursor never calls: left armed, it keeps the process alive and later fails the cursor. The
 * cursor carries its own timeout, and the timer is disarmed when the iteration ends.
 */
type TimedCursor<R> = Cursor<R> & { query_timeout: number; callback?: () => void };

/**
 * Every row of a statement, read through a server-side cursor `CURSOR_BATCH` rows at a time on a connection of its
 * own, which goes back to the pool when the iteration ends, fails or is abandoned (a client that hangs up).
 */
export async function* streamRows<R>(pool: Pool, text: string, values: unknown[]): AsyncGenerator<R> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const cursor = client.query(Object.assign(new Cursor<R>(text, values), { query_timeout: CURSOR_TIMEOUT_MS }));
  try {
    for (;;) {
      const rows = await cursor.read(CURSOR_BATCH);
      if (rows.length === 0) return;
      yield* rows;
    }
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    (cursor as TimedCursor<R>).callback?.();
    await cursor.close().catch(() => undefined);
    client.release(broken);
  }
}
