/** Contacts end to end: requests, accept, decline, remove, errors and the list on connect. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Contact } from '../protocol/index.js';
import {
  befriend,
  connect,
  person,
  type Person,
  startTestServer,
  type TestDevice,
  type TestServer,
} from '../test-support/harness.js';
import { databasesPerFile, useDatabase } from '../test-support/databases.js';

describe.each(databasesPerFile())('on $name', (database) => {
  useDatabase(database);

  let server: TestServer;
  let alice: Person;
  let bob: Person;

  beforeEach(async () => {
    server = await startTestServer();
    [alice, bob] = await Promise.all([person(server, 'alice'), person(server, 'bob')]);
  });

  afterEach(async () => {
    await server.stop();
  });

  /** Another device of the same person (closed when the server stops). */
  const secondDevice = (p: Person): Promise<TestDevice> => connect(server, p.token);

  const about =
    (username: string, state?: Contact['state']) =>
    (p: { contact: Contact }): boolean =>
      p.contact.username === username && (state === undefined || p.contact.state === state);

  describe('requests and answers', () => {
    it('a request shows as incoming on every device of the other side and outgoing for the requester', async () => {
      const [bobPhone, alicePhone] = await Promise.all([secondDevice(bob), secondDevice(alice)]);

      const { contact } = await alice.device.ok('contacts.request', { username: 'bob' });
      expect(contact).toEqual({
        username: 'bob',
        displayName: 'BOB',
        state: 'outgoing',
        presence: 'offline',
      });

      const incoming = { username: 'alice', displayName: 'ALICE', state: 'incoming', presence: 'offline' };
      expect((await bob.device.next('contact.updated')).contact).toEqual(incoming);
      expect((await bobPhone.next('contact.updated')).contact).toEqual(incoming);
      expect((await alice.device.next('contact.updated')).contact).toEqual(contact);
      expect((await alicePhone.next('contact.updated')).contact).toEqual(contact);
    });

    it('accept: both sides see an accepted contact with live presence', async () => {
      const bobPhone = await secondDevice(bob);
      await alice.device.ok('contacts.request', { username: 'bob' });
      await bob.device.next('contact.updated', about('alice', 'incoming'));

      const { contact } = await bob.device.ok('contacts.accept', { username: 'alice' });
      expect(contact).toEqual({
        username: 'alice',
        displayName: 'ALICE',
        state: 'accepted',
        presence: 'online',
      });
      expect((await alice.device.next('contact.updated', about('bob', 'accepted'))).contact).toEqual({
        username: 'bob',
        displayName: 'BOB',
        state: 'accepted',
        presence: 'online',
      });
      expect((await bobPhone.next('contact.updated', about('alice', 'accepted'))).contact).toEqual(contact);

      // Presence now flows between them.
      bob.device.close();
      bobPhone.close();
      await alice.device.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'offline');
    });

    it('a request to someone who already asked you accepts their request', async () => {
      await alice.device.ok('contacts.request', { username: 'bob' });
      await bob.device.next('contact.updated', about('alice', 'incoming'));

      const { contact } = await bob.device.ok('contacts.request', { username: 'alice' });
      expect(contact).toMatchObject({ username: 'alice', state: 'accepted', presence: 'online' });
      expect((await alice.device.next('contact.updated', about('bob', 'accepted'))).contact.presence).toBe(
        'online',
      );
      // They can call each other now.
      const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
      await bob.device.next('call.incoming', (p) => p.callId === callId);
    });

    it('a request sent with a decline of the same request right behind it never fails for want of the request', async () => {
      // The two are in flight together, so the server works on both at once: the request finds Alice's request
      // and sets out to accept it, and the decline removes it meanwhile. The request then asks Alice instead.
      for (let round = 0; round < 5; round++) {
        await alice.device.ok('contacts.request', { username: 'bob' });
        await bob.device.next('contact.updated', about('alice', 'incoming'));
        const [request, decline] = await Promise.all([
          bob.device.request('contacts.request', { username: 'alice' }),
          bob.device.request('contacts.decline', { username: 'alice' }),
        ]);
        expect(request).toMatchObject({ ok: true });
        // The decline either went first (and the request asked Alice anew) or came too late.
        if (!decline.ok) expect(decline.error.code).toBe('E_NO_REQUEST');
        await alice.device.ok('contacts.remove', { username: 'bob' }).catch(() => undefined);
      }
    });

    it('decline removes the request on both sides; a new request is possible afterwards', async () => {
      const bobPhone = await secondDevice(bob);
      await alice.device.ok('contacts.request', { username: 'bob' });
      await bob.device.next('contact.updated', about('alice', 'incoming'));

      await bob.device.ok('contacts.decline', { username: 'alice' });
      expect(await alice.device.next('contact.removed')).toEqual({ username: 'bob' });
      expect(await bob.device.next('contact.removed')).toEqual({ username: 'alice' });
      expect(await bobPhone.next('contact.removed')).toEqual({ username: 'alice' });

      expect((await secondDevice(alice)).ready.contacts).toEqual([]);
      expect((await secondDevice(bob)).ready.contacts).toEqual([]);
      expect(await bob.device.fails('contacts.accept', { username: 'alice' })).toBe('E_NO_REQUEST');
      expect(await alice.device.fails('call.invite', { callee: 'bob', media: 'audio' })).toBe(
        'E_NOT_CONTACT',
      );

      await alice.device.ok('contacts.request', { username: 'bob' });
      await bob.device.next('contact.updated', about('alice', 'incoming'));
    });

    it('the requester can withdraw a pending request', async () => {
      await alice.device.ok('contacts.request', { username: 'bob' });
      await bob.device.next('contact.updated', about('alice', 'incoming'));
      await alice.device.ok('contacts.remove', { username: 'bob' });
      expect(await bob.device.next('contact.removed')).toEqual({ username: 'alice' });
      expect(await alice.device.next('contact.removed')).toEqual({ username: 'bob' });
      expect(await bob.device.fails('contacts.accept', { username: 'alice' })).toBe('E_NO_REQUEST');
    });
  });

  describe('removing a contact', () => {
    for (const remover of ['alice', 'bob'] as const) {
      it(`removed by ${remover}: gone on both sides, and they can no longer call each other`, async () => {
        await befriend(alice, bob);
        const [by, other] = remover === 'alice' ? [alice, bob] : [bob, alice];
        const otherPhone = await secondDevice(other);

        await by.device.ok('contacts.remove', { username: other.username });
        expect(await other.device.next('contact.removed')).toEqual({ username: by.username });
        expect(await otherPhone.next('contact.removed')).toEqual({ username: by.username });
        expect(await by.device.next('contact.removed')).toEqual({ username: other.username });

        expect(await alice.device.fails('call.invite', { callee: 'bob', media: 'audio' })).toBe(
          'E_NOT_CONTACT',
        );
        expect(await bob.device.fails('call.invite', { callee: 'alice', media: 'video' })).toBe(
          'E_NOT_CONTACT',
        );
        expect(bob.device.all('call.incoming')).toHaveLength(0);
        expect(alice.device.all('call.incoming')).toHaveLength(0);
        expect(otherPhone.ready.contacts).toEqual([
          expect.objectContaining({ username: by.username, state: 'accepted' }),
        ]);
        expect((await secondDevice(other)).ready.contacts).toEqual([]);
        expect(await by.device.fails('contacts.remove', { username: other.username })).toBe('E_NOT_CONTACT');
      });
    }
  });

  describe('errors', () => {
    it('refuses unknown users, yourself, existing contacts and missing requests', async () => {
      const carol = await person(server, 'carol');
      // Only a request says that a username does not exist; the answers need no account to exist.
      expect(await alice.device.fails('contacts.request', { username: 'nobody' })).toBe('E_NOT_FOUND');
      expect(await alice.device.fails('contacts.accept', { username: 'nobody' })).toBe('E_NO_REQUEST');
      expect(await alice.device.fails('contacts.decline', { username: 'nobody' })).toBe('E_NO_REQUEST');
      expect(await alice.device.fails('contacts.remove', { username: 'nobody' })).toBe('E_NOT_CONTACT');
      expect(await alice.device.fails('contacts.request', { username: 'alice' })).toBe('E_SELF');
      expect(await alice.device.fails('contacts.accept', { username: 'alice' })).toBe('E_SELF');
      expect(await alice.device.fails('contacts.decline', { username: 'alice' })).toBe('E_SELF');
      expect(await alice.device.fails('contacts.remove', { username: 'alice' })).toBe('E_SELF');

      expect(await alice.device.fails('contacts.accept', { username: 'carol' })).toBe('E_NO_REQUEST');
      expect(await alice.device.fails('contacts.decline', { username: 'carol' })).toBe('E_NO_REQUEST');
      expect(await alice.device.fails('contacts.remove', { username: 'carol' })).toBe('E_NOT_CONTACT');

      // Your own outgoing request is not one you can accept or decline.
      await alice.device.ok('contacts.request', { username: 'carol' });
      expect(await alice.device.fails('contacts.accept', { username: 'carol' })).toBe('E_NO_REQUEST');
      expect(await alice.device.fails('contacts.decline', { username: 'carol' })).toBe('E_NO_REQUEST');

      await befriend(alice, bob);
      expect(await alice.device.fails('contacts.request', { username: 'bob' })).toBe('E_ALREADY_CONTACT');
      expect(await bob.device.fails('contacts.request', { username: 'alice' })).toBe('E_ALREADY_CONTACT');
      expect(await bob.device.fails('contacts.accept', { username: 'alice' })).toBe('E_NO_REQUEST');
      expect(await bob.device.fails('contacts.decline', { username: 'alice' })).toBe('E_NO_REQUEST');

      // None of the refusals changed anything.
      const fresh = await secondDevice(alice);
      expect(fresh.ready.contacts.map((c) => [c.username, c.state])).toEqual([
        ['bob', 'accepted'],
        ['carol', 'outgoing'],
      ]);
      expect((await secondDevice(carol)).ready.contacts.map((c) => [c.username, c.state])).toEqual([
        ['alice', 'incoming'],
      ]);
    });
  });

  describe('session.ready', () => {
    it('lists contacts and pending requests with their states and presence after reconnecting', async () => {
      const [carol, dave, erin] = await Promise.all([
        person(server, 'carol'),
        person(server, 'dave'),
        person(server, 'erin'),
      ]);
      await befriend(alice, bob);
      await befriend(alice, erin);
      await alice.device.ok('contacts.request', { username: 'carol' });
      await dave.device.ok('contacts.request', { username: 'alice' });
      await alice.device.next('contact.updated', about('dave', 'incoming'));
      erin.device.close();
      await alice.device.next('presence.changed', (p) => p.username === 'erin' && p.presence === 'offline');

      alice.device.close();
      await bob.device.next('presence.changed', (p) => p.username === 'alice' && p.presence === 'offline');
      const back = await secondDevice(alice);
      expect(back.ready.contacts).toEqual([
        { username: 'bob', displayName: 'BOB', state: 'accepted', presence: 'online' },
        // Pending ones never show presence, though carol and dave are online.
        { username: 'carol', displayName: 'CAROL', state: 'outgoing', presence: 'offline' },
        { username: 'dave', displayName: 'DAVE', state: 'incoming', presence: 'offline' },
        { username: 'erin', displayName: 'ERIN', state: 'accepted', presence: 'offline' },
      ]);
      expect(carol.device.ready.contacts).toEqual([]);
      expect((await secondDevice(carol)).ready.contacts).toEqual([
        { username: 'alice', displayName: 'ALICE', state: 'incoming', presence: 'offline' },
      ]);
      expect((await secondDevice(dave)).ready.contacts).toEqual([
        { username: 'alice', displayName: 'ALICE', state: 'outgoing', presence: 'offline' },
      ]);
    });

    it("a connect reads the user's contacts once, for session.ready and for announcing the user online", async () => {
      // A server with metrics (to count the statements reading the contacts table), restarted below so
      // that nothing of ann's contacts is held in memory and her connect announces her at once.
      const withMetrics = { metricsListen: { host: '127.0.0.1', port: 0 } };
      const first = await startTestServer(withMetrics);
      const [ann, ben, dan, eve] = await Promise.all([
        person(first, 'ann'),
        person(first, 'ben'),
        person(first, 'dan'),
        person(first, 'eve'),
        person(first, 'cat'),
      ]);
      await befriend(ann, ben);
      await befriend(ann, dan);
      await ann.device.ok('contacts.request', { username: 'cat' });
      await eve.device.ok('contacts.request', { username: 'ann' });
      await first.stop({ removeData: false });

      const counted = await startTestServer({ ...withMetrics, dataDir: first.config.dataDir });
      try {
        const contactReads = async (): Promise<number> => {
          const text = await (await fetch(counted.metricsUrl!)).text();
          const line = /^parley_db_statement_duration_seconds_count\{statement="select contacts"\} (\d+)$/m;
          return Number(line.exec(text)?.[1] ?? 0);
        };
        const [benBack, danBack] = await Promise.all([
          connect(counted, ben.token),
          connect(counted, dan.token),
        ]);
        const before = await contactReads();
        const back = await connect(counted, ann.token);
        await benBack.next('presence.changed', (p) => p.username === 'ann' && p.presence === 'online');
        await danBack.next('presence.changed', (p) => p.username === 'ann' && p.presence === 'online');
        expect(await contactReads()).toBe(before + 1);
        expect(back.ready.contacts).toEqual([
          { username: 'ben', displayName: 'BEN', state: 'accepted', presence: 'online' },
          { username: 'cat', displayName: 'CAT', state: 'outgoing', presence: 'offline' },
          { username: 'dan', displayName: 'DAN', state: 'accepted', presence: 'online' },
          { username: 'eve', displayName: 'EVE', state: 'incoming', presence: 'offline' },
        ]);
      } finally {
        await counted.stop();
      }
    });
  });
});
