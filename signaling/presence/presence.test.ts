/** Presence end to end: who hears it, how several devices combine, do-not-disturb, calls. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Presence } from '../protocol/index.js';
import {
  befriend,
  connect,
  person,
  type Person,
  startTestServer,
  type TestDevice,
  type TestServer,
} from '../test-support/harness.js';

let server: TestServer;
let alice: Person;
let bob: Person;

beforeEach(async () => {
  server = await startTestServer();
  [alice, bob] = await Promise.all([person(server, 'alice'), person(server, 'bob')]);
  await befriend(alice, bob);
});

afterEach(async () => {
  await server.stop();
});

/** Another device of the same person (closed when the server stops). */
const device = (p: Person, deviceId?: string): Promise<TestDevice> => connect(server, p.token, deviceId);

/** Waits until `watcher` hears that `username` is now `presence`. */
const sees = (watcher: TestDevice, username: string, presence: Presence) =>
  watcher.next('presence.changed', (p) => p.username === username && p.presence === presence);

/** Every presence `watcher` has heard about `username`, in order. */
const heard = (watcher: TestDevice, username: string): Presence[] =>
  watcher
    .all('presence.changed')
    .filter((p) => p.username === username)
    .map((p) => p.presence);

describe('who hears presence', () => {
  it('reaches accepted contacts and no one else', async () => {
    const [carol, dave] = await Promise.all([person(server, 'carol'), person(server, 'dave')]);
    await befriend(carol, dave);

    bob.device.close();
    await sees(alice.device, 'bob', 'offline');
    const bobAgain = await device(bob);
    await sees(alice.device, 'bob', 'online');
    bobAgain.close();
    await sees(alice.device, 'bob', 'offline');
    expect(heard(alice.device, 'bob')).toEqual(['offline', 'online', 'offline']);

    // Barrier: a change of carol's own contact reaches her after all of bob's.
    dave.device.close();
    await sees(carol.device, 'dave', 'offline');
    expect(heard(carol.device, 'bob')).toEqual([]);
    expect(carol.device.received.filter((r) => JSON.stringify(r.payload).includes('"bob"'))).toEqual([]);
    expect(heard(alice.device, 'dave')).toEqual([]);
  });

  it('a pending contact, in either direction, hears no presence', async () => {
    const [erin, frank] = await Promise.all([person(server, 'erin'), person(server, 'frank')]);
    await erin.device.ok('contacts.request', { username: 'bob' }); // erin: outgoing
    await bob.device.ok('contacts.request', { username: 'frank' }); // frank: incoming
    await frank.device.next('contact.updated', (p) => p.contact.username === 'bob');

    await bob.device.ok('presence.update', { dnd: true });
    await sees(alice.device, 'bob', 'dnd');
    bob.device.close();
    await sees(alice.device, 'bob', 'offline');
    const bobAgain = await device(bob);
    await sees(alice.device, 'bob', 'dnd');

    // Barrier: bob answering both requests reaches them after his presence changes.
    await bobAgain.ok('contacts.decline', { username: 'erin' });
    await bobAgain.ok('contacts.remove', { username: 'frank' });
    await erin.device.next('contact.removed');
    await frank.device.next('contact.removed');
    expect(erin.device.all('presence.changed')).toEqual([]);
    expect(frank.device.all('presence.changed')).toEqual([]);
    expect(frank.device.all('contact.updated').map((p) => p.contact.presence)).toEqual(['offline']);
  });

  it('once a request is accepted, presence flows', async () => {
    const erin = await person(server, 'erin');
    await befriend(erin, bob);
    bob.device.close();
    await sees(erin.device, 'bob', 'offline');
    await sees(alice.device, 'bob', 'offline');
  });
});

