import { DatabaseError } from 'pg';
import { isConnectionError, untilDatabaseAnswers } from '../../db/availability';

function pgError(code: string, message = 'server said no'): DatabaseError {
  const err = new DatabaseError(message, message.length, 'error');
  err.code = code;
  return err;
}

function systemError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect' });
}

describe('isConnectionError', () => {
  it.each([
    ['admin shutdown (pg_ctl stop -m fast)', pgError('57P01', 'terminating connection due to administrator command')],
    ['crash shutdown', pgError('57P02')],
    ['starting up / shutting down', pgError('57P03', 'the database system is starting up')],
    ['too many connections', pgError('53300')],
    ['connection exception class 08', pgError('08006')],
    ['connection does not exist', pgError('08003')],
    ['refused', systemError('ECONNREFUSED')],
    ['reset', systemError('ECONNRESET')],
    ['broken pipe', systemError('EPIPE')],
    ['pg: connection ended mid-query', new Error('Connection terminated unexpectedly')],
    ['pg: connect timeout', new Error('Connection terminated due to connection timeout')],
    ['pg-pool: connect timeout', new Error('timeout exceeded when trying to connect')],
    ['pg: client already broken', new Error('Client has encountered a connection error and is not queryable')],
    ['every address refused', new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')])],
    ['wrapped', new Error('write failed', { cause: systemError('ECONNRESET') })],
  ])('%s is a connection error', (_what, err) => {
    expect(isConnectionError(err)).toBe(true);
  });

  it.each([
    ['unique violation', pgError('23505', 'duplicate key value violates unique constraint')],
    ['check violation', pgError('23514')],
    ['foreign key violation', pgError('23503')],
    ['syntax error (a bug)', pgError('42601')],
    ['undefined column (a bug)', pgError('42703')],
    ['serialization failure', pgError('40001')],
    ['query cancelled', pgError('57014')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['pool ended by us', new Error('Cannot use a pool after calling end on the pool')],
    ['a mixed aggregate', new AggregateError([systemError('ECONNREFUSED'), new Error('boom')])],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('%s is not', (_what, err) => {
    expect(isConnectionError(err)).toBe(false);
  });
});

describe('untilDatabaseAnswers', () => {
  const fast = { initialDelayMs: 1, maxDelayMs: 4 };

  it('waits out connection errors and returns what the work returns', async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await untilDatabaseAnswers(
      async () => {
        calls += 1;
        if (calls < 4) throw systemError('ECONNREFUSED');
        return 'stored';
      },
      { ...fast, onRetry: (_err, attempt, delayMs) => retries.push(delayMs) },
    );
    expect(result).toBe('stored');
    expect(calls).toBe(4);
    expect(retries).toEqual([1, 2, 4]);
  });

  it('throws any other error at once', async () => {
    let calls = 0;
    const violation = pgError('23505');
    await expect(
      untilDatabaseAnswers(async () => {
        calls += 1;
        throw violation;
      }, fast),
    ).rejects.toBe(violation);
    expect(calls).toBe(1);
  });

  it('gives up with the last connection error when the deadline would pass', async () => {
    let calls = 0;
    const refused = systemError('ECONNREFUSED');
    await expect(
      untilDatabaseAnswers(
        async () => {
          calls += 1;
          throw refused;
        },
        { ...fast, deadline: Date.now() + 30 },
      ),
    ).rejects.toBe(refused);
    expect(calls).toBeGreaterThan(1);
  });

  it('stops waiting when its signal aborts', async () => {
    const controller = new AbortController();
    const refused = pgError('57P03');
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    await expect(
      untilDatabaseAnswers(
        async () => {
          throw refused;
        },
        { initialDelayMs: 10_000, signal: controller.signal },
      ),
    ).rejects.toBe(refused);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
