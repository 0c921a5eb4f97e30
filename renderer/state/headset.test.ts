// The chosen USB headset on the call: its lights follow ringing, the call and the microphone; its hook
// switch answers and hangs up, its mute button mutes; other headsets and no choice leave the call alone.
import { beforeEach, describe, expect, it } from 'vitest';
import { HOOK_SWITCH, MUTE_LED, OFF_HOOK_LED, PHONE_MUTE, RING_LED } from '../headset/telephony.js';
import { Calls } from './call.js';
import { Contacts } from './contacts.js';
import { Devices } from './devices.js';
import { Notices } from './notices.js';
import { FakeEngine, callView } from '../test-support/fake-engine.js';
import { FakeSignaling } from '../test-support/fake-signaling.js';
import { Headset, headsetKey, type HeadsetAccess, type HeadsetDevice } from './headset.js';

const bit = (usage: number) => ({ usages: [usage], reportSize: 1, reportCount: 1 });

/** A telephony headset as WebHID shows it: report 1 holds hook switch and mute, and the three lights. */
class FakeHeadset implements HeadsetDevice {
  opened = false;
  readonly vendorId = 0x0b0e;
  readonly productId = 0x0412;
  readonly collections = [
    {
      usagePage: 0x0b,
      usage: 0x05,
      inputReports: [{ reportId: 1, items: [{ ...bit(HOOK_SWITCH), isAbsolute: true }, bit(PHONE_MUTE)] }],
      outputReports: [{ reportId: 1, items: [bit(OFF_HOOK_LED), bit(RING_LED), bit(MUTE_LED)] }],
    },
  ];
  /** The lights each output report set, as 'off-hook ring mute' words. */
  readonly lights: string[] = [];
  private listener: ((event: { reportId: number; data: DataView }) => void) | null = null;

  constructor(readonly productName: string) {}

  async open() {
    this.opened = true;
  }
  async close() {
    this.opened = false;
  }
  async sendReport(reportId: number, data: Uint8Array) {
    const on = ['off-hook', 'ring', 'mute'].filter((_, i) => (data[0]! >> i) & 1);
    this.lights.push(`${reportId}: ${on.join(' ') || 'dark'}`);
  }
  addEventListener(_type: 'inputreport', listener: (event: { reportId: number; data: DataView }) => void) {
    this.listener = listener;
  }
  removeEventListener() {
    this.listener = null;
  }
  /** The person moves the hook switch or presses mute: report 1 with hook in bit 0 and mute in bit 1. */
  report(hook: 0 | 1, mute: 0 | 1 = 0) {
    this.listener?.({ reportId: 1, data: new DataView(new Uint8Array([hook | (mute << 1)]).buffer) });
  }
}

let engine: FakeEngine;
let headset: FakeHeadset;
let other: FakeHeadset;
let headsetDomain: Headset;
let devices: Devices;

function setup(saved: object) {
  const server = new FakeSignaling();
  const notices = new Notices();
  devices = new Devices({
    platform: { loadDevicePreferences: async () => saved, saveDevicePreferences: () => {} },
    signaling: server,
    access: { list: async () => ({ microphones: [], cameras: [], speakers: [] }), onChange: () => {} },
    engine,
    notices,
  });
  const mouse = { ...headset, productName: 'Mouse', collections: [{ usagePage: 0x01, usage: 0x02 }] };
  const hid: HeadsetAccess = {
    getDevices: async () => [mouse as unknown as HeadsetDevice, other, headset],
    requestDevice: async () => [headset],
    addEventListener: () => {},
  };
  const calls = new Calls({ engine, contacts: new Contacts(server), notices });
  headsetDomain = new Headset(hid, calls, devices);
}

beforeEach(() => {
  engine = new FakeEngine();
  headset = new FakeHeadset('Jabra Evolve2 40');
  other = new FakeHeadset('Poly Blackwire 3220');
  Object.assign(other, { productId: 0x0999 });
});

describe('the chosen headset', () => {
  it('lists telephony headsets only, opens the chosen one and lights it as the call goes', async () => {
    setup({ headset: headsetKey(headset) });
    await expect.poll(() => headsetDomain.state.getState().inUse).toBe('0b0e:0412:Jabra Evolve2 40');
    expect(headsetDomain.state.getState().available.map((a) => a.name)).toEqual([
      'Poly Blackwire 3220',
      'Jabra Evolve2 40',
    ]);
    expect(headset.opened).toBe(true);
    expect(other.opened).toBe(false);
    engine.show(callView());
    engine.show(callView({ phase: 'active', ringing: false }));
    engine.show(callView({ phase: 'active', ringing: false, muted: true }));
    engine.show(callView({ phase: 'active', ringing: false, muted: true, remoteVideo: true }));
    engine.show(null);
    await headsetDomain.settled();
    expect(headset.lights).toEqual(['1: dark', '1: ring', '1: off-hook', '1: off-hook mute', '1: dark']);
  });

  it('answers with voice on the hook switch, mutes on the mute button and hangs up on-hook', async () => {
    setup({ headset: headsetKey(headset) });
    await expect.poll(() => headset.opened).toBe(true);
    headset.report(0, 1); // mute with no call: nothing to mute
    headset.report(0, 0);
    engine.show(callView());
    headset.report(0, 1); // mute while it rings: nothing
    headset.report(1);
    engine.show(callView({ phase: 'active', ringing: false }));
    headset.report(1); // a headset repeating its state changes nothing
    headset.report(1, 1);
    headset.report(1, 0); // released: no second toggle
    headset.report(0);
    expect(engine.asked).toEqual([['accept', 'audio'], ['setMuted', true], ['hangup']]);
  });

  it('leaves the call alone without a choice, and moves to a headset chosen later, darkening the first', async () => {
    setup({});
    await headsetDomain.settled();
    expect(headsetDomain.state.getState().inUse).toBeNull();
    headset.report(1);
    engine.show(callView());
    expect(headset.lights).toEqual([]);
    await headsetDomain.add();
    expect(devices.state.getState().prefs.headset).toBe(headsetKey(headset));
    expect(headset.lights).toEqual(['1: ring']);
    devices.setPreferences({ headset: headsetKey(other) });
    await expect.poll(() => headsetDomain.state.getState().inUse).toBe(headsetKey(other));
    expect(headset.lights).toEqual(['1: ring', '1: dark']);
    expect(headset.opened).toBe(false);
    expect(other.lights).toEqual(['1: ring']);
  });

  it('does nothing where the browser has no WebHID', () => {
    const server = new FakeSignaling();
    const notices = new Notices();
    const calls = new Calls({ engine, contacts: new Contacts(server), notices });
    const none = new Headset(null, calls, {
      state: { getState: () => ({}) } as never,
      setPreferences: () => {},
    });
    expect(none.state.getState()).toEqual({ supported: false, available: [], inUse: null });
  });
});
