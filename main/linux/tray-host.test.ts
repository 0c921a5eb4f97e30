// TrayHostWatch against a real dbus-daemon on a private bus: no watcher (stock GNOME), a watcher with a
// panel's tray, a watcher without one, and each of them coming and going while Parley runs. And the
// decision that follows: hide into the tray, or minimise.
import { describe, expect, it, vi } from 'vitest';
import { FakeStatusNotifierWatcher } from '../test-support/fake-status-notifier-watcher.js';
import { privateBusPerTest, privateBusUnavailable } from '../test-support/private-bus.js';
import { TrayHostWatch, trayStatus, windowCloseAction } from './tray-host.js';

const unavailable = privateBusUnavailable();
if (unavailable) console.warn(`skipping the tray host tests: ${unavailable}`);

const buses = privateBusPerTest(unavailable);
const { cleanup } = buses;

async function watcher(options?: { hostRegistered?: boolean }) {
  const w = await FakeStatusNotifierWatcher.start(buses.bus.address, options);
  cleanup.push(() => w.stop());
  return w;
}

async function watch() {
  const onChange = vi.fn<(present: boolean) => void>();
  const w = await TrayHostWatch.start(onChange, buses.bus.address);
  cleanup.push(() => w.stop());
  return { w, onChange };
}

describe.skipIf(unavailable)('TrayHostWatch on a private bus', () => {
  it('no StatusNotifierWatcher on the bus (stock GNOME): no tray host', async () => {
    const { w } = await watch();
    expect(w.hasHost).toBe(false);
  });

  it('a watcher with a panel’s tray registered: a tray host', async () => {
    await watcher();
    const { w } = await watch();
    expect(w.hasHost).toBe(true);
  });

  it('a watcher with no tray registered with it: no tray host', async () => {
    await watcher({ hostRegistered: false });
    const { w } = await watch();
    expect(w.hasHost).toBe(false);
  });

  it('follows a panel that starts after Parley, and one that goes away', async () => {
    const { w, onChange } = await watch();
    const panel = await watcher();
    await vi.waitFor(() => expect(onChange.mock.calls).toEqual([[true]]));
    expect(w.hasHost).toBe(true);
    panel.stop();
    await vi.waitFor(() => expect(onChange.mock.calls).toEqual([[true], [false]]));
    expect(w.hasHost).toBe(false);
  });

  it('follows the host registering and leaving while the watcher stays', async () => {
    const panel = await watcher({ hostRegistered: false });
    const { w, onChange } = await watch();
    panel.setHost(true);
    await vi.waitFor(() => expect(onChange.mock.calls).toEqual([[true]]));
    panel.setHost(false);
    await vi.waitFor(() => expect(onChange.mock.calls).toEqual([[true], [false]]));
    expect(w.hasHost).toBe(false);
  });
});

it('rejects without a session bus', async () => {
  await expect(TrayHostWatch.start(vi.fn(), '')).rejects.toThrow('no session bus');
});

describe('windowCloseAction', () => {
  it.each([
    ['linux', true, 'hide'],
    ['linux', false, 'minimize'],
    ['linux', null, 'minimize'],
    ['darwin', null, 'hide'],
    ['win32', false, 'hide'],
  ] as const)('%s with tray host %s: %s', (platform, host, action) => {
    expect(windowCloseAction(platform, host)).toBe(action);
  });
});

describe('trayStatus (what Settings is told)', () => {
  it.each([
    ['linux', true, 'shown'],
    ['linux', false, 'missing'],
    ['linux', null, 'unknown'],
    ['darwin', null, 'shown'],
    ['win32', false, 'shown'],
  ] as const)('%s with tray host %s: %s', (platform, host, status) => {
    expect(trayStatus(platform, host)).toBe(status);
  });
});
