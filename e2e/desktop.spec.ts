// The desktop app end to end (Playwright's Electron driver): it starts, signs in, an incoming call from a
// browser shows the incoming-call window, Accept there connects the call with media, and the tray follows.
// On Linux, Accept video on the notification (the desktop's notification server over D-Bus, here the
// spec's test server on a private bus) connects a call the same way; closing the window minimises Parley
// on a desktop without a tray and hides it in the tray with one; a USB headset's lights follow a call
// (a stand-in navigator.hid); and in the desktop's do-not-disturb, followed, a call rings quietly.
// Runs wherever an Electron binary and a display exist; elsewhere it is reported as skipped, with why.
import { _electron as electron, type ElectronApplication, type Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeNotificationServer } from '../main/test-support/fake-notification-server.js';
import { FakeStatusNotifierWatcher } from '../main/test-support/fake-status-notifier-watcher.js';
import { privateBusUnavailable, startPrivateBus } from '../main/test-support/private-bus.js';
import { findElectronBinary } from '../scripts/electron-binary.js';
import { serverUrl } from './support/environment.js';
import { expect, Person, test } from './support/fixtures.js';
import { HEADSET_NAME, headsetLights, withHeadset } from './support/headset.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const binary = findElectronBinary();
const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;

const skipReason = !binary
  ? 'no Electron binary on this machine: the electron package downloads it on first run, which cannot reach GitHub here (see docs/desktop.md)'
  : noDisplay
    ? 'no display: run the suite under xvfb-run to include the desktop app'
    : null;

interface TrayView {
  icon: string;
  menu: { id: string; label?: string; submenu?: { label?: string }[] }[];
}

const trayOf = (app: ElectronApplication) =>
  app.evaluate(() => (globalThis as { parleyTray?: TrayView }).parleyTray ?? null);

const trayLabels = async (app: ElectronApplication) =>
  ((await trayOf(app))?.menu ?? []).map((i) => i.label ?? '');

async function registerDesktop(page: Page, username: string, displayName: string): Promise<void> {
  await page.getByRole('button', { name: 'Create an account', exact: true }).click();
  await page.getByLabel('Server', { exact: true }).fill(serverUrl());
  await page.getByLabel('Display name', { exact: true }).fill(displayName);
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
}

/** Why a Linux flow on a private session bus cannot run here, or null. */
const linuxBusSkipReason = (): string | null =>
  skipReason ?? (process.platform !== 'linux' ? 'a Linux desktop flow' : privateBusUnavailable());

/**
 * Launches the app on a fresh user-data folder (with `settings` as its settings file, if given) and
 * signs up Bob in it; `busAddress`: the session bus it sees (none: the test's own environment's).
 */
async function launchBob({ busAddress, settings }: { busAddress?: string; settings?: unknown } = {}) {
  const userData = mkdtempSync(join(tmpdir(), 'parley-desktop-'));
  if (settings !== undefined) writeFileSync(join(userData, 'settings.json'), JSON.stringify(settings));
  const app = await electron.launch({
    executablePath: binary!,
    args: ['.', `--user-data-dir=${userData}`],
    cwd: root,
    env: {
      ...process.env,
      PARLEY_SERVER_URL: serverUrl(),
      ...(busAddress ? { DBUS_SESSION_BUS_ADDRESS: busAddress } : {}),
    },
  });
  const main = await app.firstWindow();
  const suffix = randomBytes(4).toString('hex');
  const bob = new Person(app.context(), main, `bob-${suffix}`, `Bob ${suffix.slice(0, 4)}`, () => {
    throw new Error('one desktop device only');
  });
  await registerDesktop(main, bob.username, bob.displayName);
  const close = async () => {
    await app.close();
    rmSync(userData, { recursive: true, force: true });
  };
  return { app, main, bob, close };
}

/** The main window as Electron sees it. */
const mainWindowState = (app: ElectronApplication) =>
  app.evaluate(({ BrowserWindow }) => {
    const win = BrowserWindow.getAllWindows().find((w) => !w.webContents.getURL().endsWith('/incoming.html'));
    return win ? { visible: win.isVisible(), minimized: win.isMinimized() } : null;
  });

/** Whether the main window's audio is muted (the ringtone silenced for a quiet ring). */
const mainAudioMuted = (app: ElectronApplication) =>
  app.evaluate(({ BrowserWindow }) =>
    BrowserWindow.getAllWindows()
      .find((w) => !w.webContents.getURL().endsWith('/incoming.html'))
      ?.webContents.isAudioMuted(),
  );

const closeMainWindow = (app: ElectronApplication) =>
  app.evaluate(({ BrowserWindow }) => {
    BrowserWindow.getAllWindows()
      .find((w) => !w.webContents.getURL().endsWith('/incoming.html'))
      ?.close();
  });

