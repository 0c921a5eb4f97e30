import { createConnection } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { toProtocolError } from './errors.js';
import { isStorageUnreachable } from './storage-unreachable.js';
import { freePort } from './test-support/free-port.js';

/** A real refusal: a connection to a loopback port nobody listens on. */
async function refusal(): Promise<Error> {
  const port = await freePort();
  return new Promise((resolve) => createConnection({ host: '127.0.0.1', port }).on('error', resolve));
}

const postgresError = (code: string): Error => Object.assign(new pg.DatabaseError('x', 1, 'error'), { code });

describe('isStorageUnreachable', () => {
  it('knows a refused connection, pg and ioredis giving up, and PostgreSQL shutting down, wrapped or not', async () => {
    const unreachable = [
      await refusal(),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      Object.assign(new Error('Reached the max retries per request limit (which is 3).'), {
        name: 'MaxRetriesPerRequestError',
      }),
      new Error('Connection is closed.'),
      postgresError('57P01'), // terminating connection due to administrator command
      postgresError('08006'),
      new Error('while claiming a call', { cause: await refusal() }),
      new AggregateError([await refusal()], 'connect failed'),
    ];
    expect(unreachable.map((err) => isStorageUnreachable(err))).toEqual(unreachable.map(() => true));
    expect(toProtocolError(unreachable[0])).toEqual({
      code: 'E_UNAVAILABLE',
      message: 'the server cannot reach its storage right now; try again',
    });
  });

  it('leaves every other failure to E_INTERNAL: a bug, a constraint, a locked or full SQLite file', () => {
    const others = [
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      postgresError('23505'), // unique violation
      Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
      Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }),
      'a string',
      undefined,
    ];
    expect(others.map((err) => isStorageUnreachable(err))).toEqual(others.map(() => false));
    expect(toProtocolError(others[0])).toEqual({ code: 'E_INTERNAL', message: 'internal error' });
  });
});
