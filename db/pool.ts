import { Pool, types } from 'pg';

// bigint (int8) columns hold cents and counts far below 2^53; read them as numbers rather than strings
types.setTypeParser(types.builtins.INT8, (value) => Number(value));

export function createPool(databaseUrl: string, max = 10): Pool {
  const pool = new Pool({ connectionString: databaseUrl, max, application_name: 'creator-tracker' });
  // an idle client losing its server (restart, failover) must not crash the process; the next query reconnects
  pool.on('error', () => undefined);
  return pool;
}