test('an incoming call rings in the incoming-call window; Accept there connects it, and the tray follows', async ({
  people,
}) => {
  // Skipped inside the test (not at collection) so that the reason reaches the console, not only the report.
  if (skipReason) console.log(`desktop app suite skipped: ${skipReason}`);
  test.skip(skipReason !== null, skipReason ?? '');
  const userData = mkdtempSync(join(tmpdir(), 'parley-desktop-'));
  const app = await electron.launch({
    executablePath: binary!,
    args: ['.', `--user-data-dir=${userData}`],
    cwd: root,
    env: { ...process.env, PARLEY_SERVER_URL: serverUrl() },
  });
  try {
    const main = await app.firstWindow();
    const suffix = randomBytes(4).toString('hex');
    const bob = new Person(app.context(), main, `bob-${suffix}`, `Bob ${suffix.slice(0, 4)}`, () => {
      throw new Error('one desktop device only');
    });
    await registerDesktop(main, bob.username, bob.displayName);
    await expect.poll(async () => (await trayOf(app))?.icon).toBe('online');

    const alice = await people.add('alice');
    await alice.befriend(bob);

    const incomingWindow = app.waitForEvent('window', (w) => w.url().endsWith('/incoming.html'));
    await alice.call(bob, 'video');
    const incoming = await incomingWindow;
    const dialog = incoming.getByRole('dialog', {
      name: `Incoming call from ${alice.displayName}`,
      exact: true,
    });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(`@${alice.username}`);
    await expect.poll(async () => (await trayOf(app))?.icon).toBe('ringing');
    expect(await trayLabels(app)).toContain(`Answer \u2068${alice.displayName}\u2069 (@${alice.username})`);

    const closed = incoming.waitForEvent('close');
    await dialog.getByRole('button', { name: 'Accept with video', exact: true }).click();
    await closed;
    await bob.waitForMediaFlowing(['audio', 'video']);
    await alice.waitForMediaFlowing(['audio', 'video']);
    await expect.poll(async () => (await trayOf(app))?.icon).toBe('busy');
    expect(await trayLabels(app)).toContain('Hang up');

    await alice.callWith(bob).getByRole('button', { name: 'Hang up', exact: true }).click();
    await expect.poll(async () => (await trayOf(app))?.icon).toBe('online');
    expect(await trayLabels(app)).not.toContain('Hang up');
  } finally {
    await app.close();
    rmSync(userData, { recursive: true, force: true });
  }
});

test('Linux: Accept video on the notification connects the call, and the notification goes', async ({
  people,
}) => {
  const reason =
    skipReason ??
    (process.platform !== 'linux' ? 'D-Bus notifications are the Linux path' : privateBusUnavailable());
  if (reason) console.log(`desktop notification flow skipped: ${reason}`);
  test.skip(reason !== null, reason ?? '');
  const bus = await startPrivateBus();
  const server = await FakeNotificationServer.start(bus.address);
  const userData = mkdtempSync(join(tmpdir(), 'parley-desktop-'));
  const app = await electron.launch({
    executablePath: binary!,
    args: ['.', `--user-data-dir=${userData}`],
    cwd: root,
    env: { ...process.env, PARLEY_SERVER_URL: serverUrl(), DBUS_SESSION_BUS_ADDRESS: bus.address },
  });
  try {
    const main = await app.firstWindow();
    const suffix = randomBytes(4).toString('hex');
    const bob = new Person(app.context(), main, `bob-${suffix}`, `Bob ${suffix.slice(0, 4)}`, () => {
      throw new Error('one desktop device only');
    });
    await registerDesktop(main, bob.username, bob.displayName);
    const alice = await people.add('alice');
    await alice.befriend(bob);

    await alice.call(bob, 'video');
    await expect.poll(() => server.open().find((n) => n.summary === 'Incoming video call')?.id).toBeDefined();
    const notification = server.open().find((n) => n.summary === 'Incoming video call')!;
    expect(notification.body).toContain(`(@${alice.username}) is calling`);
    expect(notification.actions.map(([key]) => key)).toEqual([
      'accept-audio',
      'accept-video',
      'decline',
      'default',
    ]);
    server.invoke(notification.id, 'accept-video', { resident: true });
    await bob.waitForMediaFlowing(['audio', 'video']);
    await alice.waitForMediaFlowing(['audio', 'video']);
    // Ringing stopped: Parley withdrew its notification.
    await expect.poll(() => server.closeCalls).toEqual([notification.id]);
    await expect.poll(async () => (await trayOf(app))?.icon).toBe('busy');
  } finally {
    await app.close();
    server.stop();
    await bus.stop();
    rmSync(userData, { recursive: true, force: true });
  }
});

