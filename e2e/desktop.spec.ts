// The desktop app end to end (Playwright's Electron driver): it starts, signs in, an incoming call from a
// browser shows the incoming-call window, Accept there connects the call with media, and the tray follows.
// On Linux, Accept video on the notification (the desktop's notification server over D-Bus, here the
// spec's test server on a private bus) connects a call the same way.
// Runs wherever an Electron binary and a display exist; elsewhere it is reported as skipped, with why.
import { _electron as electron, type ElectronApplication, type Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeNotificationServer } from '../main/test-support/fake-notification-server.js';
import { privateBusUnavailable, startPrivateBus } from '../main/test-support/private-bus.js';
import { findElectronBinary } from '../scripts/electron-binary.js';
import { serverUrl } from './support/environment.js';
import { expect, Person, test } from './support/fixtures.js';

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
