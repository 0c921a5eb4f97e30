// The ringer follows the call store: one ringtone start per ringing call, ringback while our call rings
// at the other end, routing from the device choices, and the Settings test that never stops a real ring.
import { beforeEach, describe, expect, it } from 'vitest';
import { Calls } from '../state/call.js';
import { Contacts } from '../state/contacts.js';
import { Devices } from '../state/devices.js';
import { Notices } from '../state/notices.js';
import { FakeEngine, callView } from '../test-support/fake-engine.js';
import { FakeSignaling } from '../test-support/fake-signaling.js';
import { Ringer } from './ringer.js';
import type { Tones } from '../audio/tones.js';

let engine: FakeEngine;
let devices: Devices;
let ringer: Ringer;
let played: string[];
/** Work the ringer left for after the page's render. */
let afterRender: Array<() => void>;
const render = () => afterRender.splice(0).forEach((work) => work());

beforeEach(() => {
  engine = new FakeEngine();
  played = [];
  afterRender = [];
  const record =
    (name: string) =>
    (...args: unknown[]) =>
      void played.push(args.length ? `${name}(${args.join(',')})` : name);
  const tones: Tones = {
    startRingtone: record('startRingtone'),
    stopRingtone: record('stopRingtone'),
    startRingback: record('startRingback'),
    stopRingback: record('stopRingback'),
    setRingDevice: record('setRingDevice'),
    setRingVolume: record('setRingVolume'),
    setSpeaker: record('setSpeaker'),
  };
  const server = new FakeSignaling();
  const notices = new Notices();
  devices = new Devices({
    platform: { loadDevicePreferences: () => new Promise(() => {}), saveDevicePreferences: () => {} },
    signaling: server,
    access: { list: async () => ({ microphones: [], cameras: [], speakers: [] }), onChange: () => {} },
    engine,
    notices,
  });
  const calls = new Calls({ engine, contacts: new Contacts(server), notices });
  ringer = new Ringer(tones, calls.state, devices.state, (work) => void afterRender.push(work));
});

describe('tones follow the call', () => {
  it('rings once per ringing call, through every change of it, and stops when it stops ringing', () => {
    engine.show(callView());
    expect(played, 'the page draws the ringing call first').toEqual([]);
    render();
    engine.show(callView({ muted: true })); // muted from the tray while ringing: no restart
    render();
    engine.show(callView({ phase: 'connecting', ringing: false }));
    engine.show(null);
    expect(played).toEqual(['startRingtone', 'stopRingtone']);
  });

  it('does not start the ringtone for a call that stopped ringing before the page drew it', () => {
    engine.show(callView());
    engine.show(null);
    render();
    expect(played).toEqual(['stopRingtone']);
  });

  it('plays ringback only while our call rings at the other end', () => {
    const out = { direction: 'outgoing', phase: 'outgoing', callId: null, ringing: false } as const;
    engine.show(callView(out));
    engine.show(callView({ ...out, callId: 'c'.repeat(22), ringing: true }));
    engine.show(callView({ ...out, callId: 'c'.repeat(22), ringing: true, muted: true }));
    engine.show(callView({ direction: 'outgoing', phase: 'connecting', ringing: false }));
    expect(played).toEqual(['startRingback', 'stopRingback']);
  });

  it('the Settings test plays the ringtone, and its stop never silences a real ring', () => {
    ringer.testRingtone(true);
    engine.show(callView());
    render();
    ringer.testRingtone(false);
    engine.show(null);
    ringer.testRingtone(true);
    ringer.testRingtone(false);
    expect(played).toEqual([
      'startRingtone',
      'startRingtone',
      'stopRingtone',
      'startRingtone',
      'stopRingtone',
    ]);
  });
});

it('routes the tones to the chosen devices at the chosen volume', () => {
  devices.setPreferences({ ringDeviceId: 'spk-2', speakerId: 'spk-1', ringVolume: 0.4 });
  expect(played).toEqual(['setRingDevice(spk-2)', 'setRingVolume(0.4)', 'setSpeaker(spk-1)']);
});
