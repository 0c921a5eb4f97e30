// The devices domain with fakes for what it talks to: the saved choices, the machine's devices (plugged in
// and out by the test) and the call engine's tracks.
import { describe, expect, it } from 'vitest';
import type { DevicePreferences } from '../../shared/app-shell.js';
import type { MediaDeviceLists } from '../call/media.js';
import { callView, FakeEngine } from '../test-support/fake-engine.js';
import { FakeSignaling, sessionReady } from '../test-support/fake-signaling.js';
import { defaultPreferences, Devices, parsePreferences } from './devices.js';
import { Notices } from './notices.js';

const device = (kind: MediaDeviceKind, deviceId: string, label = deviceId, groupId = '') =>
  ({ kind, deviceId, label, groupId }) as MediaDeviceInfo;
/** Chromium's `default` microphone entry while `label` (of group `groupId`) is the system default. */
const systemDefaultMic = (label: string, groupId: string) =>
  device('audioinput', 'default', `Default - ${label}`, groupId);
const lists = (...devices: MediaDeviceInfo[]): MediaDeviceLists => ({
  microphones: devices.filter((d) => d.kind === 'audioinput'),
  cameras: devices.filter((d) => d.kind === 'videoinput'),
  speakers: devices.filter((d) => d.kind === 'audiooutput'),
});

function setup(saved: unknown = undefined) {
  const server = new FakeSignaling();
  const notices = new Notices();
  const savedPrefs: DevicePreferences[] = [];
  const machine = {
    now: lists(device('audioinput', 'mic-1'), device('videoinput', 'cam-1')),
    change: () => {},
  };
  const engine = new FakeEngine();
  const devices = new Devices({
    platform: {
      loadDevicePreferences: async () => saved,
      saveDevicePreferences: (prefs) => void savedPrefs.push(prefs),
    },
    signaling: server,
    access: { list: async () => machine.now, onChange: (handler) => (machine.change = handler) },
    engine,
    notices,
  });
  const noticeTexts = () => notices.state.getState().notices.map((n) => n.text);
  return { server, devices, engine, machine, savedPrefs, noticeTexts, state: () => devices.state.getState() };
}

