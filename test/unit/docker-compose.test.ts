import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configSchema, parseConfig, requiredConfigKeys } from '../../domain/config';

const root = path.resolve(__dirname, '../..');
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
  ports?: string[];
  container_name?: string;
}
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

/** Compose's `${NAME:-default}` as it reads on a machine where NAME is unset. */
const interpolated = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).map(([key, value]) => [
      key,
      value.replace(/\$\{\w+:-([^}]*)\}/g, (_, fallback: string) => fallback),
    ]),
  );

describe('docker-compose.yml', () => {
  const namedInReadme = (/^Compose services: (.+)$/m.exec(readme)?.[1] ?? '')
    .match(/`[^`]+`/g)
    ?.map((s) => s.slice(1, -1));

  it('has every service the README names', () => {
    expect(namedInReadme).toEqual(expect.arrayContaining(['postgres', 'temporal', 'temporal-ui', 'api', 'worker']));
    for (const name of namedInReadme ?? []) expect(compose.services).toHaveProperty(name);
  });

  it('runs Temporal on the same Postgres', () => {
    const temporal = compose.services.temporal as Service;
    expect(temporal.environment?.DB).toBe('postgres12');
    expect(temporal.environment?.POSTGRES_SEEDS).toBe('postgres');
    expect(Object.keys(temporal.depends_on ?? {})).toContain('postgres');
  });

  it.each(['api', 'worker', 'setup'])(
    'gives %s the environment the config schema requires, and nothing unknown',
    (name) => {
      const service = compose.services[name] as Service;
      const env = service.environment ?? {};
      for (const key of [...requiredConfigKeys, 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE']) {
        expect(env).toHaveProperty(key);
      }
      for (const key of Object.keys(env)) expect(Object.keys(configSchema.shape)).toContain(key);
      expect(() => parseConfig(interpolated(env))).not.toThrow();
      expect(service.build).toBe('.');
    },
  );

  it('lets the worker scale: no fixed container name or host port', () => {
    const worker = compose.services.worker as Service;
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.command).toEqual(['node', '--import', 'tsx', 'worker/main.ts']);
  });
});