describe('several devices', () => {
  it('bob is online while any device is active, away when all are, offline when none is connected', async () => {
    const laptop = bob.device;
    const phone = await device(bob);
    expect(phone.ready.contacts).toEqual([
      expect.objectContaining({ username: 'alice', presence: 'online' }),
    ]);
    expect((await device(alice)).ready.contacts).toEqual([
      expect.objectContaining({ username: 'bob', presence: 'online' }),
    ]);

    expect(await laptop.ok('presence.update', { away: true })).toEqual({
      ok: true,
      presence: 'online',
      dnd: false,
    });
    expect(await phone.ok('presence.update', { away: true })).toEqual({
      ok: true,
      presence: 'away',
      dnd: false,
    });
    await sees(alice.device, 'bob', 'away');
    expect(await laptop.next('presence.self', (p) => p.presence === 'away')).toEqual({
      presence: 'away',
      dnd: false,
    });
    // One away device never showed as anything but online.
    expect(heard(alice.device, 'bob')).toEqual(['away']);

    // Coming back on one device is enough.
    await laptop.ok('presence.update', { away: false });
    await sees(alice.device, 'bob', 'online');
    await laptop.ok('presence.update', { away: true });
    await sees(alice.device, 'bob', 'away');

    laptop.close();
    phone.close();
    await sees(alice.device, 'bob', 'offline');
    // Closing the first device changed nothing: the other one was away too.
    expect(heard(alice.device, 'bob')).toEqual(['away', 'online', 'away', 'offline']);
  });

  it('closing the only active device, while the other is away, makes bob away', async () => {
    const phone = await device(bob);
    await phone.ok('presence.update', { away: true });
    bob.device.close();
    await sees(alice.device, 'bob', 'away');
    phone.close();
    await sees(alice.device, 'bob', 'offline');
    expect(heard(alice.device, 'bob')).toEqual(['away', 'offline']);
  });

  it('do not disturb: contacts see dnd, every device of bob hears it, and it survives reconnecting', async () => {
    const phone = await device(bob);
    expect(await bob.device.ok('presence.update', { dnd: true })).toEqual({
      ok: true,
      presence: 'dnd',
      dnd: true,
    });
    await sees(alice.device, 'bob', 'dnd');
    expect(await phone.next('presence.self', (p) => p.dnd)).toEqual({ presence: 'dnd', dnd: true });

    // Away under dnd is still dnd.
    await bob.device.ok('presence.update', { away: true });
    expect(await phone.ok('presence.update', { away: true })).toMatchObject({ presence: 'dnd', dnd: true });

    bob.device.close();
    phone.close();
    await sees(alice.device, 'bob', 'offline');
    const back = await device(bob);
    expect(back.ready.dnd).toBe(true);
    await sees(alice.device, 'bob', 'dnd');
    expect((await device(alice)).ready.contacts).toEqual([
      expect.objectContaining({ username: 'bob', presence: 'dnd' }),
    ]);

    expect(await back.ok('presence.update', { dnd: false })).toEqual({
      ok: true,
      presence: 'online',
      dnd: false,
    });
    await sees(alice.device, 'bob', 'online');
    expect(heard(alice.device, 'bob')).toEqual(['dnd', 'offline', 'dnd', 'online']);
  });
});

describe('calls', () => {
  it('both parties are busy to their contacts during a call and online after it', async () => {
    const carol = await person(server, 'carol');
    await befriend(carol, alice);
    await befriend(carol, bob);

    const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
    await bob.device.next('call.incoming');
    await bob.device.ok('call.accept', { callId });

    await sees(carol.device, 'alice', 'busy');
    await sees(carol.device, 'bob', 'busy');
    await sees(alice.device, 'bob', 'busy');
    await sees(bob.device, 'alice', 'busy');
    expect(await bob.device.next('presence.self', (p) => p.presence === 'busy')).toEqual({
      presence: 'busy',
      dnd: false,
    });
    expect((await device(carol)).ready.contacts.map((c) => [c.username, c.presence])).toEqual([
      ['alice', 'busy'],
      ['bob', 'busy'],
    ]);

    await bob.device.ok('call.hangup', { callId });
    await sees(carol.device, 'alice', 'online');
    await sees(carol.device, 'bob', 'online');
    await sees(alice.device, 'bob', 'online');
    await sees(bob.device, 'alice', 'online');
    // Ringing alone did not make anyone busy.
    expect(heard(carol.device, 'bob')).toEqual(['busy', 'online']);
    expect(heard(carol.device, 'alice')).toEqual(['busy', 'online']);
  });
});

describe('session.ready', () => {
  it('carries the current presence of each contact', async () => {
    const [carol, dave, erin] = await Promise.all([
      person(server, 'carol'),
      person(server, 'dave'),
      person(server, 'erin'),
    ]);
    await Promise.all([befriend(alice, carol), befriend(alice, dave), befriend(alice, erin)]);

    await carol.device.ok('presence.update', { away: true });
    await sees(alice.device, 'carol', 'away');
    await dave.device.ok('presence.update', { dnd: true });
    await sees(alice.device, 'dave', 'dnd');
    erin.device.close();
    await sees(alice.device, 'erin', 'offline');

    const fresh = await device(alice);
    expect(fresh.ready.contacts.map((c) => [c.username, c.state, c.presence])).toEqual([
      ['bob', 'accepted', 'online'],
      ['carol', 'accepted', 'away'],
      ['dave', 'accepted', 'dnd'],
      ['erin', 'accepted', 'offline'],
    ]);
    expect(fresh.ready.dnd).toBe(false);
  });
});

it("a connecting device learns its own presence from session.ready alone; the user's other devices hear presence.self", async () => {
  const carol = await person(server, 'carol'); // offline -> online: announced, but not to this device
  // The connect's announcement is sent before session.ready, so by then it would have arrived.
  expect(carol.device.eventNames()).not.toContain('presence.self');
  expect(carol.device.ready.presence).toBe('online');

  await carol.device.ok('presence.update', { away: true });
  await carol.device.next('presence.self', (p) => p.presence === 'away');
  const phone = await device(carol); // away -> online
  expect(phone.ready.presence).toBe('online');
  await carol.device.next('presence.self', (p) => p.presence === 'online');
});