describe('choices', () => {
  it('starts from the saved choices, or the defaults when they are unreadable', async () => {
    const good = setup({ microphoneId: 'mic-2', ringVolume: 0.3 });
    await expect.poll(() => good.state().prefs.microphoneId).toBe('mic-2');
    expect(good.state().prefs.ringVolume).toBe(0.3);
    const bad = setup({ ringVolume: 7 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(bad.state().prefs).toEqual(defaultPreferences());
  });

  it('keeps a choice, saves it, and switches the microphone (and a camera that is on) in a call', async () => {
    const s = setup();
    s.devices.setPreferences({ microphoneId: 'mic-2', cameraId: 'cam-2' });
    expect(s.engine.asked).toEqual([]); // no call
    s.engine.current = callView({ phase: 'active', cameraOn: false });
    s.devices.setPreferences({ microphoneId: 'mic-3', cameraId: 'cam-3' });
    s.engine.current = callView({ phase: 'active', cameraOn: true });
    s.devices.setPreferences({ cameraId: 'cam-4', ringVolume: 0.5 });
    expect(s.engine.asked).toEqual([
      ['switchDevice', 'audio', 'mic-3'],
      ['switchDevice', 'video', 'cam-4'],
    ]);
    expect(s.state().prefs).toMatchObject({ microphoneId: 'mic-3', cameraId: 'cam-4', ringVolume: 0.5 });
    expect(s.savedPrefs.at(-1)).toEqual(s.state().prefs);
    expect(s.savedPrefs).toHaveLength(3);
  });
});

describe('the machine', () => {
  it('lists the devices on every session.ready', async () => {
    const s = setup();
    s.server.push('session.ready', sessionReady());
    await expect.poll(() => s.state().lists.microphones.map((d) => d.deviceId)).toEqual(['mic-1']);
  });

  it('falls back to the default when the microphone in use is unplugged, and mentions a new device', async () => {
    const s = setup();
    await s.devices.refresh();
    s.engine.inUse = { audio: 'mic-1', video: 'cam-1' };
    s.machine.now = lists(device('videoinput', 'cam-1'), device('audiooutput', 'spk-9', 'Headset'));
    s.machine.change();
    await expect.poll(() => s.engine.asked).toEqual([['switchDevice', 'audio', undefined]]);
    expect(s.noticeTexts()).toEqual([
      'Your microphone was disconnected; Parley switched to the default one.',
      'New device available: Headset. Choose it in Settings.',
    ]);
  });

  it('follows a changed system default microphone in a call when the person chose "System default"', async () => {
    const s = setup();
    const mics = [device('audioinput', 'mic-1', 'Built-in', 'g1'), device('audioinput', 'usb', 'USB', 'g2')];
    s.machine.now = lists(systemDefaultMic('Built-in', 'g1'), ...mics);
    await s.devices.refresh();
    s.engine.inUse = { audio: 'default' };
    // Another listing with the same default (a camera came): nothing to follow.
    s.machine.now = lists(systemDefaultMic('Built-in', 'g1'), ...mics, device('videoinput', 'cam-2', 'Cam'));
    s.machine.change();
    await expect.poll(() => s.noticeTexts()).toEqual(['New device available: Cam. Choose it in Settings.']);
    expect(s.engine.asked).toEqual([]);

    s.machine.now = lists(systemDefaultMic('USB', 'g2'), ...mics);
    s.machine.change();
    await expect.poll(() => s.engine.asked).toEqual([['switchDevice', 'audio', undefined]]);
    expect(s.noticeTexts().at(-1)).toBe("Your system's default microphone changed; Parley switched to it.");
  });

  it('keeps a chosen microphone, or no call, when the system default changes', async () => {
    for (const [choice, inUse] of [
      ['mic-1', 'mic-1'],
      ['', undefined],
    ] as const) {
      const s = setup({ microphoneId: choice });
      await expect.poll(() => s.state().prefs.microphoneId).toBe(choice);
      const mics = [
        device('audioinput', 'mic-1', 'Built-in', 'g1'),
        device('audioinput', 'usb', 'USB', 'g2'),
      ];
      s.machine.now = lists(systemDefaultMic('Built-in', 'g1'), ...mics);
      await s.devices.refresh();
      s.engine.inUse = { audio: inUse };
      s.machine.now = lists(systemDefaultMic('USB', 'g2'), ...mics);
      s.machine.change();
      await expect.poll(() => s.state().lists.microphones[0]?.label).toBe('Default - USB');
      expect(s.engine.asked).toEqual([]);
      expect(s.noticeTexts()).toEqual([]);
    }
  });

  it('announces nothing new when the devices had not been listed with their names before the change', async () => {
    // Before the first listing (or before permission, when the browser hides ids and names), every
    // device would look new: the first devicechange would announce the whole machine.
    const s = setup();
    s.machine.now = lists(
      device('audioinput', 'mic-1'),
      device('audiooutput', 'spk-1'),
      device('videoinput', 'cam-1'),
    );
    s.machine.change();
    await expect.poll(() => s.state().lists.speakers.length).toBe(1);
    s.machine.now = lists(...s.machine.now.microphones, device('audioinput', 'usb', 'USB Headset'));
    s.machine.change();
    await expect.poll(() => s.state().lists.microphones.length).toBe(2);
    expect(s.noticeTexts()).toEqual(['New device available: USB Headset. Choose it in Settings.']);
  });
});

describe('parsePreferences', () => {
  it('recovers defaults from missing, corrupt or invalid saved preferences', () => {
    expect(parsePreferences(undefined)).toEqual(defaultPreferences());
    expect(parsePreferences('not an object')).toEqual(defaultPreferences());
    expect(parsePreferences({ ringVolume: 7 })).toEqual(defaultPreferences());
    expect(parsePreferences({ microphoneId: 'm1', ringVolume: 0.3 })).toMatchObject({
      microphoneId: 'm1',
      ringVolume: 0.3,
    });
  });
});
