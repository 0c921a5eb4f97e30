// LinuxNotifications against a real notification server: Debian's dunst on a private bus and its own
// Xvfb display (test-support/dunst.ts). The person picks actions from dunst's menu (`dunstctl context`).
// Skipped, saying why, where Xvfb, dunst or dbus-daemon is missing.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PlatformAction } from '../../shared/app-shell.js';
import { dunstUnavailable, startDunst, type Dunst } from '../test-support/dunst.js';
import { startPrivateBus } from '../test-support/private-bus.js';
import { LinuxNotifications } from './linux-notifications.js';
import { incomingCallNotification, missedCallNotification } from './policy.js';

const unavailable = dunstUnavailable();
if (unavailable) console.warn(`skipping the dunst notification tests: ${unavailable}`);

const call = { callId: 'c1', caller: { username: 'alice', displayName: 'Alice' }, media: 'video' } as const;
/** dunst answers within milliseconds; a loaded machine gets more. */
const WAIT = { timeout: 5000 };

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

let dunst: Dunst;
let notifications: LinuxNotifications;
const onAction = vi.fn<(action: PlatformAction) => void>();
const onOpen = vi.fn();
const log = vi.fn<(message: string) => void>();
const fallbackShow = vi.fn();

beforeEach(async () => {
  if (unavailable) return;
  onAction.mockReset();
  log.mockReset();
  const bus = await startPrivateBus();
  cleanup.push(() => bus.stop());
  dunst = await startDunst(bus.address);
  cleanup.push(() => dunst.stop());
  notifications = new LinuxNotifications({
    fallback: {
      supported: () => true,
      actionsSupported: () => false,
      show: fallbackShow,
      close: vi.fn(),
      dispose: vi.fn(),
    },
    icon: '',
    log,
    onAction,
    onOpen,
  });
  await notifications.start(bus.address);
  cleanup.push(() => notifications.dispose());
});

const displayed = () => Number(dunst.dunstctl('count', 'displayed').trim());

describe.skipIf(unavailable)('LinuxNotifications with dunst', () => {
  it('dunst shows the incoming call with its buttons; Accept video from its menu reaches the call', async () => {
    expect(log.mock.calls).toEqual([
      [expect.stringMatching(/^notifications with buttons through dunst 1\./)],
    ]);
    notifications.show(incomingCallNotification(call, { actions: true }));
    await vi.waitFor(() => expect(displayed()).toBe(1), WAIT);
    await dunst.choose('accept-video');
    dunst.dunstctl('context');
    await vi.waitFor(() => expect(onAction).toHaveBeenCalled(), WAIT);
    expect(onAction.mock.calls).toEqual([[{ type: 'accept', callId: 'c1', media: 'video' }]]);
    expect(fallbackShow).not.toHaveBeenCalled();
  });

  it('when ringing stops the notification goes; a missed call offers Call back', async () => {
    const incoming = incomingCallNotification(call, { actions: true });
    notifications.show(incoming);
    await vi.waitFor(() => expect(displayed()).toBe(1), WAIT);
    notifications.close(incoming.id);
    await vi.waitFor(() => expect(displayed()).toBe(0), WAIT);

    notifications.show(missedCallNotification(call, { dnd: false })!);
    await vi.waitFor(() => expect(displayed()).toBe(1), WAIT);
    await dunst.choose('call-back');
    dunst.dunstctl('context');
    await vi.waitFor(() => expect(onAction).toHaveBeenCalled(), WAIT);
    expect(onAction.mock.calls).toEqual([[{ type: 'call', username: 'alice', media: 'video' }]]);
    expect(log.mock.calls).toHaveLength(1); // only the line saying buttons work: nothing failed
  });
});
