// The desktop app's renderer in Chromium, with a recording stand-in for the preload bridge
// (support/fake-bridge.ts): the incoming-call window names the caller with @username (to screen readers
// too), the session token lives in main (an old one in localStorage moves there once), and a parley://
// link asks before it calls; Settings edits the global shortcuts.
import { mkdirSync } from 'node:fs';
import { fakeMain, installFakeBridge } from './support/fake-bridge.js';
import { serverUrl } from './support/environment.js';
import { expect, test } from './support/fixtures.js';

const DIR = 'test-results/screenshots';

test('the incoming-call window shows who calls with @username, cleans an old spoofed name, and answers', async ({
  browser,
}) => {
  mkdirSync(DIR, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 380, height: 250 } });
  try {
    await installFakeBridge(context, serverUrl());
    const page = await context.newPage();
    await page.goto(`${serverUrl()}/incoming.html`);
    // The window shows without taking focus: a screen reader hears of the call from an alert, which is
    // there (empty) before the call, as one inserted together with its text is often not announced.
    const alert = page.getByRole('alert');
    await expect(alert).toHaveText('');

    await fakeMain.ring(page, {
      callId: 'call-1',
      caller: { username: 'alice-l', displayName: 'Alice Liddell' },
      media: 'video',
    });
    await expect(alert).toHaveText('Incoming video call from Alice Liddell (@alice-l)');
    const dialog = page.getByRole('dialog', { name: 'Incoming call from Alice Liddell', exact: true });
    await expect(dialog).toContainText('@alice-l');
    await expect(dialog).toHaveAccessibleDescription('@alice-l');
    await page.screenshot({ path: `${DIR}/desktop-incoming-window.png` });

    // An account from before the display-name rule: the override is not shown, the username is.
    await fakeMain.ring(page, {
      callId: 'call-2',
      caller: { username: 'bob', displayName: 'Bob \u202Egnp.exe' },
      media: 'audio',
    });
    const spoofed = page.getByRole('dialog', { name: 'Incoming call from Bob gnp.exe', exact: true });
    await expect(alert).toHaveText('Incoming voice call from Bob gnp.exe (@bob)');
    await expect(spoofed).toContainText('@bob');
    expect(await spoofed.textContent()).not.toContain('\u202E');

    await spoofed.getByRole('button', { name: 'Accept with video', exact: true }).click();
    await expect
      .poll(() => fakeMain.log(page))
      .toContainEqual({ name: 'choose', arg: { type: 'accept', callId: 'call-2', media: 'video' } });
  } finally {
    await context.close();
  }
});

