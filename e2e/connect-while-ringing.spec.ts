// Connecting while it rings (issue 10), in real Chromium through the suite's server and coturn: the
// caller's device and each ringing device connect (ICE and DTLS) before anyone answers, with nothing
// sent and the callee's camera and microphone closed; Accept carries media on that same connection; the
// devices that did not answer close theirs; with "Always relay calls" the caller learns only the TURN
// server's addresses. Every RTCPeerConnection a page makes is kept by an init script, so its state, its
// media counters and the candidates it was given are read with getStats.
import type { BrowserContext } from '@playwright/test';
import { expect, test, type People, type Person } from './support/fixtures.js';

/** What one of a page's connections says through getStats. */
interface ConnectionSeen {
  state: RTCPeerConnectionState;
  /** RTP bytes sent, all kinds. */
  bytesSent: number;
  /** The candidate types (host, srflx, prflx, relay) of the far side's candidates it was given. */
  remoteCandidateTypes: string[];
}

declare global {
  interface Window {
    __connections?: RTCPeerConnection[];
  }
}

/** Keeps every RTCPeerConnection the page makes in `window.__connections`. */
function keepConnections(): void {
  const made: RTCPeerConnection[] = [];
  window.__connections = made;
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      made.push(this);
    }
  };
}

async function watchConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(keepConnections);
}

function connections(person: Person): Promise<ConnectionSeen[]> {
  return person.page.evaluate(() =>
    Promise.all(
      (window.__connections ?? []).map(async (pc) => {
        const seen = { state: pc.connectionState, bytesSent: 0, remoteCandidateTypes: [] as string[] };
        if (pc.connectionState === 'closed') return seen; // getStats on a closed connection throws
        (await pc.getStats()).forEach((row: { type: string; bytesSent?: number; candidateType?: string }) => {
          if (row.type === 'outbound-rtp') seen.bytesSent += row.bytesSent ?? 0;
          if (row.type === 'remote-candidate' && row.candidateType)
            seen.remoteCandidateTypes.push(row.candidateType);
        });
        return seen;
      }),
    ),
  );
}

/** Alice and Bob, contacts, every connection of their pages kept. */
async function watchedContacts(people: People): Promise<[Person, Person]> {
  const alice = await people.add('alice', { prepare: watchConnections });
  const bob = await people.add('bob', { prepare: watchConnections });
  await alice.befriend(bob);
  return [alice, bob];
}

const states = async (person: Person) => (await connections(person)).map((c) => c.state);

/** The callee's device rings with its connection up: ICE and DTLS done before anyone answers. */
async function ringsConnected(callee: Person, caller: Person): Promise<void> {
  await expect(callee.incomingCall(caller)).toBeVisible();
  await expect.poll(() => states(callee)).toEqual(['connected']);
}

test('while it rings the connection is up, nothing is sent and the callee’s camera and microphone stay closed; Accept carries media on that connection', async ({
  people,
}) => {
  const [alice, bob] = await watchedContacts(people);

  await alice.call(bob, 'video');
  await ringsConnected(bob, alice);
  await expect.poll(() => states(alice)).toEqual(['connected']);
  // Still ringing, a moment later: no camera light on Bob's side, and no media either way.
  await expect(bob.incomingCall(alice)).toBeVisible();
  expect(await bob.localTracks(), "Bob's camera and microphone").toEqual([]);
  for (const [who, person] of [
    ['Alice', alice],
    ['Bob', bob],
  ] as const) {
    const [only] = await connections(person);
    expect(only!.bytesSent, `${who}: media bytes sent before the answer`).toBe(0);
  }

  await bob.accept(alice, 'video');
  await Promise.all([alice.waitForMediaFlowing(), bob.waitForMediaFlowing()]);
  // The connection made while it rang carries the call: no second one on either side.
  expect(await states(alice)).toEqual(['connected']);
  expect(await states(bob)).toEqual(['connected']);
  expect((await bob.localTracks()).map((t) => [t.kind, t.readyState])).toEqual([
    ['audio', 'live'],
    ['video', 'live'],
  ]);
});

test('two ringing devices each connect; answering on one closes the other’s connection, and the caller’s to it', async ({
  people,
}) => {
  const [alice, bob] = await watchedContacts(people);
  const bobPhone = await bob.openSecondDevice();
  await watchConnections(bobPhone.context);
  await bobPhone.page.reload(); // the init script runs from the next load; the session is remembered
  await expect(bobPhone.button('Sign out')).toBeVisible();

  await alice.call(bob, 'audio');
  await ringsConnected(bob, alice);
  await ringsConnected(bobPhone, alice);
  await expect.poll(() => states(alice)).toEqual(['connected', 'connected']);

  await bob.accept(alice, 'audio');
  await expect(bobPhone.incomingCall(alice)).toBeHidden();
  await expect.poll(() => states(bobPhone)).toEqual(['closed']);
  await Promise.all([alice.waitForMediaFlowing(['audio']), bob.waitForMediaFlowing(['audio'])]);
  expect((await states(alice)).sort()).toEqual(['closed', 'connected']);
  expect(await bobPhone.localTracks(), "the phone's microphone").toEqual([]);
});

test('with “Always relay calls” the caller is given only the TURN server’s candidates while it rings', async ({
  people,
}) => {
  const [alice, bob] = await watchedContacts(people);
  await bob.tickSetting('Always relay calls');

  await alice.call(bob, 'audio');
  await ringsConnected(bob, alice);
  await expect(bob.incomingCall(alice)).toBeVisible();
  const [atAlice] = await connections(alice);
  expect(atAlice!.remoteCandidateTypes.length, "Bob's candidates Alice has").toBeGreaterThan(0);
  expect(new Set(atAlice!.remoteCandidateTypes), 'their types').toEqual(new Set(['relay']));

  await bob.accept(alice, 'audio');
  await Promise.all([alice.waitForMediaFlowing(['audio']), bob.waitForMediaFlowing(['audio'])]);
});
