/**
 * The `people` fixture: each person is a fresh browser context (own storage,
 * so own account and device) registered through the UI with a unique
 * username, plus helpers that act and observe the way a person would, and
 * read `window.parleyDiagnostics` for what only getStats can tell.
 */
import { randomBytes } from 'node:crypto';
import {
  test as base,
  expect,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from '@playwright/test';
import type { Diagnostics } from '../../renderer/app/diagnostics.js';
import { recoveryTimings } from '../../renderer/call/recovery.js';
import { serverUrl } from './environment.js';
import { paced } from './pace.js';
import {
  inboundTotals,
  selectedLocalCandidateType,
  setupSummary,
  type Inbound,
  type StatsRow,
} from './stats.js';

export { expect } from '@playwright/test';
export type { Inbound } from './stats.js';

export type Media = 'audio' | 'video';

const PASSWORD = 'correct horse battery staple';
/**
 * totalAudioEnergy is the sum of (audio level² × seconds). Chromium's fake microphone gives about 0.3 a
 * second; a muted one still arrives as ±1-bit noise, about 1e-9 a second. Growth above AUDIBLE_ENERGY
 * is sound; growth of at most SILENT_ENERGY over a sampling window (under -60 dBFS) is silence.
 */
const AUDIBLE_ENERGY = 1e-3;
const SILENT_ENERGY = 1e-6;
/**
 * How long media may take to start once both sides have answered: as long as the app itself gives a call
 * to connect before it ends it as failed. With two video calls at once on 2 cores (the suite's two
 * workers) a setup was measured at 4 to 12 s, most of it CPU: 10 s was too short.
 */
const MEDIA_START_MS = paced(recoveryTimings.connectTimeoutMs);
/** How often media counters are sampled when waiting for them to grow (ms). */
const SAMPLE_INTERVALS = [250, 500, 1000];

const capitalised = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

export class Person {
  constructor(
    readonly context: BrowserContext,
    public page: Page,
    readonly username: string,
    readonly displayName: string,
    private readonly open: (person: Person) => Promise<Person>,
  ) {}

  // ---- where things are -------------------------------------------------------------------------

  tab(name: 'Contacts' | 'History' | 'Settings'): Locator {
    // The History tab's name carries the missed-call count ("History, 2 missed").
    return this.page.getByRole('tab', { name: name === 'History' ? /^History(, \d+ missed)?$/ : name });
  }

  /** This person's entry for another person in the Contacts list: their name and their @username. */
  contact(other: Pick<Person, 'username' | 'displayName'>): Locator {
    return this.page
      .getByRole('list', { name: 'Contacts', exact: true })
      .getByRole('listitem')
      .filter({ hasText: other.displayName })
      .filter({ hasText: `@${other.username}` });
  }

  incomingCall(from: Person): Locator {
    return this.page.getByRole('dialog', { name: `Incoming call from ${from.displayName}`, exact: true });
  }

  callingOut(to: Person): Locator {
    return this.page.getByRole('region', { name: `Calling ${to.displayName}`, exact: true });
  }

  callWith(other: Person): Locator {
    return this.page.getByRole('region', { name: `Call with ${other.displayName}`, exact: true });
  }

  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  historyItems(): Locator {
    return this.page.getByRole('list', { name: 'Call history', exact: true }).getByRole('listitem');
  }

  // ---- what a person does -----------------------------------------------------------------------

  /** Sends a contact request by username; the other sees it with this person's @username. */
  async sendRequest(other: Person): Promise<void> {
    await this.tab('Contacts').click();
    await this.page.getByLabel('Add contact by username', { exact: true }).fill(other.username);
    await this.button('Send request').click();
    await other.tab('Contacts').click();
    await expect(other.contact(this)).toContainText('wants to be your contact');
  }

  /** Sends a contact request, the other accepts it; both then see a call button for each other. */
  async befriend(other: Person): Promise<void> {
    await this.sendRequest(other);
    await other
      .contact(this)
      .getByRole('button', { name: `Accept ${this.displayName}`, exact: true })
      .click();
    await expect(this.button(`Call ${other.displayName}`)).toBeVisible();
    await expect(other.button(`Call ${this.displayName}`)).toBeVisible();
  }

  /** Clicks "Call X" or "Video call X" on the Contacts tab. */
  async call(other: Person, media: Media): Promise<void> {
    await this.tab('Contacts').click();
    await this.button(`${media === 'video' ? 'Video call' : 'Call'} ${other.displayName}`).click();
  }

  /** Answers the ringing call from `caller`. */
  async accept(caller: Person, media: Media): Promise<void> {
    const dialog = this.incomingCall(caller);
    await dialog
      .getByRole('button', { name: media === 'video' ? 'Accept with video' : 'Accept', exact: true })
      .click();
    await expect(this.callWith(caller)).toBeVisible();
  }

  /** `this` calls `other`, who answers: both are in the call view and see the call timer running. */
  async callAndConnect(other: Person, media: Media): Promise<void> {
    await this.call(other, media);
    await expect(other.incomingCall(this)).toBeVisible();
    await other.accept(this, media);
    for (const [me, them] of [
      [this, other],
      [other, this],
    ] as const) {
      await expect(me.callWith(them).getByRole('timer', { name: 'Call duration' })).toHaveText(/^\d\d:\d\d$/);
    }
  }

  /** Settings > a checkbox ("Always relay calls") ticked. */
  async tickSetting(label: string): Promise<void> {
    await this.tab('Settings').click();
    const box = this.page.getByRole('checkbox', { name: label, exact: true });
    await box.check();
    await expect(box).toBeChecked();
  }

  /** The same person signed in on another device (a new browser context, through the sign-in form). */
  async openSecondDevice(): Promise<Person> {
    return this.open(this);
  }

  /** Opens the app again in a new tab of this context: the remembered session signs in by itself. */
  async reopen(): Promise<void> {
    this.page = await this.context.newPage();
    await this.page.goto(serverUrl());
    await expect(this.button('Sign out')).toBeVisible();
  }

  // ---- what a person sees, however briefly -----------------------------------------------------

  /**
   * Starts watching the page for `text` (a status shown for a few seconds, such as "Call ended") and
   * returns a check that resolves true once it has been shown. The watch runs in the page, so a busy
   * machine that answers Playwright late cannot miss a message that came and went meanwhile: arm it
   * before the action that shows the text. Throws if the text is on the page already (a new one could
   * not be told from it: wait for that one to go first).
   */
  async watchFor(text: string): Promise<() => Promise<boolean>> {
    const key = await this.page.evaluate((text) => {
      if (document.body.innerText.includes(text)) throw new Error(`"${text}" is shown already`);
      const seen = ((window as unknown as { parleySeen?: Record<string, boolean> }).parleySeen ??= {});
      const key = `${text}#${Object.keys(seen).length}`;
      seen[key] = false;
      const check = () => {
        if (!document.body.innerText.includes(text)) return;
        seen[key] = true;
        observer.disconnect();
      };
      const observer = new MutationObserver(check);
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      return key;
    }, text);
    return () =>
      this.page.evaluate(
        (key) => (window as unknown as { parleySeen: Record<string, boolean> }).parleySeen[key]!,
        key,
      );
  }

  // ---- what only diagnostics tell ---------------------------------------------------------------

  /** Calls one of the page's `window.parleyDiagnostics` methods. */
  private diagnostics<T>(method: keyof Diagnostics): Promise<T> {
    return this.page.evaluate(async (m) => {
      const found = window.parleyDiagnostics;
      if (!found) throw new Error('window.parleyDiagnostics is missing: is this the Parley web client?');
      return (await found[m]()) as unknown;
    }, method) as Promise<T>;
  }

  stats(): Promise<StatsRow[]> {
    return this.diagnostics('stats');
  }

  async inbound(): Promise<Inbound> {
    return inboundTotals(await this.stats());
  }

  /** Every local track the app opened during this page's life, with its state now. */
  localTracks(): Promise<ReturnType<Diagnostics['localTracks']>> {
    return this.diagnostics('localTracks');
  }

  /** The signaling connection's latest happenings, one line each, timed from `since` (Date.now()). */
  async connectionHappenings(since: number): Promise<string> {
    const happenings =
      await this.diagnostics<ReturnType<Diagnostics['connectionHappenings']>>('connectionHappenings');
    return happenings
      .map(({ at, what }) => `+${((at - since) / 1000).toFixed(1)} s (${at}) ${what}`)
      .join('\n');
  }

  /** Which tones sound now. */
  tones(): Promise<ReturnType<Diagnostics['tones']>> {
    return this.diagnostics('tones');
  }

  /** The engine's setup stages reached so far (ms after the call started here) and the transport's state. */
  private async setupState(): Promise<string> {
    const timings = await this.diagnostics<ReturnType<Diagnostics['timings']>>('timings');
    return `stages ${JSON.stringify(timings?.stages ?? {})}; ${setupSummary(await this.stats())}`;
  }

  /** The candidate type (host, srflx, relay) of the local end of the selected ICE candidate pair. */
  async selectedLocalCandidateType(): Promise<string | undefined> {
    return selectedLocalCandidateType(await this.stats());
  }

  /**
   * Waits until media of the given kinds arrives and keeps arriving: first every counter is above
   * zero, then every counter grows past a second sample (bytes and audible energy for audio, bytes
   * and decoded frames for video).
   */
  async waitForMediaFlowing(kinds: readonly Media[] = ['audio', 'video']): Promise<void> {
    const counters = (i: Inbound): Record<string, number> => ({
      ...(kinds.includes('audio') ? { 'audio bytes': i.audio.bytes, 'audio energy': i.audio.energy } : {}),
      ...(kinds.includes('video')
        ? { 'video bytes': i.video.bytes, 'video frames': i.video.framesDecoded }
        : {}),
    });
    const allTrue = (c: Record<string, number>, test: (name: string, v: number) => boolean) =>
      Object.fromEntries(Object.entries(c).map(([k, v]) => [k, test(k, v)]));
    const expected = allTrue(counters(emptyInbound()), () => true);
    const minimum = (counter: string) => (counter === 'audio energy' ? AUDIBLE_ENERGY : 0);

    try {
      await expect
        .poll(async () => allTrue(counters(await this.inbound()), (_k, v) => v > 0), {
          message: `${this.displayName}: inbound ${kinds.join('+')} started`,
          intervals: SAMPLE_INTERVALS,
          timeout: MEDIA_START_MS,
        })
        .toEqual(expected);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n\nWhere setup stands: ${await this.setupState()}`, {
        cause: err,
      });
    }
    const first = counters(await this.inbound());
    await expect
      .poll(async () => allTrue(counters(await this.inbound()), (k, v) => v - first[k]! > minimum(k)), {
        message: `${this.displayName}: inbound ${kinds.join('+')} keeps growing`,
        intervals: SAMPLE_INTERVALS,
      })
      .toEqual(expected);
  }

  /** Waits until a counter grows by more than `atLeast` after a first sample. */
  async waitForGrowth(what: string, read: (i: Inbound) => number, atLeast = 0): Promise<void> {
    const first = read(await this.inbound());
    await expect
      .poll(async () => read(await this.inbound()) - first, {
        message: `${this.displayName}: ${what} grows`,
        intervals: SAMPLE_INTERVALS,
      })
      .toBeGreaterThan(atLeast);
  }

  /** Waits until the far side is heard: inbound audio energy grows by an audible amount. */
  waitForSound(from: string): Promise<void> {
    return this.waitForGrowth(`audio energy from ${from}`, (i) => i.audio.energy, AUDIBLE_ENERGY);
  }

  /** Waits until the far side is silent: inbound audio energy stops growing, but for the noise floor. */
  waitForSilence(from: string): Promise<void> {
    return this.waitForStall(`audio energy from ${from}`, (i) => i.audio.energy, {
      tolerance: SILENT_ENERGY,
    });
  }

  /**
   * Waits until a counter stops growing: two samples at least `windowMs` apart differ by no more
   * than `tolerance`. A sample pair closer than the window never counts, so this cannot pass by
   * sampling too fast.
   */
  async waitForStall(
    what: string,
    read: (i: Inbound) => number,
    { tolerance = 0, windowMs = 1_500 }: { tolerance?: number; windowMs?: number } = {},
  ): Promise<void> {
    let previous = { at: Date.now(), value: read(await this.inbound()) };
    const seen: number[] = [];
    await expect(async () => {
      const now = { at: Date.now(), value: read(await this.inbound()) };
      expect(now.at - previous.at, 'sampling window (ms)').toBeGreaterThanOrEqual(windowMs);
      const growth = now.value - previous.value;
      previous = now;
      seen.push(growth);
      expect(
        growth,
        `${this.displayName}: ${what} stops growing; growth per window: ${seen.join(', ')}`,
      ).toBeLessThanOrEqual(tolerance);
    }).toPass({ intervals: [windowMs], timeout: paced(15_000) });
  }
}

function emptyInbound(): Inbound {
  return inboundTotals([]);
}

export interface AddOptions {
  /** Runs on the person's new context before its first page opens, e.g. `context.addInitScript(...)`. */
  prepare?: (context: BrowserContext) => Promise<void>;
  /** This display name instead of the made-up unique one (e.g. two people with the same name). */
  displayName?: string;
  /** The server this person registers at and opens the app from (a node of a cluster); else the suite's. */
  server?: string;
}

export interface People {
  /** A new person, registered through the UI and signed in: `add('alice')` gives "Alice 3f9a", `alice-3f9a…`. */
  add(name: string, options?: AddOptions): Promise<Person>;
}

async function registerThroughUi(
  page: Page,
  username: string,
  displayName: string,
  server = serverUrl(),
): Promise<void> {
  await page.goto(server);
  await page.getByRole('button', { name: 'Create an account', exact: true }).click();
  await page.getByLabel('Server', { exact: true }).fill(server);
  await page.getByLabel('Display name', { exact: true }).fill(displayName);
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
}

async function signInThroughUi(page: Page, username: string): Promise<void> {
  await page.goto(serverUrl());
  await page.getByLabel('Server', { exact: true }).fill(serverUrl());
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
}

/**
 * A new person in `context`, registered through the UI with a unique username: 'alice' gives
 * `alice-3f9a0c1d` / "Alice 3f9a" (or the display name given). `open` makes their second device.
 */
export async function registerPerson(
  context: BrowserContext,
  name: string,
  open: (person: Person) => Promise<Person>,
  displayName?: string,
  server?: string,
): Promise<Person> {
  const suffix = randomBytes(4).toString('hex');
  const username = `${name.toLowerCase()}-${suffix}`;
  const shownAs = displayName ?? `${capitalised(name)} ${suffix.slice(0, 4)}`;
  const page = await context.newPage();
  await registerThroughUi(page, username, shownAs, server);
  return new Person(context, page, username, shownAs, open);
}

export const test = base.extend<{ people: People }>({
  people: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    const newContext = async (b: Browser) => {
      const context = await b.newContext({ permissions: ['camera', 'microphone'] });
      contexts.push(context);
      return context;
    };
    const secondDevice = async (person: Person): Promise<Person> => {
      const context = await newContext(browser);
      const page = await context.newPage();
      await signInThroughUi(page, person.username);
      return new Person(context, page, person.username, person.displayName, secondDevice);
    };
    await use({
      async add(name, options = {}) {
        const context = await newContext(browser);
        await options.prepare?.(context);
        return registerPerson(context, name, secondDevice, options.displayName, options.server);
      },
    });
    await Promise.all(contexts.map((c) => c.close()));
  },
});