test('a session token an earlier version left in localStorage moves to main once and is deleted', async ({
  browser,
  request,
}) => {
  const username = `carol-${Date.now().toString(36)}`;
  const res = await request.post(`${serverUrl()}/api/register`, {
    data: { username, displayName: 'Carol', password: 'correct horse battery staple' },
  });
  expect(res.status()).toBe(201);
  const { token } = (await res.json()) as { token: string };

  const context = await browser.newContext();
  try {
    await installFakeBridge(context, serverUrl());
    // What an earlier desktop version left behind, in place before the app's first script runs.
    await context.addInitScript(
      ([server, old]) => {
        if (sessionStorage.getItem('seeded')) return;
        sessionStorage.setItem('seeded', '1');
        localStorage.setItem('parley.serverUrl', server);
        localStorage.setItem('parley.token', old);
      },
      [serverUrl(), token] as const,
    );
    const page = await context.newPage();
    await page.goto(serverUrl());
    await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
    expect(await page.evaluate(() => localStorage.getItem('parley.token'))).toBeNull();
    expect(await fakeMain.token(page)).toBe(token);
    expect((await fakeMain.log(page)).filter((c) => c.name === 'saveSession')).toEqual([
      { name: 'saveSession', arg: token },
    ]);

    // The next start signs in from main's copy; nothing goes back to localStorage.
    await page.reload();
    await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
    expect(await page.evaluate(() => localStorage.getItem('parley.token'))).toBeNull();
    expect((await fakeMain.log(page)).map((c) => c.name).filter((n) => n.endsWith('Session'))).toEqual([
      'saveSession',
      'loadSession',
    ]);

    // Signing out clears main's copy (and the server's session).
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
    expect(await fakeMain.token(page)).toBeNull();
    const again = await request.post(`${serverUrl()}/api/logout`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(again.status()).toBe(401); // already revoked
  } finally {
    await context.close();
  }
});

test('a parley:// link asks "Call Bob (@bob) with video?" and calls only after Call', async ({ people }) => {
  const alice = await people.add('alice', { prepare: (context) => installFakeBridge(context, serverUrl()) });
  const bob = await people.add('bob');
  await alice.befriend(bob);
  // Her token went to main, not to the page's storage.
  expect(await alice.page.evaluate(() => localStorage.getItem('parley.token'))).toBeNull();
  expect(await fakeMain.token(alice.page)).not.toBeNull();

  const link = { type: 'confirm-call', username: bob.username, media: 'video' } as const;
  await fakeMain.act(alice.page, link);
  const question = alice.page.getByRole('alertdialog', {
    name: `Call ${bob.displayName} (@${bob.username}) with video?`,
    exact: true,
  });
  await expect(question).toBeVisible();
  await expect(question).toBeFocused();
  await alice.page.screenshot({ path: `${DIR}/link-call-question.png`, fullPage: true });
  // Nothing has started: no ringing out, no camera or microphone open.
  await expect(alice.callingOut(bob)).toHaveCount(0);
  expect(await alice.localTracks()).toEqual([]);

  await question.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(question).toBeHidden();
  expect(await alice.localTracks()).toEqual([]);
  await expect(bob.incomingCall(alice)).toHaveCount(0);

  // Asked again and confirmed: a video call rings at Bob's.
  await fakeMain.act(alice.page, link);
  await question.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(alice.callingOut(bob)).toBeVisible();
  await expect(bob.incomingCall(alice)).toContainText('Video call');
  await alice.callingOut(bob).getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(bob.incomingCall(alice)).toBeHidden();
});

test('errors a desktop page does not handle go to main for its log', async ({ browser }) => {
  const context = await browser.newContext();
  try {
    await installFakeBridge(context, serverUrl());
    const page = await context.newPage();
    await page.goto(`${serverUrl()}/incoming.html`);
    await page.evaluate(() => {
      setTimeout(() => {
        throw new TypeError('the page broke');
      });
      void Promise.reject(new Error('nobody waited for this'));
    });
    await expect
      .poll(async () => (await fakeMain.log(page)).filter((c) => c.name === 'reportError').map((c) => c.arg))
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^error: TypeError: the page broke\n\s+at /),
          expect.stringMatching(/^unhandled rejection: Error: nobody waited for this\n\s+at /),
        ]),
      );
  } finally {
    await context.close();
  }
});

test('on a Linux desktop without a tray, Settings says why the window minimises and how to get a tray', async ({
  people,
}) => {
  const alice = await people.add('alice', {
    prepare: (context) => installFakeBridge(context, serverUrl(), { trayStatus: 'missing' }),
  });
  const bob = await people.add('bob'); // a browser tab: no tray to speak of
  for (const person of [alice, bob]) await person.tab('Settings').click();
  const tray = alice.page.getByRole('region', { name: 'Tray icon', exact: true });
  await expect(tray).toContainText('Your desktop shows no tray icons');
  await expect(tray).toContainText('Closing the window minimises Parley');
  await expect(tray).toContainText('gnome-shell-extension-appindicator');
  await alice.page.screenshot({ path: `${DIR}/settings-no-tray.png`, fullPage: true });
  await expect(bob.page.getByRole('heading', { name: 'Headset', exact: true })).toBeVisible();
  await expect(bob.page.getByRole('region', { name: 'Tray icon', exact: true })).toHaveCount(0);
});

