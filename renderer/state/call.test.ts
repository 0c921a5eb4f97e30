// The calls domain with a fake engine: what the call screens read, the person's call actions, a call a
// link asks for, and the notices about calls.
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeEngine, callView } from '../test-support/fake-engine.js';
import { FakeSignaling, sessionReady } from '../test-support/fake-signaling.js';
import { endedWords, errorWords } from '../ui/error-words.js';
import { Calls, inCallWith, ringingCall } from './call.js';
import { Contacts } from './contacts.js';
import { Notices } from './notices.js';

let engine: FakeEngine;
let calls: Calls;
let notices: Notices;
const state = () => calls.state.getState();
const noticeTexts = () => notices.state.getState().notices.map((n) => n.text);

beforeEach(() => {
  engine = new FakeEngine();
  notices = new Notices();
  const server = new FakeSignaling();
  const contacts = new Contacts(server);
  server.push(
    'session.ready',
    sessionReady({
      contacts: [{ username: 'bob', displayName: 'Bob Smith', state: 'accepted', presence: 'online' }],
    }),
  );
  calls = new Calls({ engine, contacts, notices });
});

describe('the call as the engine has it', () => {
  it('mirrors the call, its streams and quality', () => {
    const view = callView();
    engine.show(view);
    engine.say('quality', {
      rttMs: 12,
      lossPercent: 0,
      kbps: 900,
      videoBandwidthKbps: null,
      path: 'direct',
      grade: 'good',
    });
    expect(state()).toMatchObject({ call: view, quality: { rttMs: 12 } });
    engine.show(null);
    expect(state().call).toBeNull();
  });

  it('derives the ringing call from it, and nothing else rings', () => {
    engine.show(callView());
    expect(ringingCall(state())).toEqual({
      callId: callView().callId,
      caller: { username: 'bob', displayName: 'Bob' },
      media: 'audio',
    });
    engine.show(callView({ phase: 'connecting', ringing: false }));
    expect(ringingCall(state())).toBeNull();
    engine.show(callView({ direction: 'outgoing', phase: 'outgoing' }));
    expect(ringingCall(state())).toBeNull();
  });

  it('knows whom this device is in a call with, from the first ring to the end', () => {
    expect(inCallWith(state(), 'bob')).toBe(false);
    engine.show(callView({ direction: 'outgoing', phase: 'outgoing', callId: null }));
    expect(inCallWith(state(), 'bob')).toBe(true);
    engine.show(callView({ phase: 'active' }));
    expect([inCallWith(state(), 'bob'), inCallWith(state(), 'zoe')]).toEqual([true, false]);
    engine.show(null);
    expect(inCallWith(state(), 'bob')).toBe(false);
  });

  it('remembers how the last call ended; a call never placed is also a notice', () => {
    engine.say('ended', { callId: null, peer: { username: 'bob', displayName: 'Bob' }, reason: 'declined' });
    expect(state().lastEnded).toMatchObject({ peerName: 'Bob', reason: 'declined' });
    expect(noticeTexts()).toEqual([]);
    engine.say('ended', {
      callId: null,
      peer: { username: 'bob', displayName: 'Bob' },
      reason: 'refused',
      code: 'E_BUSY',
    });
    expect(noticeTexts()).toEqual([endedWords('refused', 'E_BUSY')]);
  });

  it('turns engine notices into words; a camera problem in a call says the call goes on', () => {
    engine.say('notice', { code: 'E_DEVICE_FALLBACK', message: 'microphone' });
    engine.show(callView({ phase: 'active' }));
    engine.say('notice', { code: 'E_MEDIA_BUSY', message: 'camera' });
    expect(noticeTexts()).toEqual([
      `${errorWords('E_DEVICE_FALLBACK')} (microphone)`,
      `${errorWords('E_MEDIA_BUSY')} The call goes on without your video.`,
    ]);
  });
});

describe('what the person does', () => {
  it('calls a contact by name, or a stranger by username', async () => {
    await calls.call('bob', 'video');
    await calls.call('zoe', 'audio');
    expect(engine.asked).toEqual([
      ['call', { username: 'bob', displayName: 'Bob Smith' }, 'video'],
      ['call', { username: 'zoe', displayName: 'zoe' }, 'audio'],
    ]);
  });

  it('hands answers and call controls to the engine; mute and camera toggle what the call has', async () => {
    engine.show(callView({ phase: 'active', muted: true, cameraOn: false }));
    await calls.accept('video');
    await calls.decline();
    calls.toggleMute();
    await calls.toggleCamera();
    await calls.hangup();
    expect(engine.asked).toEqual([
      ['accept', 'video'],
      ['decline'],
      ['setMuted', false],
      ['setCamera', true],
      ['hangup'],
    ]);
    expect(calls.callId).toBe(callView().callId);
  });

  it('asks before a call a link wants; Call calls, Cancel forgets', async () => {
    calls.askToCall('bob', 'video');
    expect(state().linkCall).toEqual({ username: 'bob', media: 'video' });
    expect(engine.asked).toEqual([]);
    calls.cancelLinkCall();
    expect(state().linkCall).toBeNull();
    calls.askToCall('bob', 'audio');
    await calls.confirmLinkCall();
    expect(state().linkCall).toBeNull();
    expect(engine.asked).toEqual([['call', { username: 'bob', displayName: 'Bob Smith' }, 'audio']]);
  });

  it('refuses a link during a call, with words', () => {
    engine.show(callView({ phase: 'active' }));
    calls.askToCall('zoe', 'audio');
    expect(state().linkCall).toBeNull();
    expect(noticeTexts()).toEqual([errorWords('E_IN_CALL')]);
  });
});
