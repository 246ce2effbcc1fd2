import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'pg';

/** A Postgres server this process can hand to the app as DATABASE_URL, and stop again. */
export interface PrivateCluster {
  url: string;
  port: number;
  dataDir: string;
  /** true when this call started the server (so it should be the one to stop it) */
  startedHere: boolean;
  stop(): void;
}

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** `initdb`/`pg_ctl` from PATH, or from the folder `pg_config --bindir` names. */
export function pgProgram(name: 'initdb' | 'pg_ctl'): string {
  const found = which(name);
  if (found) return found;
  try {
    const bindir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(path.join(bindir, name))) return path.join(bindir, name);
  } catch {
    // pg_config missing as well: fall through to the message below
  }
  throw new Error(
    `PostgreSQL program "${name}" not found on PATH or in "pg_config --bindir". ` +
      'Install PostgreSQL 15 server binaries, or set DATABASE_URL to an existing database.',
  );
}

const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Postgres refuses to run as root, so as root every server program runs as the `postgres` user. */
function runPg(program: string, args: string[]): { status: number | null; output: string } {
  const [cmd, argv] = runningAsRoot ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function ownForPostgres(dir: string): void {
  if (!runningAsRoot) return;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
}

/** The port of a server already running on `dataDir`, read from postmaster.pid (line 4), or undefined. */
function runningPort(pgCtl: string, dataDir: string): number | undefined {
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) return undefined;
  if (runPg(pgCtl, ['-D', dataDir, 'status']).status !== 0) return undefined;
  const lines = readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  const port = Number(lines[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

export interface ClusterOptions {
  dataDir: string;
  database: string;
  /** turn off fsync: for throwaway test clusters only */
  ephemeral?: boolean;
}

/**
 * Creates (once) and starts a private cluster on a free loopback port, or reuses one already running on `dataDir`,
 * and makes sure `database` exists in it.
 */
export async function startPrivateCluster(options: ClusterOptions): Promise<PrivateCluster> {
  const dataDir = path.resolve(options.dataDir);
  const pgCtl = pgProgram('pg_ctl');
  let port = runningPort(pgCtl, dataDir);
  const startedHere = port === undefined;
  if (port === undefined) {
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      ownForPostgres(dataDir);
      const init = runPg(pgProgram('initdb'), [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '--encoding=UTF8',
        '--locale=C',
        ...(options.ephemeral ? ['--no-sync'] : []),
      ]);
      if (init.status !== 0) throw new Error(`initdb failed for ${dataDir}:\n${init.output}`);
    }
    if ((statSync(dataDir).mode & 0o077) !== 0 && !runningAsRoot) {
      throw new Error(`${dataDir} must not be readable by other users`);
    }
    port = await freePort();
    const serverOptions = [
      `-p ${port}`,
      `-k ${dataDir}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=200',
      ...(options.ephemeral ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
    ].join(' ');
    const start = runPg(pgCtl, [
      '-D',
      dataDir,
      '-l',
      path.join(dataDir, 'server.log'),
      '-o',
      serverOptions,
      '-w',
      'start',
    ]);
    if (start.status !== 0) {
      const log = existsSync(path.join(dataDir, 'server.log'))
        ? readFileSync(path.join(dataDir, 'server.log'), 'utf8').slice(-2000)
        : '';
      throw new Error(`pg_ctl start failed for ${dataDir}:\n${start.output}\n${log}`);
    }
  }
  await ensureDatabase(`postgres://postgres@127.0.0.1:${port}/postgres`, options.database);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${options.database}`,
    port,
    dataDir,
    startedHere,
    stop: () => {
      runPg(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    },
  };
}

/** CREATE DATABASE if it does not exist (CREATE DATABASE has no IF NOT EXISTS). */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
