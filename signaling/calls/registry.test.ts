import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type DatabaseLocation } from '../db/database.js';
import { LiveCallsTable } from '../db/live-calls.js';
import type { RedisKeys } from '../db/redis.js';
import { UsersTable } from '../db/users.js';
import { databasesPerFile, type TestDatabase } from '../test-support/databases.js';
import { faulty } from '../test-support/faults.js';
import { redisPerFile, redisUnavailable } from '../test-support/redis-server.js';
import type { LiveCall } from '../domain.js';
import { RedisCallRegistry } from './redis-registry.js';
import { LocalCallRegistry, type CallRegistry } from './registry.js';

const unavailable = redisUnavailable();
if (unavailable) console.warn(`skipping the Redis call registry tests: ${unavailable}`);
const redis = redisPerFile(unavailable);

let dir: string;
/** Databases this test opened, closed after it. */
const databases: Database[] = [];
const [ALICE, BOB, CAROL, DAVE] = [1, 2, 3, 4];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
});

afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.close().catch(() => undefined)));
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * One set of tests for every implementation. `registry` gives a registry on this test's store (empty at
 * first); `reopen` closes the store and opens it again as a restarted node would; `another` is a second
 * node's registry on the same store (its own connection, where the store has connections), or for a
 * registry of one node (the local one) that node's again.
 */
interface Parts {
  registry: () => CallRegistry;
  reopen: () => Promise<CallRegistry>;
  another: () => CallRegistry;
}
interface Implementation {
  name: string;
  setUp: () => Promise<Parts>;
}

const open = async (where: DatabaseLocation): Promise<Database> => {
  const db = await openDatabase(where);
  databases.push(db);
  return db;
};

/** One node's registry, its answered calls kept in SQLite or PostgreSQL. */
const local = (database: TestDatabase): Implementation => ({
  name: `LocalCallRegistry on ${database.name}`,
  setUp: async () => {
    const where = { dataDir: dir, ...(await database.fresh()) };
    let db = await open(where);
    const users = new UsersTable(db);
    for (const name of ['alice', 'bob', 'carol', 'dave']) await users.insert(name, name, 'hash', 1);
    const node = await LocalCallRegistry.open(new LiveCallsTable(db));
    return {
      registry: () => node,
      reopen: async () => {
        await db.close();
        db = await open(where);
        return LocalCallRegistry.open(new LiveCallsTable(db));
      },
      another: () => node,
    };
  },
});

const opened: Redis[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((client) => client.quit()));
});
const inRedis: Implementation = {
  name: 'RedisCallRegistry',
  setUp: async () => {
    const keys: RedisKeys = redis.freshKeys();
    const another = () => {
      const client = new Redis(redis.server().url);
      opened.push(client);
      return new RedisCallRegistry(client, keys);
    };
    return {
      registry: () => new RedisCallRegistry(redis.client(), keys),
      reopen: async () => another(),
      another,
    };
  },
};

let seq = 0;
const call = (callerId: number, calleeId: number): LiveCall => ({
  id: `call-${String(++seq).padStart(17, '0')}`,
  media: 'audio',
  caller: { userId: callerId, deviceId: `dev-${callerId}` },
  callee: { userId: calleeId, deviceId: null },
  state: 'ringing',
  createdAt: 1_000,
  answeredAt: null,
});