test('Settings edits the global shortcuts: recorded keys, refusals that say why and change nothing, off, reset, try again', async ({
  people,
}) => {
  const alice = await people.add('alice', {
    prepare: (context) =>
      installFakeBridge(context, serverUrl(), {
        shortcutsTakenElsewhere: ['CommandOrControl+Alt+P'],
        shortcutsFailedAtStart: ['mute'],
      }),
  });
  const bob = await people.add('bob'); // a browser tab: no global shortcuts
  for (const person of [alice, bob]) await person.tab('Settings').click();
  const page = alice.page;
  const section = page.getByRole('region', { name: 'Shortcuts', exact: true });
  const row = (name: string) => section.getByRole('group', { name, exact: true });
  const setCalls = async () =>
    (await fakeMain.log(page)).filter((c) => c.name === 'setShortcut').map((c) => c.arg);

  await expect(row('Answer').locator('kbd')).toHaveText('Ctrl+Shift+A');
  await expect(row('Answer')).toHaveAccessibleDescription('Works in any application.');
  await expect(row('Mute or unmute')).toHaveAccessibleDescription(
    'Not working: another application has Ctrl+Shift+M. Choose other keys, or close that application and press Try again.',
  );
  await page.screenshot({ path: `${DIR}/settings-shortcuts.png`, fullPage: true });

  // Record Ctrl+Alt+K for Answer: the button shows the modifiers held, then main gets the accelerator.
  const change = row('Answer').getByRole('button', { name: /^(Change|Press the new keys)/ });
  await change.click();
  await expect(change).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.down('Control');
  await page.keyboard.down('Alt');
  await expect(change).toHaveText('Press the new keys: Ctrl+Alt+… (Esc cancels)');
  await page.keyboard.press('KeyK');
  await page.keyboard.up('Alt');
  await page.keyboard.up('Control');
  await expect(row('Answer').getByRole('status')).toHaveText('Answer is now Ctrl+Alt+K.');
  await expect(row('Answer').locator('kbd')).toHaveText('Ctrl+Alt+K');
  expect(await setCalls()).toEqual([{ name: 'answer', accelerator: 'CommandOrControl+Alt+K' }]);

  // Keys that cannot be a shortcut, and keys another Parley shortcut has: said at once, main never asked.
  await change.click();
  await page.keyboard.press('Shift+KeyA');
  await expect(row('Answer').getByRole('status')).toHaveText(
    'Shift+A cannot be a shortcut: it needs Control, Command, Alt or Super, or it would take over ordinary typing.',
  );
  await change.click();
  await page.keyboard.press('Control+Shift+KeyH');
  await expect(row('Answer').getByRole('status')).toHaveText(
    'Ctrl+Shift+H is already the “Hang up” shortcut. Choose other keys.',
  );
  // Escape cancels.
  await change.click();
  await page.keyboard.press('Escape');
  await expect(row('Answer').getByRole('status')).toHaveText('Answer: unchanged.');
  await expect(change).toHaveText('Change');
  expect(await setCalls()).toHaveLength(1);

  // Keys another application holds: main refuses, the old keys stay.
  await change.click();
  await page.keyboard.press('Control+Alt+KeyP');
  await expect(row('Answer').getByRole('status')).toHaveText(
    'Another application already uses Ctrl+Alt+P. Choose other keys.',
  );
  await expect(row('Answer').locator('kbd')).toHaveText('Ctrl+Alt+K');

  // Back to the default.
  await row('Answer').getByRole('button', { name: 'Reset to Ctrl+Shift+A', exact: true }).click();
  await expect(row('Answer').getByRole('status')).toHaveText('Answer is now Ctrl+Shift+A (the default).');
  await expect(row('Answer').getByRole('button', { name: /^Reset/ })).toHaveCount(0);

  // Off.
  await row('Hang up').getByRole('button', { name: 'Turn off', exact: true }).click();
  await expect(row('Hang up').locator('kbd')).toHaveText('Off');
  await expect(row('Hang up')).toHaveAccessibleDescription('Off.');

  // The shortcut another application held at start works once that application let go.
  await row('Mute or unmute').getByRole('button', { name: 'Try again', exact: true }).click();
  await expect(row('Mute or unmute')).toHaveAccessibleDescription('Works in any application.');

  expect(await setCalls()).toEqual([
    { name: 'answer', accelerator: 'CommandOrControl+Alt+K' },
    { name: 'answer', accelerator: 'CommandOrControl+Alt+P' },
    { name: 'answer', accelerator: 'CommandOrControl+Shift+A' },
    { name: 'hangup', accelerator: '' },
    { name: 'mute', accelerator: 'CommandOrControl+Shift+M' },
  ]);
  await expect(bob.page.getByRole('heading', { name: 'Headset', exact: true })).toBeVisible();
  await expect(bob.page.getByRole('region', { name: 'Shortcuts', exact: true })).toHaveCount(0);
});

test("Settings offers to ring quietly in the desktop's Do Not Disturb, off by default, and says whether it is on", async ({
  people,
}) => {
  const alice = await people.add('alice', {
    prepare: (context) => installFakeBridge(context, serverUrl(), { desktopDnd: true }),
  });
  const bob = await people.add('bob'); // a browser tab: cannot read the desktop
  for (const person of [alice, bob]) await person.tab('Settings').click();
  const quiet = alice.page.getByRole('checkbox', {
    name: 'Ring quietly while the desktop is in Do Not Disturb',
    exact: true,
  });
  await expect(quiet).not.toBeChecked();
  await expect(quiet).toHaveAccessibleDescription(/Your desktop is in Do Not Disturb now\.$/);
  await quiet.check();
  await expect
    .poll(async () => (await fakeMain.log(alice.page)).filter((c) => c.name === 'followDesktopDnd'))
    .toEqual([{ name: 'followDesktopDnd', arg: true }]);
  await expect(quiet).toBeChecked();
  await expect(bob.page.getByRole('heading', { name: 'Ringtone', exact: true })).toBeVisible();
  await expect(bob.page.getByRole('checkbox', { name: /Do Not Disturb/ })).toHaveCount(0);
});
