// LinuxNotifications (notification models over D-Bus) against a real dbus-daemon on a private bus with
// the spec's test server (test-support/fake-notification-server.ts): buttons and clicks reach the
// handlers once, withdrawing works however early or late it comes, and without a server that can show
// buttons every notification goes to the fallback.
import { describe, expect, it, vi } from 'vitest';
import type { PlatformAction } from '../../shared/app-shell.js';
import { FakeNotificationServer } from '../test-support/fake-notification-server.js';
import { privateBusPerTest, privateBusUnavailable } from '../test-support/private-bus.js';
import { LinuxNotifications } from './linux-notifications.js';
import type { Notifier } from './notifier.js';
import { incomingCallNotification, missedCallNotification } from './policy.js';

const unavailable = privateBusUnavailable();
if (unavailable) console.warn(`skipping Linux notification tests: ${unavailable}`);

const call = { callId: 'c1', caller: { username: 'alice', displayName: 'Alice' }, media: 'audio' } as const;
const incoming = incomingCallNotification(call, { actions: true });
const missed = missedCallNotification({ ...call, callId: 'c2' }, { dnd: false })!;

const buses = privateBusPerTest(unavailable);
const { cleanup } = buses;

/** A recording stand-in for Electron's notifications. */
function fallback() {
  return {
    supported: () => true,
    actionsSupported: () => false,
    show: vi.fn<Notifier['show']>(),
    close: vi.fn<Notifier['close']>(),
    dispose: vi.fn(),
  } satisfies Notifier;
}

async function setup({ capabilities, server = true }: { capabilities?: string[]; server?: boolean } = {}) {
  const desktop = server ? await FakeNotificationServer.start(buses.bus.address, capabilities) : null;
  if (desktop) cleanup.push(() => desktop.stop());
  const onAction = vi.fn<(action: PlatformAction) => void>();
  const onOpen = vi.fn();
  const log = vi.fn<(message: string) => void>();
  const plain = fallback();
  const notifications = new LinuxNotifications({ fallback: plain, icon: '', log, onAction, onOpen });
  await notifications.start(buses.bus.address);
  cleanup.push(() => notifications.dispose());
  /** The notification the server shows for `model`, once Notify has reached it. */
  const onServer = async (summary: string) => {
    await vi.waitFor(() => expect(desktop!.shown.find((n) => n.summary === summary)).toBeDefined());
    return desktop!.shown.find((n) => n.summary === summary)!;
  };
  /**
   * Resolves once everything the server sent so far has been handled here: a probe notification's id
   * comes back after those messages, and only with it can the probe be withdrawn.
   */
  let probes = 0;
  const settled = async () => {
    const title = `Probe ${++probes}`;
    notifications.show({ ...missed, id: title, title });
    notifications.close(title);
    const { id } = await onServer(title);
    await vi.waitFor(() => expect(desktop!.closeCalls).toContain(id));
  };
  return { desktop: desktop!, notifications, onAction, onOpen, log, plain, onServer, settled };
}

