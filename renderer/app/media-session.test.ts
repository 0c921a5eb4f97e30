// The call on the system's media controls: actions registered while a call is placed or up (not while it
// rings here), each acting on the call, the microphone and camera states told as they change, all cleared
// when the call ends; a browser that does not know an action is no trouble.
import { beforeEach, describe, expect, it } from 'vitest';
import { Calls } from '../state/call.js';
import { Contacts } from '../state/contacts.js';
import { Notices } from '../state/notices.js';
import { FakeEngine, callView } from '../test-support/fake-engine.js';
import { FakeSignaling } from '../test-support/fake-signaling.js';
import { MediaSessionLink, type CallMediaSession } from './media-session.js';

/** navigator.mediaSession as Chromium has it: one handler per action, and what the controls were told. */
class FakeMediaSession implements CallMediaSession {
  readonly handlers = new Map<string, () => void>();
  readonly told: string[] = [];
  unknown = new Set<string>();

  setActionHandler(action: string, handler: (() => void) | null): void {
    if (this.unknown.has(action))
      throw new TypeError(`The provided value '${action}' is not a valid enum value`);
    if (handler) this.handlers.set(action, handler);
    else this.handlers.delete(action);
  }
  setMicrophoneActive(active: boolean): void {
    this.told.push(`microphone ${active ? 'on' : 'off'}`);
  }
  setCameraActive(active: boolean): void {
    this.told.push(`camera ${active ? 'on' : 'off'}`);
  }
}

let engine: FakeEngine;
let session: FakeMediaSession;

function link(): void {
  const server = new FakeSignaling();
  new MediaSessionLink(
    session,
    new Calls({ engine, contacts: new Contacts(server), notices: new Notices() }),
  );
}

beforeEach(() => {
  engine = new FakeEngine();
  session = new FakeMediaSession();
});

const active = { direction: 'outgoing', phase: 'active', ringing: false } as const;

describe('the call on the media controls', () => {
  it('offers hang-up, microphone and camera while a call is up, each acting on it, and nothing after', () => {
    link();
    engine.show(callView()); // ringing here: not on the controls
    expect([...session.handlers.keys()]).toEqual([]);
    engine.show(callView({ ...active, cameraOn: true }));
    expect([...session.handlers.keys()].sort()).toEqual(['hangup', 'togglecamera', 'togglemicrophone']);
    session.handlers.get('togglemicrophone')!();
    session.handlers.get('togglecamera')!();
    session.handlers.get('hangup')!();
    expect(engine.asked).toEqual([['setMuted', true], ['setCamera', false], ['hangup']]);
    engine.show(null);
    expect([...session.handlers.keys()]).toEqual([]);
  });

  it('tells the controls the microphone and camera states, once per change', () => {
    link();
    engine.show(callView({ ...active, phase: 'outgoing', cameraOn: true }));
    engine.show(callView({ ...active, cameraOn: true }));
    engine.show(callView({ ...active, cameraOn: true, muted: true }));
    engine.show(callView({ ...active, cameraOn: false, muted: true }));
    engine.show(null);
    engine.show(callView({ ...active }));
    expect(session.told).toEqual([
      'microphone on',
      'camera on',
      'microphone off',
      'camera off',
      'microphone on',
      'camera off',
    ]);
  });

  it('offers what the browser knows when it does not know every action', () => {
    session.unknown.add('togglecamera');
    link();
    engine.show(callView(active));
    expect([...session.handlers.keys()].sort()).toEqual(['hangup', 'togglemicrophone']);
    engine.show(null);
    expect([...session.handlers.keys()]).toEqual([]);
  });
});