const implementations = [...databasesPerFile().map(local), ...(unavailable ? [] : [inRedis])];
describe.each(implementations)('$name', ({ setUp }) => {
  let registry: () => CallRegistry;
  let reopen: () => Promise<CallRegistry>;
  let another: () => CallRegistry;
  beforeEach(async () => ({ registry, reopen, another } = await setUp()));

  it('claims a call and finds it by id and by either party', async () => {
    const reg = registry();
    const c = call(ALICE, BOB);
    expect(await reg.claim(c)).toBe('ok');
    expect(await reg.get(c.id)).toEqual(c);
    expect(await reg.callsOf(ALICE)).toEqual([c]);
    expect(await reg.callsOf(BOB)).toEqual([c]);
    expect(await reg.callsOf(CAROL)).toEqual([]);
    expect(await reg.all()).toEqual([c]);
  });

  it('refuses a claim when the caller or the callee already has a live call', async () => {
    const reg = registry();
    expect(await reg.claim(call(ALICE, BOB))).toBe('ok');

    expect(await reg.claim(call(ALICE, CAROL))).toBe('caller-in-call');
    expect(await reg.claim(call(BOB, CAROL))).toBe('caller-in-call');
    expect(await reg.claim(call(CAROL, ALICE))).toBe('callee-in-call');
    expect(await reg.claim(call(CAROL, BOB))).toBe('callee-in-call');

    expect(await reg.claim(call(CAROL, DAVE))).toBe('ok');
    expect(await reg.all()).toHaveLength(2);
    expect(await reg.callsOf(CAROL)).toHaveLength(1);
  });

  it('refuses B->A while A->B is live', async () => {
    const reg = registry();
    expect(await reg.claim(call(ALICE, BOB))).toBe('ok');
    expect(await reg.claim(call(BOB, ALICE))).toBe('caller-in-call');
  });

  it('lets only one of two people calling each other at once through', async () => {
    const reg = registry();
    const ab = call(ALICE, BOB);
    const ba = call(BOB, ALICE);
    const results = await Promise.all([reg.claim(ab), reg.claim(ba)]);
    expect(results).toEqual(['ok', 'caller-in-call']);
    expect(await reg.all()).toEqual([ab]);
    expect(await reg.get(ba.id)).toBeUndefined();
  });

  it('lets only one of two people calling each other at once through two nodes through', async () => {
    const [one, two] = [registry(), another()];
    for (let round = 0; round < 20; round++) {
      const ab = call(ALICE, BOB);
      const ba = call(BOB, ALICE);
      const results = await Promise.all([one.claim(ab), two.claim(ba)]);
      expect(results.sort()).toEqual(['caller-in-call', 'ok']);
      const [live] = await one.all();
      expect(await two.all()).toEqual([live]);
      await one.update(live!.id, () => ({ next: null, result: undefined }));
    }
  });

  it('applies exactly one of two accepts racing on two nodes; the other sees the call accepted', async () => {
    const [one, two] = [registry(), another()];
    for (let round = 0; round < 20; round++) {
      const c = call(ALICE, BOB);
      await one.claim(c);
      const accept = (reg: CallRegistry, deviceId: string) =>
        reg.update(c.id, (current) =>
          current.state === 'ringing'
            ? {
                next: { ...current, state: 'active', answeredAt: 2_000, callee: { userId: BOB, deviceId } },
                result: `won by ${deviceId}`,
              }
            : { next: undefined, result: `lost to ${current.callee.deviceId}` },
        );
      const results = await Promise.all([accept(one, 'bob-laptop'), accept(two, 'bob-phone')]);
      const winner = (await two.get(c.id))!.callee.deviceId!;
      const loser = winner === 'bob-laptop' ? 'bob-phone' : 'bob-laptop';
      expect(results.sort()).toEqual([`lost to ${winner}`, `won by ${winner}`].sort());
      expect(results).not.toContain(`won by ${loser}`);
      await one.update(c.id, () => ({ next: null, result: undefined }));
    }
  });

  it('removes the call and frees both users when update returns next = null', async () => {
    const reg = registry();
    const c = call(ALICE, BOB);
    await reg.claim(c);

    const result = await reg.update(c.id, (current) => ({ next: null, result: current.id }));
    expect(result).toBe(c.id);
    expect(await reg.get(c.id)).toBeUndefined();
    expect(await reg.callsOf(ALICE)).toEqual([]);
    expect(await reg.callsOf(BOB)).toEqual([]);
    expect(await reg.all()).toEqual([]);

    expect(await reg.claim(call(BOB, ALICE))).toBe('ok');
  });

  it('replaces the call when update returns a next call', async () => {
    const reg = registry();
    const c = call(ALICE, BOB);
    await reg.claim(c);
    const next: LiveCall = {
      ...c,
      state: 'active',
      answeredAt: 2_000,
      callee: { userId: BOB, deviceId: 'bob-1' },
    };

    expect(await reg.update(c.id, () => ({ next, result: 'accepted' }))).toBe('accepted');
    expect(await reg.get(c.id)).toEqual(next);
    expect(await reg.callsOf(BOB)).toEqual([next]);
    expect(await reg.claim(call(CAROL, BOB))).toBe('callee-in-call');
  });

  it('leaves the call as it was when update returns next = undefined', async () => {
    const reg = registry();
    const c = call(ALICE, BOB);
    await reg.claim(c);

    expect(await reg.update(c.id, () => ({ next: undefined, result: 'refused' }))).toBe('refused');
    expect(await reg.get(c.id)).toEqual(c);
    expect(await reg.callsOf(ALICE)).toEqual([c]);
    expect(await reg.claim(call(CAROL, ALICE))).toBe('callee-in-call');
  });

  it('resolves undefined for an unknown call without calling change', async () => {
    const reg = registry();
    let called = false;
    const result = await reg.update('no-such-call', () => {
      called = true;
      return { next: null, result: 'x' };
    });
    expect(result).toBeUndefined();
    expect(called).toBe(false);
  });

  it('keeps its calls in its store: a registry opened on it again finds them', async () => {
    const c = call(ALICE, BOB);
    const active: LiveCall = {
      ...c,
      state: 'active',
      answeredAt: 2_000,
      callee: { userId: BOB, deviceId: 'bob-1' },
    };
    const before = registry();
    await before.claim(c);
    await before.update(c.id, () => ({ next: active, result: undefined }));

    const after = await reopen();
    expect(await after.all()).toEqual([active]);
    expect(await after.callsOf(BOB)).toEqual([active]);
    expect(await after.claim(call(CAROL, ALICE))).toBe('callee-in-call');
  });

  it('leaves the store as it was when change throws', async () => {
    const reg = registry();
    const c = call(ALICE, BOB);
    await reg.claim(c);
    await expect(
      reg.update(c.id, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await reg.get(c.id)).toEqual(c);
  });
});

describe.each(databasesPerFile())('LocalCallRegistry on $name: what it writes', (database) => {
  let db: Database;
  let where: DatabaseLocation;
  beforeEach(async () => {
    where = { dataDir: dir, ...(await database.fresh()) };
    db = await open(where);
    const users = new UsersTable(db);
    for (const name of ['alice', 'bob', 'carol', 'dave']) await users.insert(name, name, 'hash', 1);
  });
  const rows = () => db.all<{ id: string; state: string }>('SELECT id, state FROM live_calls ORDER BY id');
  const answered = (c: LiveCall): LiveCall => ({
    ...c,
    state: 'active',
    answeredAt: 2_000,
    callee: { userId: c.callee.userId, deviceId: 'bob-1' },
  });

  it('writes a call once it is answered, not while it rings, and removes it when it ends', async () => {
    const reg = await LocalCallRegistry.open(new LiveCallsTable(db));
    const c = call(ALICE, BOB);
    await reg.claim(c);
    expect(await rows()).toEqual([]);
    await reg.update(c.id, (current) => ({ next: answered(current), result: undefined }));
    expect(await rows()).toEqual([{ id: c.id, state: 'active' }]);
    await reg.update(c.id, () => ({ next: null, result: undefined }));
    expect(await rows()).toEqual([]);

    const declined = call(CAROL, DAVE);
    await reg.claim(declined);
    await reg.update(declined.id, () => ({ next: null, result: undefined }));
    expect(await rows()).toEqual([]);
  });

  it('a node started again has the answered calls and not the ringing ones', async () => {
    const reg = await LocalCallRegistry.open(new LiveCallsTable(db));
    const [talking, ringing] = [call(ALICE, BOB), call(CAROL, DAVE)];
    await reg.claim(talking);
    await reg.claim(ringing);
    await reg.update(talking.id, (current) => ({ next: answered(current), result: undefined }));

    const again = await LocalCallRegistry.open(new LiveCallsTable(db));
    expect(await again.all()).toEqual([answered(talking)]);
    expect(await again.claim(call(CAROL, DAVE))).toBe('ok');
    expect(await again.claim(call(DAVE, ALICE))).toBe('caller-in-call');
  });

  it('writes a call claimed answered at once (no caller does today), and not if the write fails', async () => {
    const table = faulty(new LiveCallsTable(db));
    const reg = await LocalCallRegistry.open(table);
    const [failing, kept] = [answered(call(ALICE, BOB)), answered(call(CAROL, DAVE))];
    table.failNext('put');
    await expect(reg.claim(failing)).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    expect(await reg.all()).toEqual([]);
    expect(await reg.claim(kept)).toBe('ok');
    expect(await rows()).toEqual([{ id: kept.id, state: 'active' }]);
  });

  it('reads the row of a ringing call a crash left, and removes it when that call ends', async () => {
    const left = call(ALICE, BOB);
    await new LiveCallsTable(db).put(left);
    const reg = await LocalCallRegistry.open(new LiveCallsTable(db));
    expect(await reg.callsOf(BOB)).toEqual([left]);
    await reg.update(left.id, () => ({ next: null, result: undefined }));
    expect(await rows()).toEqual([]);
    expect(await (await LocalCallRegistry.open(new LiveCallsTable(db))).all()).toEqual([]);
  });

  it('an answer whose write fails leaves the call ringing, in memory and in the table', async () => {
    const table = faulty(new LiveCallsTable(db));
    const reg = await LocalCallRegistry.open(table);
    const c = call(ALICE, BOB);
    await reg.claim(c);
    table.failNext('put');
    await expect(
      reg.update(c.id, (current) => ({ next: answered(current), result: undefined })),
    ).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    expect(await reg.get(c.id)).toEqual(c);
    expect(await reg.countByState()).toEqual({ ringing: 1, active: 0 });
    expect(await rows()).toEqual([]);

    // The end of an answered call whose delete fails leaves it answered, still kept.
    await reg.update(c.id, (current) => ({ next: answered(current), result: undefined }));
    table.failNext('delete');
    await expect(reg.update(c.id, () => ({ next: null, result: undefined }))).rejects.toMatchObject({
      code: 'SQLITE_BUSY',
    });
    expect(await reg.callsOf(ALICE)).toEqual([answered(c)]);
    expect(await rows()).toEqual([{ id: c.id, state: 'active' }]);
  });

  it('takes the updates of one call in turn while a write is under way', async () => {
    const reg = await LocalCallRegistry.open(new LiveCallsTable(db));
    const c = call(ALICE, BOB);
    await reg.claim(c);
    const accept = (deviceId: string) =>
      reg.update(c.id, (current) =>
        current.state === 'ringing'
          ? {
              next: { ...answered(current), callee: { userId: BOB, deviceId } },
              result: `won by ${deviceId}`,
            }
          : { next: undefined, result: `lost to ${current.callee.deviceId}` },
      );
    expect(await Promise.all([accept('bob-laptop'), accept('bob-phone')])).toEqual([
      'won by bob-laptop',
      'lost to bob-laptop',
    ]);
  });
});
