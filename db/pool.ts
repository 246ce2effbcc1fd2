import { Pool, types } from 'pg';

// bigint (int8) columns hold cents and counts far below 2^53; read them as numbers rather than strings
types.setTypeParser(types.builtins.INT8, (value) => Number(value));

export function createPool(databaseUrl: string, max = 10): Pool {
  const pool = new Pool({
    connectionString: databaseUrl,
    max,
    application_name: 'creator-tracker',
    // a server that drops packets (rather than refusing) must become an error, an outage, not a request that hangs:
    // on connecting, and on a connection that went half-open (keep-alive finds it; a query gives up after a minute)
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    query_timeout: 60_000,
  });
  // an idle client losing its server (restart, failover) must not crash the process; the next query reconnects
  pool.on('error', () => undefined);
  // the pool listens only while a client is idle: a checked-out client losing its server (57P01 on pg_ctl stop) emits
  // 'error' too, and with no listener that kills the process. Its in-flight query rejects on its own, and the pool
  // discards a client that errored when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
