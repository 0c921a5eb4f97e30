// NotificationServer (the freedesktop notification client) against a real dbus-daemon on a private bus,
// with the spec's test server (test-support/fake-notification-server.ts) as the desktop's notification
// server: what Notify sends, buttons and closes coming back, signals from strangers, no server, no buses.bus.
import { Message, sessionBus, type MessageBus } from 'dbus-next';
import { describe, expect, it, vi } from 'vitest';
import { FakeNotificationServer } from '../test-support/fake-notification-server.js';
import { privateBusPerTest, privateBusUnavailable, startPrivateBus } from '../test-support/private-bus.js';
import { NotificationServer, type NotificationRequest } from './notification-server.js';
import { addressForNode } from './session-bus.js';

const unavailable = privateBusUnavailable();
if (unavailable) console.warn(`skipping D-Bus notification tests: ${unavailable}`);

const ringing: NotificationRequest = {
  appName: 'Parley',
  icon: '',
  summary: 'Incoming call',
  body: 'Alice (@alice) is calling',
  actions: [
    { key: 'accept-audio', label: 'Accept' },
    { key: 'decline', label: 'Decline' },
    { key: 'default', label: 'Open' },
  ],
  urgency: 'critical',
  timeout: 'never',
  silent: true,
  desktopEntry: 'parley',
};

const buses = privateBusPerTest(unavailable);
const { cleanup } = buses;

function events() {
  return { onAction: vi.fn(), onClosed: vi.fn(), onServerGone: vi.fn() };
}

async function connect(address = buses.bus.address) {
  const heard = events();
  const client = await NotificationServer.connect(heard, address);
  cleanup.push(() => client.disconnect());
  return { client, heard };
}

async function startServer(capabilities?: string[]) {
  const server = await FakeNotificationServer.start(buses.bus.address, capabilities);
  cleanup.push(() => server.stop());
  return server;
}

/** Another program on the same buses.bus. */
async function stranger(): Promise<MessageBus> {
  const other = sessionBus({ busAddress: buses.bus.address });
  await new Promise((resolve) => other.once('connect', resolve));
  cleanup.push(() => other.disconnect());
  return other;
}

describe.skipIf(unavailable)('NotificationServer on a private bus', () => {
  it('sends the notification as the spec has it: actions, critical urgency, no timeout, silent', async () => {
    const server = await startServer();
    const { client } = await connect();
    expect(client.capabilities).toContain('actions');
    expect(client.serverName).toBe('parley-test 1');
    const id = await client.notify(ringing);
    expect(server.shown).toEqual([
      expect.objectContaining({
        id,
        appName: 'Parley',
        summary: 'Incoming call',
        body: 'Alice (@alice) is calling',
        actions: [
          ['accept-audio', 'Accept'],
          ['decline', 'Decline'],
          ['default', 'Open'],
        ],
        hints: { urgency: 2, 'suppress-sound': true, 'desktop-entry': 'parley' },
        timeout: 0,
        open: true,
      }),
    ]);
  });

  it('a normal notification keeps the server default timeout', async () => {
    const server = await startServer();
    const { client } = await connect();
    await client.notify({ ...ringing, urgency: 'normal', timeout: 'default', silent: false });
    expect(server.shown[0]).toMatchObject({
      hints: { urgency: 1, 'suppress-sound': false },
      timeout: -1,
    });
  });

  it('escapes the body, so that a name shows as typed and cannot restyle the notification', async () => {
    const server = await startServer(['actions', 'body']); // like dunst: parses markup, does not say so
    const { client } = await connect();
    await client.notify({ ...ringing, body: '<b>Eve</b> & co (@eve) is calling' });
    expect(server.shown[0]!.body).toBe('&lt;b&gt;Eve&lt;/b&gt; &amp; co (@eve) is calling');
  });

  it('reports a pressed button, then the close that follows it', async () => {
    const server = await startServer();
    const { client, heard } = await connect();
    const id = await client.notify(ringing);
    server.invoke(id, 'decline');
    await vi.waitFor(() => expect(heard.onClosed).toHaveBeenCalled());
    expect(heard.onAction.mock.calls).toEqual([[id, 'decline']]);
    expect(heard.onClosed.mock.calls).toEqual([[id, 'dismissed']]);
  });

  it('close withdraws it; expiry is reported as such', async () => {
    const server = await startServer();
    const { client, heard } = await connect();
    const first = await client.notify(ringing);
    const second = await client.notify(ringing);
    await client.close(first);
    server.expire(second);
    await vi.waitFor(() => expect(heard.onClosed).toHaveBeenCalledTimes(2));
    expect(server.closeCalls).toEqual([first]);
    expect(server.open()).toEqual([]);
    expect(heard.onClosed.mock.calls).toEqual([
      [first, 'closed-by-call'],
      [second, 'expired'],
    ]);
  });

  it('ignores ActionInvoked from any program but the notification server', async () => {
    const server = await startServer();
    const { client, heard } = await connect();
    const id = await client.notify(ringing);
    const other = await stranger();
    other.send(
      Message.newSignal(
        '/org/freedesktop/Notifications',
        'org.freedesktop.Notifications',
        'ActionInvoked',
        'us',
        [id, 'accept-audio'],
      ),
    );
    // The bus has passed the stranger's signal on before it answers the stranger's next call.
    await other.call(
      new Message({
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        interface: 'org.freedesktop.DBus',
        member: 'GetId',
      }),
    );
    server.dismiss(id);
    await vi.waitFor(() => expect(heard.onClosed).toHaveBeenCalled());
    expect(heard.onAction).not.toHaveBeenCalled();
  });

  it('says so when the server leaves the bus', async () => {
    const server = await startServer();
    const { heard } = await connect();
    server.stop();
    await vi.waitFor(() => expect(heard.onServerGone).toHaveBeenCalled());
  });

  it('rejects with the reason when nobody serves notifications on the bus', async () => {
    await expect(NotificationServer.connect(events(), buses.bus.address)).rejects.toThrow(
      /no notification server: .*ServiceUnknown|no notification server: .*not provided/i,
    );
  });

  // libuv connects to abstract names with their exact length from 1.48 on (Node 22, Electron 45's Node);
  // older ones pad the name, and no daemon answers to it.
  const [major = 0, minor = 0] = process.versions.uv!.split('.').map(Number);
  const exactAbstract = major > 1 || minor >= 48;
  if (!exactAbstract) console.warn(`skipping the abstract-socket test: libuv ${process.versions.uv} < 1.48`);

  it.skipIf(!exactAbstract)(
    'opens an abstract-socket bus address (dbus-launch) without native modules',
    async () => {
      const abstract = await startPrivateBus('abstract');
      cleanup.push(() => abstract.stop());
      expect(abstract.address).toMatch(/^unix:abstract=/);
      const server = await FakeNotificationServer.start(addressForNode(abstract.address));
      cleanup.push(() => server.stop());
      const { client } = await connect(abstract.address);
      await client.notify(ringing);
      expect(server.shown).toHaveLength(1);
    },
  );
});

it('turns an abstract address into one Node opens, keeping the others', () => {
  expect(addressForNode('unix:abstract=/tmp/dbus-Ab,guid=12;unix:path=/run/user/1/bus')).toBe(
    'unix:socket=\u0000/tmp/dbus-Ab;unix:path=/run/user/1/bus',
  );
});

it('rejects at once without a session bus', async () => {
  await expect(NotificationServer.connect(events(), '')).rejects.toThrow(
    'no session bus (DBUS_SESSION_BUS_ADDRESS is not set)',
  );
});
