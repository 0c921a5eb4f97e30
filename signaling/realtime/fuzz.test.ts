/**
 * Property-based fuzzing of every client request (fast-check): sequences of
 * well-formed, half-formed and hostile requests from several people's
 * devices against a real server. Whatever arrives, the server answers every
 * acknowledged request, never with E_INTERNAL, only with the error codes
 * docs/protocol.md documents for that request, and /healthz stays ok.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runAdmin } from '../admin.js';
import { clientRequests, type ClientRequestName, type ErrorCode } from '../protocol/index.js';
import { documentedErrorsOf, documentedRequestErrors } from '../test-support/documented-errors.js';
import {
  befriend,
  connect,
  person,
  register,
  startTestServer,
  WAIT_MS,
  type Person,
  type TestDevice,
  type TestServer,
} from '../test-support/harness.js';

const RUNS = 50;
const MAX_ACTIONS = 40;
const requestNames = Object.keys(clientRequests) as ClientRequestName[];
const documented = documentedRequestErrors();

let server: TestServer;
beforeAll(async () => {
  // Limits high enough that the fuzzer reaches deep states; E_RATE_LIMITED stays a documented answer.
  server = await startTestServer({ invitesPerMinute: 10_000, relayPer10s: 10_000, ringTimeout: 2 });
});
afterAll(() => server.stop());

// ---- what an action names, before it meets the live state of a run ------------------------------

type Who = 'self' | 'contact' | 'requester' | 'stranger' | 'disabled' | 'unknown';
type UsernamePick = { who: Who } | { raw: unknown };
/** `seen: -1` is the newest call id seen in the run. */
type CallIdPick = { seen: number } | { raw: unknown };
type CursorPick = { seen: number } | { raw: unknown };
/** A leg the run's callers have seen (`seen`), or anything else. */
type LegPick = { seen: number } | { raw: unknown };

const junk = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.string({ maxLength: 80 }),
  fc.constantFrom(null, undefined, '', 0, -1, [], {}, '__proto__', 'constructor'),
);
const usernamePick: fc.Arbitrary<UsernamePick> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .constantFrom<Who>('self', 'contact', 'requester', 'stranger', 'disabled', 'unknown')
      .map((who) => ({ who })),
  },
  { weight: 1, arbitrary: junk.map((raw) => ({ raw })) },
);
const callIdPick: fc.Arbitrary<CallIdPick> = fc.oneof(
  // Most often the newest call, which is the one most likely still live.
  { weight: 5, arbitrary: fc.constant({ seen: -1 }) },
  { weight: 3, arbitrary: fc.nat(20).map((seen) => ({ seen })) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{22}$/).map((raw) => ({ raw })) },
  { weight: 1, arbitrary: junk.map((raw) => ({ raw })) },
);
const cursorPick: fc.Arbitrary<CursorPick> = fc.oneof(
  fc.nat(5).map((seen) => ({ seen })),
  fc.stringMatching(/^\d{1,16}_[A-Za-z0-9_-]{22}$/).map((raw) => ({ raw })),
  junk.map((raw) => ({ raw })),
);
const legPick: fc.Arbitrary<LegPick> = fc.oneof(
  { weight: 4, arbitrary: fc.nat(5).map((seen) => ({ seen })) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{16}$/).map((raw) => ({ raw })) },
  { weight: 1, arbitrary: junk.map((raw) => ({ raw })) },
);
const media = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('audio', 'video') },
  { weight: 1, arbitrary: junk },
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const sdp = fc.oneof(
  fc.constant('v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n'),
  fc.string({ minLength: 1, maxLength: 200 }),
  fc.string({ minLength: 47_990, maxLength: 48_010 }),
);
const signal = fc.oneof(
  fc.record({
    kind: fc.constant('description'),
    description: fc.record({ type: fc.constantFrom('offer', 'answer', 'pranswer', 'rollback'), sdp }),
  }),
  fc.record({
    kind: fc.constant('candidate'),
    candidate: fc.option(
      fc.record(
        {
          candidate: fc.string({ maxLength: 1030 }),
          sdpMid: fc.option(fc.string({ maxLength: 70 })),
          sdpMLineIndex: fc.option(fc.integer({ min: -2, max: 300 })),
          usernameFragment: fc.option(fc.string({ maxLength: 10 })),
        },
        { requiredKeys: ['candidate'] },
      ),
    ),
  }),
  junk,
);

