import path from 'node:path';

export const migrationsDir = path.join(__dirname, 'migrations');

/** Applies every pending migration under db/migrations with node-pg-migrate; safe to run concurrently (it locks). */
export async function migrate(databaseUrl: string, log: (msg: string) => void = () => undefined): Promise<void> {
  // node-pg-migrate is ESM-only; a dynamic import keeps this module loadable from CommonJS
  const { runner } = await import('node-pg-migrate');
  await runner({
    databaseUrl,
    dir: migrationsDir,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    singleTransaction: true,
    log,
    logger: { info: log, warn: log, error: log, debug: () => undefined },
  });
}

if (require.main === module) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set');
    process.exit(1);
  }
  migrate(url, (msg) => console.log(msg)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
