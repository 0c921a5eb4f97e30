// The shell link with the real domains, a fake engine and server, and a recording platform: the state the
// shell redraws from (the ringing call, the call, presence, missed calls), and outside actions reaching the
// domain that owns them.
import { beforeEach, describe, expect, it } from 'vitest';
import type { PlatformAction, ShellState } from '../../shared/app-shell.js';
import type { Platform } from '../platform/platform.js';
import { Calls } from '../state/call.js';
import { Contacts } from '../state/contacts.js';
import { History } from '../state/history.js';
import { Notices } from '../state/notices.js';
import { Session } from '../state/session.js';
import { View } from '../state/view.js';
import { callView, FakeEngine } from '../test-support/fake-engine.js';
import { FakeSignaling, sessionReady } from '../test-support/fake-signaling.js';
import { linkShell } from './shell-link.js';

let engine: FakeEngine;
let server: FakeSignaling;
let reported: ShellState[];
let act: (action: PlatformAction) => void;
let view: View;
let session: Session;

beforeEach(() => {
  engine = new FakeEngine();
  server = new FakeSignaling();
  reported = [];
  const platform = {
    reportState: (state: ShellState) => void reported.push(state),
    reportRecentCalls: () => {},
    showMissedCall: () => {},
    onAction: (handler: (action: PlatformAction) => void) => {
      act = handler;
      return () => {};
    },
  } as Partial<Platform> as Platform;
  const notices = new Notices();
  const calls = new Calls({ engine, contacts: new Contacts(server), notices });
  const history = new History(server, platform);
  view = new View(() => {});
  session = new Session({
    signaling: {
      ...server,
      on: server.on.bind(server),
      request: server.request.bind(server),
      connect() {},
      disconnect() {},
    },
    accounts: {
      register: async () => ({}) as never,
      signIn: async () => ({}) as never,
      signOut: async () => {},
    },
    platform: {
      ...platform,
      storage: { get: () => null, set() {}, remove() {} },
      deviceId: () => 'd',
      newDeviceId: () => 'd',
    } as Platform,
    notices,
    idle: { start() {}, stop() {} },
    endCall: async () => {},
    forget: () => {},
  });
  linkShell({ platform, signaling: server, session, calls, history, view });
});

const RINGING = {
  callId: callView().callId!,
  caller: { username: 'bob', displayName: 'Bob' },
  media: 'audio',
};

describe('the state the shell redraws from', () => {
  it('carries the ringing call while it rings, then the call; ringing starts and stops nowhere else', () => {
    server.push('session.ready', sessionReady({ presence: 'online', unseenMissedCalls: 1 }));
    reported = [];
    engine.show(callView());
    engine.show(callView({ muted: true }));
    engine.show(callView({ phase: 'connecting', ringing: false, muted: true }));
    engine.show(null);
    expect(reported).toEqual([
      { presence: 'online', ringing: RINGING, inCall: false, muted: false, unseenMissedCalls: 1 },
      { presence: 'online', ringing: RINGING, inCall: false, muted: true, unseenMissedCalls: 1 },
      { presence: 'online', ringing: null, inCall: true, muted: true, unseenMissedCalls: 1 },
      { presence: 'online', ringing: null, inCall: false, muted: false, unseenMissedCalls: 1 },
    ]);
  });

  it('a call placed here is a call, not ringing', () => {
    engine.show(callView({ direction: 'outgoing', phase: 'outgoing' }));
    expect(reported.at(-1)).toMatchObject({ ringing: null, inCall: true });
  });

  it('follows presence and the missed-call count', () => {
    server.push('presence.self', { presence: 'busy', dnd: false });
    server.push('history.unseen', { unseenMissedCalls: 4 });
    expect(reported.at(-1)).toMatchObject({ presence: 'busy', unseenMissedCalls: 4 });
  });
});

describe('actions from outside the page', () => {
  it('answers only the call the notification or window named', () => {
    engine.show(callView());
    act({ type: 'accept', callId: 'x'.repeat(22), media: 'audio' });
    act({ type: 'decline', callId: 'x'.repeat(22) });
    act({ type: 'accept', callId: RINGING.callId, media: 'video' });
    expect(engine.asked).toEqual([['accept', 'video']]);
  });

  it('reach the domain that owns them', async () => {
    server.answer('presence.update', ({ dnd }) => ({
      ok: true,
      presence: dnd ? 'dnd' : 'online',
      dnd: !!dnd,
    }));
    act({ type: 'open-history' });
    act({ type: 'set-status', dnd: true });
    act({ type: 'call', username: 'carol', media: 'video' });
    expect(view.state.getState().tab).toBe('history');
    await expect.poll(() => session.state.getState().dnd).toBe(true);
    expect(engine.asked).toEqual([['call', { username: 'carol', displayName: 'carol' }, 'video']]);
  });
});