/** A payload shape per request, with placeholders resolved against the run's live state. */
type Template = Record<string, unknown>;
const templates: Record<ClientRequestName, fc.Arbitrary<Template>> = {
  'contacts.request': fc.record({ username: usernamePick }),
  'contacts.accept': fc.record({ username: usernamePick }),
  'contacts.decline': fc.record({ username: usernamePick }),
  'contacts.remove': fc.record({ username: usernamePick }),
  'presence.update': fc.record({ away: maybe(fc.boolean()), dnd: maybe(fc.boolean()) }, { requiredKeys: [] }),
  'call.invite': fc.record({ callee: usernamePick, media }),
  'call.accept': fc.record({ callId: callIdPick }),
  'call.decline': fc.record({ callId: callIdPick }),
  'call.cancel': fc.record({ callId: callIdPick }),
  'call.hangup': fc.record({ callId: callIdPick }),
  'call.signal': fc.record(
    { callId: callIdPick, signal, leg: maybe(legPick) },
    { requiredKeys: ['callId', 'signal'] },
  ),
  'call.reportEnd': fc.record({
    callId: callIdPick,
    reason: fc.constantFrom('completed', 'failed', 'missed'),
    endedMsAgo: fc.integer({ min: -5, max: 4_000_000 }),
  }),
  'history.list': fc.record(
    { before: maybe(cursorPick), limit: maybe(fc.integer({ min: -3, max: 120 })) },
    { requiredKeys: [] },
  ),
  'history.markSeen': fc.constant({}),
  'ice.servers': fc.constant({}),
};

/** How the request is put on the wire: normally one payload and an ack; sometimes not. */
type Shape = 'normal' | 'no-ack' | 'junk-payload' | 'no-payload' | 'two-payloads';
const shape: fc.Arbitrary<Shape> = fc.oneof(
  { weight: 14, arbitrary: fc.constant<Shape>('normal') },
  { weight: 2, arbitrary: fc.constant<Shape>('no-ack') },
  { weight: 2, arbitrary: fc.constant<Shape>('junk-payload') },
  { weight: 1, arbitrary: fc.constant<Shape>('no-payload') },
  { weight: 1, arbitrary: fc.constant<Shape>('two-payloads') },
);

type Action =
  | {
      type: 'request';
      actor: number;
      name: ClientRequestName;
      template: Template;
      shape: Shape;
      junk: unknown;
    }
  | { type: 'unknown-event'; actor: number; event: string; ack: boolean };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.constantFrom(...requestNames).chain((name) =>
      fc.record({
        type: fc.constant('request' as const),
        actor: fc.nat(3),
        name: fc.constant(name),
        template: templates[name],
        shape,
        junk,
      }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('unknown-event' as const),
      actor: fc.nat(3),
      event: fc.oneof(
        fc.string({ maxLength: 100 }),
        fc.constantFrom('call.invit', 'constructor', 'session.ready'),
      ),
      ack: fc.boolean(),
    }),
  },
);

// ---- one run: four people's devices and what they have seen ------------------------------------

interface Seat {
  person: Person;
  /** Who is who from this device's point of view. */
  names: Record<Who, string>;
}

class World {
  readonly callIds: string[] = [];
  readonly cursors: string[] = [];
  /** Legs of callee devices, as callers received them (relayed signals, call.accepted). */
  readonly legs: string[] = [];
  readonly problems: string[] = [];

  constructor(readonly seats: Seat[]) {
    for (const seat of seats) this.watch(seat.person.device);
  }