test('Linux without a tray host: closing the window minimises Parley, and Settings says how to get a tray', async () => {
  const reason = linuxBusSkipReason();
  if (reason) console.log(`desktop tray fallback flow skipped: ${reason}`);
  test.skip(reason !== null, reason ?? '');
  const bus = await startPrivateBus(); // no StatusNotifierWatcher on it: stock GNOME
  const { app, main, bob, close } = await launchBob({ busAddress: bus.address });
  try {
    await bob.tab('Settings').click();
    await expect(main.getByRole('region', { name: 'Tray icon', exact: true })).toContainText(
      'Closing the window minimises Parley',
    );
    await closeMainWindow(app);
    await expect.poll(() => mainWindowState(app)).toEqual({ visible: true, minimized: true });
  } finally {
    await close();
    await bus.stop();
  }
});

test('Linux with a tray host: closing the window hides Parley in the tray', async () => {
  const reason = linuxBusSkipReason();
  if (reason) console.log(`desktop tray flow skipped: ${reason}`);
  test.skip(reason !== null, reason ?? '');
  const bus = await startPrivateBus();
  const watcher = await FakeStatusNotifierWatcher.start(bus.address, { hostRegistered: true });
  const { app, main, bob, close } = await launchBob({ busAddress: bus.address });
  try {
    // Settings asks main when it opens; main knows once its look at the bus has answered.
    await expect(async () => {
      await bob.tab('Contacts').click();
      await bob.tab('Settings').click();
      await expect(main.getByRole('heading', { name: 'Shortcuts', exact: true })).toBeVisible();
      await expect(main.getByRole('region', { name: 'Tray icon', exact: true })).toHaveCount(0);
    }).toPass();
    await closeMainWindow(app);
    await expect.poll(() => mainWindowState(app)).toEqual({ visible: false, minimized: false });
  } finally {
    await close();
    watcher.stop();
    await bus.stop();
  }
});

test("a USB headset's lights follow a call answered in the incoming-call window (stand-in navigator.hid)", async ({
  people,
}) => {
  if (skipReason) console.log(`desktop headset flow skipped: ${skipReason}`);
  test.skip(skipReason !== null, skipReason ?? '');
  const { app, main, bob, close } = await launchBob();
  try {
    // The stand-in headset in every page from now on; the session survives the reload (main keeps it).
    await withHeadset(app.context());
    await main.reload();
    await expect(main.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
    await bob.tab('Settings').click();
    await main.getByRole('button', { name: 'Add a headset…', exact: true }).click();
    await expect(
      main.getByRole('combobox', { name: 'Call buttons and lights', exact: true }).locator('option:checked'),
    ).toHaveText(HEADSET_NAME);
    await expect.poll(() => headsetLights(bob)).toEqual(['dark']);

    const alice = await people.add('alice');
    await alice.befriend(bob);
    const incomingWindow = app.waitForEvent('window', (w) => w.url().endsWith('/incoming.html'));
    await alice.call(bob, 'audio');
    const incoming = await incomingWindow;
    await expect.poll(() => headsetLights(bob)).toEqual(['dark', 'ring']);
    await incoming.getByRole('button', { name: 'Accept', exact: true }).click();
    await bob.waitForMediaFlowing(['audio']);
    await expect.poll(() => headsetLights(bob)).toEqual(['dark', 'ring', 'off-hook']);
    await alice.callWith(bob).getByRole('button', { name: 'Hang up', exact: true }).click();
    await expect.poll(() => headsetLights(bob)).toEqual(['dark', 'ring', 'off-hook', 'dark']);
  } finally {
    await close();
  }
});

test('Linux, the desktop in do-not-disturb and Parley following it: a call rings quietly, then is a missed call', async ({
  people,
}) => {
  const reason = linuxBusSkipReason();
  if (reason) console.log(`desktop do-not-disturb flow skipped: ${reason}`);
  test.skip(reason !== null, reason ?? '');
  const bus = await startPrivateBus();
  // KDE Plasma's notification server, in do not disturb.
  const server = await FakeNotificationServer.start(bus.address, undefined, { inhibited: true });
  const { app, bob, close } = await launchBob({
    busAddress: bus.address,
    settings: { followDesktopDnd: true },
  });
  try {
    const alice = await people.add('alice');
    await alice.befriend(bob);
    await alice.call(bob, 'audio');
    await expect.poll(async () => (await trayOf(app))?.icon).toBe('ringing');
    await expect(bob.incomingCall(alice)).toBeVisible(); // in Parley's own window, for whoever looks
    expect(app.windows().filter((w) => w.url().endsWith('/incoming.html'))).toEqual([]);
    expect(server.shown).toEqual([]);
    expect(await mainAudioMuted(app)).toBe(true);

    await alice.callingOut(bob).getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect.poll(() => server.shown.map((n) => n.summary)).toEqual(['Missed call']);
    expect(await mainAudioMuted(app)).toBe(false);
  } finally {
    await close();
    server.stop();
    await bus.stop();
  }
});
