import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configSchema, parseConfig, requiredConfigKeys } from '../../domain/config';
import { DEV_SERVER_VERSIONS } from '../../scripts/temporal-tools';

const root = path.resolve(__dirname, '../..');
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
  ports?: string[];
  container_name?: string;
  restart?: string;
  healthcheck?: { test?: unknown };
}
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const composeText = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const envExample = readFileSync(path.join(root, '.env.example'), 'utf8');
/** services that run once and exit */
const ONE_SHOT = ['temporal-schema', 'temporal-namespace', 'setup'];

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
    expect(namedInReadme).toEqual(
      expect.arrayContaining(['postgres', 'temporal', 'temporal-ui', 'api', 'worker', 'prometheus', 'grafana']),
    );
    expect([...(namedInReadme ?? [])].sort()).toEqual(Object.keys(compose.services).sort());
  });

  it('runs the Temporal server on the same Postgres, its schema set up by admin-tools first (no auto-setup)', () => {
    const temporal = compose.services.temporal as Service;
    const schema = compose.services['temporal-schema'] as Service;
    for (const service of Object.values(compose.services)) expect(service.image ?? '').not.toContain('auto-setup');
    expect(temporal.image).toBe(`temporalio/server:${DEV_SERVER_VERSIONS.server}`);
    expect(schema.image).toBe(`temporalio/admin-tools:${DEV_SERVER_VERSIONS.server}`);
    for (const service of [temporal, schema]) {
      expect(service.environment?.DB).toBe('postgres12');
      expect(service.environment?.POSTGRES_SEEDS).toBe('postgres');
    }
    expect(String(schema.command)).toContain('setup-schema');
    expect(String(schema.command)).toContain('update-schema');
    expect(temporal.depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(Object.keys(schema.depends_on ?? {})).toContain('postgres');
  });

  it('runs the UI version the dev server of npm start embeds', () => {
    expect(compose.services['temporal-ui']?.image).toBe(`temporalio/ui:${DEV_SERVER_VERSIONS.ui}`);
  });

  it('pins every image, restarts long-running services, and health-checks them', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.image) expect(service.image).toMatch(/^[\w./-]+:[\w.-]*\d[\w.-]*$/);
      if (ONE_SHOT.includes(name)) {
        expect(service.restart).toBe('no');
        continue;
      }
      expect([name, service.restart]).toEqual([name, 'unless-stopped']);
      expect([name, service.healthcheck?.test === undefined]).toEqual([name, false]);
    }
  });

  it('ships Prometheus scraping the API and every worker, and Grafana with the dashboard of both', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['prometheus', 'grafana']));
    const prometheus = parse(readFileSync(path.join(root, 'deploy/prometheus.yml'), 'utf8')) as {
      scrape_configs: {
        job_name: string;
        static_configs?: { targets: string[] }[];
        dns_sd_configs?: { names: string[]; port: number }[];
      }[];
    };
    const jobs = Object.fromEntries(prometheus.scrape_configs.map((job) => [job.job_name, job]));
    expect(jobs.api?.static_configs?.[0]?.targets).toEqual(['api:3000']);
    expect(jobs.worker?.dns_sd_configs?.[0]).toMatchObject({ names: ['worker'], port: 9464 });
    expect(compose.services.worker?.environment?.WORKER_METRICS_PORT).toBe('9464');
    const dashboard = JSON.parse(
      readFileSync(path.join(root, 'deploy/grafana/dashboards/creator-tracker.json'), 'utf8'),
    ) as { panels: { targets: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((t) => t.expr)).join('\n');
    for (const metric of [
      'http_request_duration_seconds',
      'http_rate_limited_total',
      'tracking_cycles_total',
      'credits_cents_total',
      'jobs_total',
      'webhook_delivery_attempts_total',
      'upstream_calls_total',
      'upstream_units_total',
      'temporal_',
    ]) {
      expect(exprs).toContain(metric);
    }
  });

  it('takes its settings from .env, every one of them listed in .env.example with no credential inline', () => {
    const referenced = new Set([...composeText.matchAll(/\$\{(\w+)(?::-[^}]*)?\}/g)].map((m) => m[1]));
    const listed = new Set([...envExample.matchAll(/^(\w+)=/gm)].map((m) => m[1]));
    expect([...referenced].filter((name) => !listed.has(name))).toEqual([]);
    expect(compose.services.postgres?.environment?.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD/);
  });

  it('builds JavaScript with tsc on a current LTS Node and runs it without tsx', () => {
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1] as string);
    for (const base of bases) expect(Number(/^node:(\d+)/.exec(base)?.[1])).toBeGreaterThanOrEqual(22);
    expect(dockerfile).toMatch(/tsc -p tsconfig\.build\.json/);
    // no line that runs anything (RUN, CMD, ENTRYPOINT) goes through tsx
    expect(dockerfile).not.toMatch(/^(RUN|CMD|ENTRYPOINT).*tsx/m);
    for (const name of ['api', 'worker', 'setup']) {
      expect(compose.services[name]?.command?.join(' ')).toMatch(/^node dist\/\S+\.js$/);
    }
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
    expect(worker.command).toEqual(['node', 'dist/worker/main.js']);
  });
});