  /** Call ids and protocol errors, from every event a device receives. */
  watch(device: TestDevice): void {
    device.socket.on('call.incoming', ({ callId }) => this.callIds.push(callId));
    const keepLeg = ({ leg }: { leg?: string }): void => {
      if (leg) this.legs.push(leg);
    };
    device.socket.on('call.signal', keepLeg);
    device.socket.on('call.accepted', keepLeg);
    device.socket.on('protocol.error', (error) => {
      const allowed = requestNames.includes(error.event as ClientRequestName)
        ? documentedErrorsOf(documented, error.event as ClientRequestName)
        : new Set<ErrorCode>(['E_UNKNOWN_EVENT']);
      if (!allowed.has(error.code) || error.code === 'E_INTERNAL')
        this.problems.push(`protocol.error for ${error.event}: ${error.code} ${error.message}`);
    });
  }

  resolve(template: Template, seat: Seat): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) {
      if (value === undefined) continue;
      if (typeof value !== 'object' || value === null) out[key] = value;
      else if ('raw' in value) out[key] = value.raw;
      else if ('who' in value) out[key] = seat.names[value.who as Who];
      else if ('seen' in value) {
        const [pool, none] = this.pool(key);
        const index = value.seen === -1 ? pool.length - 1 : (value.seen as number) % pool.length;
        out[key] = pool.length ? pool[index] : none;
      } else out[key] = value; // a signal: sent as generated
    }
    return out;
  }

  /** What a `seen` pick of this key picks from, and what stands in while that is empty. */
  private pool(key: string): [string[], string] {
    if (key === 'before') return [this.cursors, 'AAAAAAAAAAAAAAAAAAAAAA'];
    if (key === 'leg') return [this.legs, 'AAAAAAAAAAAAAAAA'];
    return [this.callIds, 'AAAAAAAAAAAAAAAAAAAAAA'];
  }
}

let runNo = 0;

/** Where a run starts, so the fuzzing also hits live calls: none, Alice ringing Bob, or in a call with him. */
type Start = 'idle' | 'ringing' | 'active';

async function buildWorld(start: Start): Promise<World> {
  const tag = `f${++runNo}${Math.random().toString(36).slice(2, 6)}`;
  const [alice, bob, carol] = await Promise.all(['a', 'b', 'c'].map((n) => person(server, `${tag}${n}`)));
  const aliceAgain: Person = { ...alice!, device: await connect(server, alice!.token) };
  await register(server, `${tag}d`);
  const quiet = { readPassword: async () => '', print: () => undefined };
  expect(await runAdmin(['disable', `${tag}d`], server.config, quiet)).toBe(0);
  await befriend(alice!, bob!);
  await carol!.device.ok('contacts.request', { username: alice!.username });
  const names = (self: Person, contact: Person, requester: Person | undefined, stranger: Person) => ({
    self: self.username,
    contact: contact.username,
    requester: requester?.username ?? `${tag}zz`,
    stranger: stranger.username,
    disabled: `${tag}d`,
    unknown: `${tag}nobody`,
  });
  const world = new World([
    { person: alice!, names: names(alice!, bob!, carol!, carol!) },
    { person: aliceAgain, names: names(alice!, bob!, carol!, carol!) },
    { person: bob!, names: names(bob!, alice!, undefined, carol!) },
    { person: carol!, names: names(carol!, alice!, undefined, bob!) },
  ]);
  if (start === 'idle') return world;
  const { callId } = await alice!.device.ok('call.invite', { callee: bob!.username, media: 'video' });
  world.callIds.push(callId);
  await bob!.device.next('call.incoming', (p) => p.callId === callId);
  // Bob's device connects early, so that Alice has its leg to address.
  await bob!.device.ok('call.signal', {
    callId,
    signal: { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } },
  });
  await alice!.device.next('call.signal', (p) => p.callId === callId);
  if (start === 'active') {
    await bob!.device.ok('call.accept', { callId });
    await alice!.device.ok('call.signal', {
      callId,
      signal: { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } },
    });
  }
  return world;
}

/** The socket without the typed event maps, to send what a typed client cannot. */
interface LooseSocket {
  connected: boolean;
  emit(event: string, ...args: unknown[]): unknown;
  once(event: 'disconnect', listener: () => void): unknown;
  off(event: 'disconnect', listener: () => void): unknown;
}

