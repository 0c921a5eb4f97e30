// DesktopDndWatch for real: KDE Plasma's `Inhibited` on a private dbus-daemon (a notification server with
// the property, one without, one replaced by another, a stranger's forged signal), and GNOME's
// show-banners through the real gsettings on a keyfile backend in a temporary folder, changed by
// `gsettings set` from another process as GNOME's Do Not Disturb switch does.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Message, sessionBus, Variant } from 'dbus-next';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeNotificationServer } from '../test-support/fake-notification-server.js';
import { privateBusPerTest, privateBusUnavailable } from '../test-support/private-bus.js';
import { DesktopDndWatch, GNOME_KEY, GNOME_SCHEMA } from './desktop-dnd.js';

const unavailable = privateBusUnavailable();
if (unavailable) console.warn(`skipping the KDE do-not-disturb tests: ${unavailable}`);
const buses = privateBusPerTest(unavailable);
const { cleanup } = buses;

async function server(inhibited: boolean | null) {
  const s = await FakeNotificationServer.start(buses.bus.address, undefined, { inhibited });
  cleanup.push(() => s.stop());
  return s;
}

async function watch(env: NodeJS.ProcessEnv = {}, busAddress = buses.bus.address) {
  const onChange = vi.fn<(dnd: boolean | null) => void>();
  const log = vi.fn<(message: string) => void>();
  const w = await DesktopDndWatch.start({ onChange, busAddress, env, log });
  cleanup.push(() => w.stop());
  return { w, onChange, log };
}

describe.skipIf(unavailable)('KDE Plasma: the notification server’s Inhibited property', () => {
  it('reads it at start and follows PropertiesChanged', async () => {
    const kde = await server(false);
    const { w, onChange } = await watch();
    expect(w.dnd).toBe(false);
    kde.setInhibited(true);
    await vi.waitFor(() => expect(w.dnd).toBe(true));
    kde.setInhibited(false);
    await vi.waitFor(() => expect(w.dnd).toBe(false));
    expect(onChange.mock.calls).toEqual([[true], [false]]);
  });

  it('a server without the property (dunst, GNOME Shell), or none: cannot be read', async () => {
    const { w } = await watch();
    expect(w.dnd).toBeNull();
    await server(null);
    const second = await watch();
    expect(second.w.dnd).toBeNull();
  });

  it('a server that starts, leaves or is replaced later is read again', async () => {
    const { w, onChange } = await watch();
    expect(w.dnd).toBeNull();
    const first = await server(true);
    await vi.waitFor(() => expect(w.dnd).toBe(true));
    first.stop();
    await vi.waitFor(() => expect(w.dnd).toBeNull());
    await server(false);
    await vi.waitFor(() => expect(w.dnd).toBe(false));
    expect(onChange.mock.calls).toEqual([[true], [null], [false]]);
  });

  it('a PropertiesChanged from a program that is not the notification server changes nothing', async () => {
    const kde = await server(false);
    const { w, onChange } = await watch();
    const stranger = sessionBus({ busAddress: buses.bus.address });
    cleanup.push(() => stranger.disconnect());
    await new Promise<void>((resolve) => stranger.once('connect', resolve));
    stranger.send(
      Message.newSignal(
        '/org/freedesktop/Notifications',
        'org.freedesktop.DBus.Properties',
        'PropertiesChanged',
        'sa{sv}as',
        ['org.freedesktop.Notifications', { Inhibited: new Variant('b', true) }, []],
      ),
    );
    // A round trip through the bus daemon: the forged signal has been passed on before the answer comes.
    await stranger.call(
      new Message({
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        interface: 'org.freedesktop.DBus',
        member: 'GetId',
      }),
    );
    // Had the forgery counted, this would be a change back to false.
    kde.setInhibited(false);
    kde.setInhibited(true);
    await vi.waitFor(() => expect(w.dnd).toBe(true));
    expect(onChange.mock.calls).toEqual([[true]]);
  });
});

function gsettingsUnavailable(): string | null {
  try {
    execFileSync('gsettings', ['describe', GNOME_SCHEMA, GNOME_KEY], { stdio: 'ignore' });
    return null;
  } catch {
    return `gsettings or the ${GNOME_SCHEMA} schema is missing (Debian: libglib2.0-bin, gsettings-desktop-schemas)`;
  }
}
const noGsettings = gsettingsUnavailable();
if (noGsettings) console.warn(`skipping the GNOME do-not-disturb tests: ${noGsettings}`);

describe.skipIf(noGsettings)('GNOME: show-banners through gsettings', () => {
  let home = '';
  afterEach(() => {
    if (home) rmSync(home, { recursive: true, force: true });
    home = '';
  });
  /** A GNOME session's settings in a temporary folder: the keyfile backend, watched for changes. */
  const gnomeEnv = (desktop = 'ubuntu:GNOME'): NodeJS.ProcessEnv => {
    home = mkdtempSync(join(tmpdir(), 'parley-gsettings-'));
    return {
      PATH: process.env.PATH,
      XDG_CONFIG_HOME: home,
      GSETTINGS_BACKEND: 'keyfile',
      XDG_CURRENT_DESKTOP: desktop,
    };
  };
  const set = (env: NodeJS.ProcessEnv, shown: boolean) =>
    execFileSync('gsettings', ['set', GNOME_SCHEMA, GNOME_KEY, String(shown)], { env });

  it('reads it at start and follows the switch', async () => {
    const env = gnomeEnv();
    set(env, false);
    const { w, onChange } = await watch(env, 'unix:path=/nonexistent/bus');
    expect(w.dnd).toBe(true);
    set(env, true);
    await vi.waitFor(() => expect(w.dnd).toBe(false), { timeout: 5000 });
    set(env, false);
    await vi.waitFor(() => expect(w.dnd).toBe(true), { timeout: 5000 });
    expect(onChange.mock.calls).toEqual([[false], [true]]);
  });

  it('not on GNOME: gsettings is not asked', async () => {
    const env = gnomeEnv('KDE');
    set(env, false);
    const { w, log } = await watch(env, 'unix:path=/nonexistent/bus');
    expect(w.dnd).toBeNull();
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^desktop do not disturb: no session bus/));
  });

  it.skipIf(unavailable)('either desktop saying so is enough', async () => {
    const env = gnomeEnv();
    const kde = await server(false);
    const { w } = await watch(env);
    expect(w.dnd).toBe(false);
    kde.setInhibited(true);
    await vi.waitFor(() => expect(w.dnd).toBe(true));
    kde.setInhibited(false);
    set(env, false);
    await vi.waitFor(() => expect(w.dnd).toBe(true), { timeout: 5000 });
  });
});
