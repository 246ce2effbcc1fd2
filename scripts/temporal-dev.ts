import { spawn, type ChildProcess } from 'node:child_process';
import type { TemporalConnectionOptions } from '../connection/temporal';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { customSearchAttributes, SEARCH_ATTRIBUTE_CLI_TYPES } from '../domain/search-attributes';

// the operator service's IndexedValueType enum: KEYWORD = 2, DATETIME = 6
export const INDEXED_VALUE_TYPE_KEYWORD = 2;
export const INDEXED_VALUE_TYPE_DATETIME = 6;

/** The operator service's IndexedValueType of each of the project's search attributes, by name. */
export function indexedValueTypes(
  keys: readonly (typeof customSearchAttributes)[number][] = customSearchAttributes,
): Record<string, number> {
  return Object.fromEntries(
    keys.map((key) => [
      key.name,
      key.type === SearchAttributeType.DATETIME ? INDEXED_VALUE_TYPE_DATETIME : INDEXED_VALUE_TYPE_KEYWORD,
    ]),
  );
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  metricsUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  cli: string;
  dbFile?: string;
  port: number;
  uiPort?: number;
  /** the dev server's Prometheus `/metrics` port (random when absent) */
  metricsPort?: number;
  namespace: string;
  logFile: string;
}

/** Starts `temporal server start-dev` (SQLite file, Web UI) with the project's search attributes and waits for it. */
export async function startTemporalDevServer(options: DevServerOptions): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  if (options.metricsPort) args.push('--metrics-port', String(options.metricsPort));
  else args.push('--headless');
  if (options.namespace !== 'default') args.push('--namespace', options.namespace);
  for (const key of customSearchAttributes) {
    args.push('--search-attribute', `${key.name}=${SEARCH_ATTRIBUTE_CLI_TYPES[key.type] ?? 'Keyword'}`);
  }

  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  // its own process group, so a terminal Ctrl-C reaches the orchestrator first and shutdown happens in order
  const child = spawn(options.cli, args, { stdio: ['ignore', log, log], detached: true });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `127.0.0.1:${options.port}`;

  const deadline = Date.now() + 60_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 250))]);
    if (early !== 'running') {
      // the cause (a port in use, a locked database) is in the server's own log: show its last lines here
      const tail = readFileSync(options.logFile, 'utf8').trim().split('\n').slice(-5).join('\n');
      throw new Error(`temporal server start-dev exited with code ${early} (log: ${options.logFile}):\n${tail}`);
    }
    try {
      await registerSearchAttributes({ address }, options.namespace);
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`Temporal dev server did not become ready on ${address}: ${(err as Error).message}`);
      }
    }
  }
  return {
    address,
    uiUrl: options.uiPort ? `http://localhost:${options.uiPort}` : undefined,
    metricsUrl: options.metricsPort ? `http://localhost:${options.metricsPort}/metrics` : undefined,
    process: child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Registers any of the project's search attributes the namespace lacks, through the operator service: a server started
 * from an existing database, or any other cluster, gets the same attributes as a fresh dev server.
 */
export async function registerSearchAttributes(options: TemporalConnectionOptions, namespace: string): Promise<void> {
  const connection = await Connection.connect({ ...options, connectTimeout: 2000 });
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = customSearchAttributes.filter((key) => !(key.name in (existing.customAttributes ?? {})));
    if (missing.length > 0) {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: indexedValueTypes(missing),
      });
    }
  } finally {
    await connection.close();
  }
}
