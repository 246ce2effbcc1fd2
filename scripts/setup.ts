import { ConfigError, parseConfig } from '../domain/config';
import { temporalConnectionOptions } from '../connection/temporal';
import { migrate } from '../db/migrate';
import { registerSearchAttributes } from './temporal-dev';

/**
 * One-shot deployment setup (the compose `setup` service, or by hand against any cluster): apply migrations and
 * register the custom search attributes, retrying while Postgres and Temporal come up.
 */
async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await migrate(config.DATABASE_URL, (msg) => console.log(`migrate: ${msg}`));
      await registerSearchAttributes(temporalConnectionOptions(config), config.TEMPORAL_NAMESPACE);
      console.log('setup complete: migrations applied, search attributes registered');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      console.log(`waiting for dependencies: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