/** Sends and waits for the acknowledgement; undefined if the server closed the connection instead. */
function send(device: TestDevice, event: string, args: unknown[]): Promise<unknown> {
  const socket = device.socket as unknown as LooseSocket;
  return new Promise((resolve, reject) => {
    const settle = (result: unknown): void => {
      clearTimeout(timer);
      socket.off('disconnect', closed);
      resolve(result);
    };
    const closed = (): void => settle(undefined);
    const timer = setTimeout(() => {
      socket.off('disconnect', closed);
      reject(new Error(`no answer to ${event} within ${WAIT_MS} ms`));
    }, WAIT_MS);
    socket.once('disconnect', closed);
    socket.emit(event, ...args, settle);
  });
}

async function perform(world: World, act: Action): Promise<void> {
  const seat = world.seats[act.actor]!;
  if (!seat.person.device.socket.connected) {
    // Closed for too many bad messages: a new connection of the same device carries on.
    seat.person.device = await connect(server, seat.person.token, seat.person.device.deviceId);
    world.watch(seat.person.device);
  }
  const device = seat.person.device;
  const socket = device.socket as unknown as LooseSocket;
  if (act.type === 'unknown-event') {
    if (act.event in clientRequests || act.event === '') return;
    if (!act.ack) return void socket.emit(act.event, {});
    const result = (await send(device, act.event, [{}])) as { error?: { code: string } } | undefined;
    if (result && result.error?.code !== 'E_UNKNOWN_EVENT')
      world.problems.push(`unknown event ${act.event}: ${JSON.stringify(result)}`);
    return;
  }
  const payload = act.shape === 'junk-payload' ? act.junk : world.resolve(act.template, seat);
  const args =
    act.shape === 'no-payload' ? [] : act.shape === 'two-payloads' ? [payload, payload] : [payload];
  if (act.shape === 'no-ack') return void socket.emit(act.name, ...args);
  const result = (await send(device, act.name, args)) as
    | { ok: true; callId?: string; nextCursor?: string | null }
    | { ok: false; error: { code: ErrorCode; message: string } }
    | undefined;
  if (result === undefined) return; // the connection was closed for abuse: checked by the reconnect above
  if (result.ok) {
    if (result.callId) world.callIds.push(result.callId);
    if (result.nextCursor) world.cursors.push(result.nextCursor);
    return;
  }
  const allowed = documentedErrorsOf(documented, act.name);
  if (!allowed.has(result.error.code) || result.error.code === 'E_INTERNAL')
    world.problems.push(
      `${act.name} ${JSON.stringify(payload)?.slice(0, 200)}: ${result.error.code} ${result.error.message}`,
    );
}

it(`answers ${RUNS} runs of up to ${MAX_ACTIONS} generated requests with documented codes only, and stays healthy`, async () => {
  let requests = 0;
  const seen = new Set<string>();
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<Start>('idle', 'ringing', 'active'),
      fc.array(action, { minLength: 20, maxLength: MAX_ACTIONS }),
      async (start, actions) => {
        const world = await buildWorld(start);
        try {
          for (const act of actions) {
            await perform(world, act);
            requests++;
            seen.add(act.type === 'request' ? act.name : 'unknown');
          }
          // Wait for no-ack failures to come back before judging them.
          await Promise.all(
            world.seats.map(
              (s) => s.person.device.socket.connected && send(s.person.device, 'ice.servers', [{}]),
            ),
          );
          const health = await fetch(`${server.url}/healthz`);
          expect(health.status).toBe(200);
          expect(world.problems).toEqual([]);
        } finally {
          for (const seat of world.seats) seat.person.device.close();
        }
      },
    ),
    { numRuns: RUNS, interruptAfterTimeLimit: 90_000, markInterruptAsFailure: true },
  );
  expect(requests).toBeGreaterThanOrEqual(1_000);
  expect([...seen].sort()).toEqual([...requestNames, 'unknown'].sort());
}, 180_000);
