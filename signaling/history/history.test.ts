/** Paging the call history over the wire: `nextCursor`, and cursors built from the documented format. */
import { afterEach, describe, expect, it } from 'vitest';
import { befriend, person, startTestServer, type TestServer } from '../test-support/harness.js';
import { databasesPerFile, useDatabase } from '../test-support/databases.js';

describe.each(databasesPerFile())('on $name', (database) => {
  useDatabase(database);

  let server: TestServer;
  afterEach(() => server.stop());

  it('pages newest first with nextCursor; a cursor built as "<createdAt ms>_<callId>" pages the same', async () => {
    server = await startTestServer();
    const [alice, bob] = await Promise.all([person(server, 'alice'), person(server, 'bob')]);
    await befriend(alice, bob);
    // Five call attempts, each recorded at once: bob is in do-not-disturb.
    await bob.device.ok('presence.update', { dnd: true });
    for (let i = 0; i < 5; i++) {
      expect(await alice.device.fails('call.invite', { callee: 'bob', media: 'audio' })).toBe('E_DND');
    }

    const all = (await alice.device.ok('history.list', {})).entries;
    expect(all).toHaveLength(5);
    const pages: string[][] = [];
    let before: string | undefined;
    do {
      const page = await alice.device.ok(
        'history.list',
        before === undefined ? { limit: 2 } : { before, limit: 2 },
      );
      pages.push(page.entries.map((e) => e.callId));
      before = page.nextCursor ?? undefined;
    } while (before !== undefined);
    expect(pages.flat()).toEqual(all.map((e) => e.callId));
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);

    // The format is part of the contract: the entries strictly older than a given one...
    const second = all[1]!;
    const built = `${Date.parse(second.createdAt)}_${second.callId}`;
    expect((await alice.device.ok('history.list', { before: built })).entries).toEqual(all.slice(2));
    // ...or everything before a moment (the smallest call id sorts first).
    const future = `${Date.parse(all[0]!.createdAt) + 1}_${'-'.repeat(22)}`;
    expect((await alice.device.ok('history.list', { before: future })).entries).toEqual(all);
  });

  it('pushes each party, when a call ends, the entry their history then lists: answered, missed, refused', async () => {
    server = await startTestServer();
    const [alice, bob] = await Promise.all([person(server, 'alice'), person(server, 'bob')]);
    await befriend(alice, bob);
    const pushedAndListed = async (callId: string) => {
      for (const [me, other] of [
        [alice, bob],
        [bob, alice],
      ] as const) {
        const pushed = (await me.device.next('history.entry', (p) => p.entry.callId === callId)).entry;
        const listed = (await me.device.ok('history.list', {})).entries.find((e) => e.callId === callId);
        expect(pushed).toEqual(listed);
        expect(pushed.peer.username).toBe(other.username);
        expect(pushed.direction).toBe(me === alice ? 'outgoing' : 'incoming');
      }
    };

    const answered = await alice.device.ok('call.invite', { callee: 'bob', media: 'video' });
    await bob.device.next('call.incoming', (p) => p.callId === answered.callId);
    await bob.device.ok('call.accept', { callId: answered.callId });
    await alice.device.ok('call.hangup', { callId: answered.callId });
    await pushedAndListed(answered.callId);

    const missed = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
    await bob.device.next('call.incoming', (p) => p.callId === missed.callId);
    await alice.device.ok('call.cancel', { callId: missed.callId });
    await pushedAndListed(missed.callId);

    await bob.device.ok('presence.update', { dnd: true });
    expect(await alice.device.fails('call.invite', { callee: 'bob', media: 'audio' })).toBe('E_DND');
    const [refused] = (await alice.device.ok('history.list', {})).entries;
    expect(refused).toMatchObject({ endReason: 'dnd' });
    await pushedAndListed(refused!.callId);
  });

  it('refuses a cursor that is not in that format with E_INVALID', async () => {
    server = await startTestServer();
    const alice = await person(server, 'alice');
    for (const before of [
      '',
      'abc',
      '12_short',
      `x_${'A'.repeat(22)}`,
      `${'9'.repeat(17)}_${'A'.repeat(22)}`,
    ]) {
      expect(await alice.device.request('history.list', { before })).toEqual({
        ok: false,
        error: { code: 'E_INVALID', message: 'before: "<createdAt ms>_<callId>" (pass nextCursor back)' },
      });
    }
  });
});