describe.skipIf(unavailable)('LinuxNotifications', () => {
  it('shows an incoming call with Accept, Accept video and Decline, critical and sticky', async () => {
    const { notifications, onServer, plain, log } = await setup();
    expect(notifications.actionsSupported()).toBe(true);
    expect(log.mock.calls).toEqual([['notifications with buttons through parley-test 1']]);
    notifications.show(incoming);
    const n = await onServer('Incoming call');
    expect(n).toMatchObject({
      appName: 'Parley',
      body: '\u2068Alice\u2069 (@alice) is calling',
      actions: [
        ['accept-audio', 'Accept'],
        ['accept-video', 'Accept video'],
        ['decline', 'Decline'],
        ['default', 'Open Parley'],
      ],
      hints: { urgency: 2, 'suppress-sound': true, 'desktop-entry': 'parley' },
      timeout: 0,
    });
    expect(plain.show).not.toHaveBeenCalled();
  });

  it.each([
    ['accept-audio', { type: 'accept', callId: 'c1', media: 'audio' }],
    ['accept-video', { type: 'accept', callId: 'c1', media: 'video' }],
    ['decline', { type: 'decline', callId: 'c1' }],
  ] as const)('%s reaches the call', async (key, action) => {
    const { desktop, notifications, onServer, onAction } = await setup();
    notifications.show(incoming);
    desktop.invoke((await onServer('Incoming call')).id, key);
    await vi.waitFor(() => expect(onAction).toHaveBeenCalled());
    expect(onAction.mock.calls).toEqual([[action]]);
  });

  it('a press right behind the answer to Notify still counts', async () => {
    const { desktop, notifications, onAction } = await setup();
    desktop.afterNotify = (n) => desktop.invoke(n.id, 'decline');
    notifications.show(incoming);
    await vi.waitFor(() => expect(onAction).toHaveBeenCalled());
    expect(onAction.mock.calls).toEqual([[{ type: 'decline', callId: 'c1' }]]);
  });

  it('counts only the first button on a notification that stays (resident)', async () => {
    const { desktop, notifications, onServer, onAction, settled } = await setup();
    notifications.show(incoming);
    const { id } = await onServer('Incoming call');
    desktop.invoke(id, 'decline', { resident: true });
    desktop.invoke(id, 'accept-audio', { resident: true });
    await settled();
    expect(onAction.mock.calls).toEqual([[{ type: 'decline', callId: 'c1' }]]);
  });

  it('a click on the incoming call opens Parley; on a missed call it opens the history', async () => {
    const { desktop, notifications, onServer, onAction, onOpen } = await setup();
    notifications.show(incoming);
    desktop.invoke((await onServer('Incoming call')).id, 'default');
    await vi.waitFor(() => expect(onOpen).toHaveBeenCalledTimes(1));
    notifications.show(missed);
    desktop.invoke((await onServer('Missed call')).id, 'default');
    await vi.waitFor(() => expect(onAction).toHaveBeenCalled());
    expect(onAction.mock.calls).toEqual([[{ type: 'open-history' }]]);
  });

  it('a missed call offers Call back, which calls with the media the caller used', async () => {
    const { desktop, notifications, onServer, onAction } = await setup();
    notifications.show(missed);
    const n = await onServer('Missed call');
    expect(n).toMatchObject({
      actions: [
        ['call-back', 'Call back'],
        ['default', 'Open Parley'],
      ],
      hints: { urgency: 1, 'suppress-sound': false },
      timeout: -1,
    });
    desktop.invoke(n.id, 'call-back');
    await vi.waitFor(() => expect(onAction).toHaveBeenCalled());
    expect(onAction.mock.calls).toEqual([[{ type: 'call', username: 'alice', media: 'audio' }]]);
  });

  it('close withdraws it from the server', async () => {
    const { desktop, notifications, onServer } = await setup();
    notifications.show(incoming);
    const { id } = await onServer('Incoming call');
    notifications.close(incoming.id);
    await vi.waitFor(() => expect(desktop.open()).toEqual([]));
    expect(desktop.closeCalls).toEqual([id]);
  });

  it('close before the server has answered Notify withdraws it as soon as it has', async () => {
    const { desktop, notifications, onServer } = await setup();
    notifications.show(incoming);
    notifications.close(incoming.id); // Notify is still on its way
    const { id } = await onServer('Incoming call');
    await vi.waitFor(() => expect(desktop.closeCalls).toEqual([id]));
    expect(desktop.open()).toEqual([]);
  });

  it('does not withdraw what the server already closed (pressed, dismissed)', async () => {
    const { desktop, notifications, onServer, log, settled } = await setup();
    notifications.show(incoming);
    desktop.invoke((await onServer('Incoming call')).id, 'decline');
    await settled();
    const probes = [...desktop.closeCalls];
    notifications.close(incoming.id);
    await settled();
    expect(desktop.closeCalls).toHaveLength(probes.length + 1); // only the second probe
    expect(log.mock.calls).toEqual([['notifications with buttons through parley-test 1']]);
  });

  it('showing the same id again replaces the notification', async () => {
    const { desktop, notifications, onServer } = await setup();
    notifications.show(incoming);
    const first = await onServer('Incoming call');
    notifications.show({ ...incoming, title: 'Incoming video call' });
    const second = await onServer('Incoming video call');
    await vi.waitFor(() => expect(desktop.open()).toEqual([second]));
    expect(desktop.closeCalls).toEqual([first.id]);
  });

  it('without a notification server, everything goes to the fallback, and the log says why', async () => {
    const { notifications, plain, log } = await setup({ server: false });
    expect(notifications.actionsSupported()).toBe(false);
    expect(notifications.supported()).toBe(true);
    notifications.show(incoming);
    notifications.close(incoming.id);
    expect(plain.show.mock.calls).toEqual([[incoming]]);
    expect(plain.close.mock.calls).toEqual([[incoming.id]]);
    expect(log.mock.calls).toEqual([
      [expect.stringMatching(/^notifications without buttons: no notification server/)],
    ]);
  });

  it('a server without actions is left alone: the fallback shows', async () => {
    const { desktop, notifications, plain, log } = await setup({ capabilities: ['body'] });
    expect(notifications.actionsSupported()).toBe(false);
    notifications.show(incoming);
    expect(plain.show.mock.calls).toEqual([[incoming]]);
    expect(desktop.shown).toEqual([]);
    expect(log.mock.calls).toEqual([
      ['notifications without buttons: the notification server (parley-test 1) shows no actions'],
    ]);
  });

  it('after the server leaves the bus, notifications go to the fallback', async () => {
    const { desktop, notifications, plain, log } = await setup();
    desktop.stop();
    await vi.waitFor(() => expect(notifications.actionsSupported()).toBe(false));
    notifications.show(incoming);
    expect(plain.show.mock.calls).toEqual([[incoming]]);
    expect(log).toHaveBeenCalledWith(
      'the notification server left the session bus: notifications without buttons',
    );
  });
});
