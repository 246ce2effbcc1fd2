import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { DatabaseError } from 'pg';
import { ApiError, errorHandler } from '../../api/errors';
import { outageOf } from '../../api/outages';

const grpcError = (code: number, details: string) => Object.assign(new Error(details), { code, details, metadata: {} });
const sqlError = (code: string) => Object.assign(new DatabaseError('server said no', 0, 'error'), { code });
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });

describe('outageOf', () => {
  it('reads an unreachable or slow Temporal server from the client errors it surfaces as', () => {
    const unavailable = new ServiceError('Failed to signal Workflow', { cause: grpcError(14, 'No connection') });
    expect(outageOf(unavailable)).toEqual({ dependency: 'Temporal', reason: 'UNAVAILABLE' });
    const late = new WorkflowUpdateRPCTimeoutOrCancelledError('Deadline exceeded', {
      cause: grpcError(4, 'Deadline exceeded'),
    });
    expect(outageOf(late)).toEqual({ dependency: 'Temporal', reason: 'DEADLINE_EXCEEDED' });
    expect(outageOf(grpcError(8, 'namespace rate limit exceeded'))).toEqual({
      dependency: 'Temporal',
      reason: 'RESOURCE_EXHAUSTED',
    });
  });

  it('leaves Temporal answers that are not outages alone', () => {
    expect(outageOf(new ServiceError('Failed to start', { cause: grpcError(3, 'invalid argument') }))).toBeUndefined();
    expect(outageOf(new ServiceError('Failed to start', { cause: grpcError(7, 'permission denied') }))).toBeUndefined();
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND'])('reads socket error %s as Postgres', (code) => {
    expect(outageOf(socketError(code))).toEqual({ dependency: 'Postgres', reason: code });
  });

  it.each(['57P01', '57P02', '57P03', '08006', '08001', '53300'])('reads SQLSTATE %s as Postgres', (code) => {
    expect(outageOf(sqlError(code))).toEqual({ dependency: 'Postgres', reason: code });
  });

  it('reads the pool and client messages of a lost or never-made connection as Postgres', () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated due to connection timeout',
      'timeout exceeded when trying to connect',
    ]) {
      expect(outageOf(new Error(message))?.dependency).toBe('Postgres');
    }
    const happyEyeballs = new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')], 'refused');
    expect(outageOf(happyEyeballs)?.dependency).toBe('Postgres');
  });

  it('leaves constraint violations, other SQL errors and bugs alone', () => {
    for (const code of ['23505', '23503', '42P01', '40001', '22P02']) expect(outageOf(sqlError(code))).toBeUndefined();
    expect(outageOf(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBeUndefined();
    expect(outageOf(new Error('creator 1 is tracked but has no row'))).toBeUndefined();
    expect(outageOf(undefined)).toBeUndefined();
  });
});

describe('errorHandler', () => {
  let server: Server;
  let baseUrl: string;
  const logged: unknown[] = [];
  beforeAll(async () => {
    const app = express();
    app.get('/pg', () => {
      throw socketError('ECONNREFUSED');
    });
    app.post('/temporal', () => {
      throw new ServiceError('Update-With-Start failed', {
        cause: grpcError(14, 'connect ECONNREFUSED 10.0.0.7:7233'),
      });
    });
    app.get('/conflict', () => {
      throw new ApiError(409, 'conflict', 'busy');
    });
    app.get('/bug', () => {
      throw sqlError('23505');
    });
    app.use(errorHandler((line) => logged.push(line)));
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    logged.length = 0;
  });

  it('answers an outage 503 with Retry-After and the envelope, naming no host or driver, and logs one line', async () => {
    for (const [method, path, dependency] of [
      ['GET', '/pg', 'Postgres'],
      ['POST', '/temporal', 'Temporal'],
    ] as const) {
      const res = await fetch(`${baseUrl}${path}`, { method });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({
        error: { status: 503, code: 'service_unavailable', message: expect.stringMatching(/retry in 5 seconds/) },
      });
      expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|10\.0\.0\.7|\bpg\b|grpc|Update-With-Start/i);
      expect(logged.pop()).toMatch(new RegExp(`^503 ${method} ${path}: ${dependency} unavailable \\(\\w+\\)$`));
      expect(logged).toEqual([]);
    }
  });

  it('keeps API errors as they are and answers anything else 500', async () => {
    const conflict = await fetch(`${baseUrl}/conflict`);
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('retry-after')).toBeNull();
    const bug = await fetch(`${baseUrl}/bug`);
    expect(bug.status).toBe(500);
    expect(await bug.json()).toEqual({ error: { status: 500, code: 'internal', message: 'Internal error' } });
    expect(logged).toHaveLength(1);
  });
});
