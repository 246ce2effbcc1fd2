import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { apiRoutes } from '../../api/app';
import { openApiDocument } from '../../api/openapi';

/**
 * The document the API serves passes Redocly's recommended rules (redocly.yaml): structure, references, examples,
 * operation ids, security on every operation, webhooks included. Built from the route registry without any server.
 */
describe('the OpenAPI document', () => {
  it('lints clean with Redocly', async () => {
    const { health, routes } = apiRoutes({
      pool: {} as never,
      temporal: { connection: {} } as never,
      taskQueue: 'lint',
    });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(openApiDocument([...health, ...routes])));
    const root = path.resolve(__dirname, '../..');
    const result = await promisify(execFile)(
      process.execPath,
      [
        path.join(root, 'node_modules/@redocly/cli/bin/cli.js'),
        'lint',
        file,
        '--config',
        path.join(root, 'redocly.yaml'),
        '--format=stylish',
      ],
      { cwd: root, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
    ).catch((err: { stdout?: string; stderr?: string }) => ({
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
      failed: true,
    }));
    // on failure the assertion shows Redocly's own report
    expect('failed' in result ? `${result.stdout}\n${result.stderr}` : 'clean').toBe('clean');
  }, 60_000);
});
