import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createPool } from '../../db/pool';
import { teamForApiKey } from '../../db/teams';
import { testDatabaseUrl } from '../helpers/env';
import { writeRunningSettings } from '../../scripts/running-settings';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

async function admin(...args: string[]): Promise<any> {
  return adminWith({ ...process.env, DATABASE_URL: testDatabaseUrl() }, ...args);
}

async function adminWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<any> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], { cwd: root, env });
  return JSON.parse(stdout);
}

describe('admin command', () => {
  const pool = createPool(testDatabaseUrl(), 2);
  afterAll(() => pool.end());

  it('creates a team with credits and a key, adds a key and credits once per idempotency key, and revokes', async () => {
    const team = await admin('create-team', '--name', 'Acme', '--credits', '1000');
    expect(team).toMatchObject({ name: 'Acme', balance: 1000 });
    expect(team.api_key).toMatch(/^ct_/);
    expect(await teamForApiKey(pool, team.api_key)).toEqual({ teamId: team.team_id, keyId: team.key_id });

    const second = await admin('create-key', '--team', team.team_id, '--name', 'ci');
    expect(second.api_key).not.toBe(team.api_key);

    const topUp = ['add-credits', '--team', team.team_id, '--credits', '250', '--idempotency-key', `${team.team_id}:x`];
    expect((await admin(...topUp)).balance).toBe(1250);
    expect((await admin(...topUp)).balance).toBe(1250);

    await admin('revoke-key', '--key-id', second.key_id);
    expect(await teamForApiKey(pool, second.api_key)).toBeUndefined();
    expect(await teamForApiKey(pool, team.api_key)).toBeDefined();
    const stored = await pool.query('SELECT key_hash FROM api_keys WHERE team_id = $1', [team.team_id]);
    expect(stored.rows.map((r) => r.key_hash)).not.toContain(team.api_key);
  }, 60_000);

  it('refuses bad input with a clear message and a non-zero exit', async () => {
    await expect(
      admin('add-credits', '--team', '00000000-0000-0000-0000-000000000000', '--credits', '5'),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('not found') });
    const name = `half-${process.pid}-${Date.now()}`;
    await expect(admin('create-team', '--name', name, '--credits', '2.5')).rejects.toMatchObject({
      stderr: expect.stringContaining('positive whole number'),
    });
    expect((await pool.query('SELECT 1 FROM teams WHERE name = $1', [name])).rowCount).toBe(0);
    await expect(admin('launch-rockets')).rejects.toMatchObject({ stderr: expect.stringContaining('unknown command') });
  }, 60_000);

  it('finds the stack npm start runs from its settings in the data folder when DATABASE_URL is unset', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'creator-tracker-admin-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, CT_DATA_DIR: dataDir };
      delete env.DATABASE_URL;
      await expect(adminWith(env, 'list-teams')).rejects.toMatchObject({
        stderr: expect.stringContaining('DATABASE_URL is not set and no running "npm start" was found'),
      });
      writeRunningSettings(dataDir, {
        DATABASE_URL: testDatabaseUrl(),
        TEMPORAL_ADDRESS: 'localhost:7233',
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_TASK_QUEUE: 'creator-tracker',
      });
      const name = `found-${process.pid}-${Date.now()}`;
      const team = await adminWith(env, 'create-team', '--name', name);
      const teams = (await adminWith(env, 'list-teams')) as { id: string; name: string }[];
      expect(teams).toContainEqual(expect.objectContaining({ id: team.team_id, name }));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
