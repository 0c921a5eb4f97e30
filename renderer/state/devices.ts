/**
 * Media devices and the person's choices: the store Settings and the call controls read, and the only code
 * that changes it. Choices persist through the platform; a device plugged in or out mid-call is dealt with
 * here (fall back to the default, follow a changed system default, mention a new one).
 */
import { storeHook } from '../app/context.js';
import { DevicePreferences } from '../../shared/app-shell.js';
import type { CallEngine } from '../call/engine.js';
import type { MediaDeviceLists } from '../call/media.js';
import type { SignalingClient } from '../net/signaling-client.js';
import type { Platform } from '../platform/platform.js';
import { createStore, type ReadableStore } from '../util/store.js';
import type { Notices } from './notices.js';

export { DevicePreferences };

export interface DevicesState {
  lists: MediaDeviceLists;
  prefs: DevicePreferences;
}

/** The machine's microphones, cameras and speakers (call/media.ts `browserDevices` in a browser). */
export interface DeviceAccess {
  list(): Promise<MediaDeviceLists>;
  /** Calls `handler` when a device is plugged in or out. */
  onChange(handler: () => void): void;
}

export interface DevicesDeps {
  platform: Pick<Platform, 'loadDevicePreferences' | 'saveDevicePreferences'>;
  signaling: Pick<SignalingClient, 'on'>;
  access: DeviceAccess;
  engine: Pick<CallEngine, 'current' | 'deviceInUse' | 'switchDevice'>;
  notices: Pick<Notices, 'add'>;
}

export const defaultPreferences = (): DevicePreferences => DevicePreferences.parse({});

/** Validates saved preferences; anything unreadable becomes the defaults. */
export function parsePreferences(saved: unknown): DevicePreferences {
  const parsed = DevicePreferences.safeParse(saved ?? {});
  return parsed.success ? parsed.data : defaultPreferences();
}

const kindWords = { audio: 'microphone', video: 'camera' } as const;

/**
 * Which microphone the system default is, or undefined when the list cannot say (no names yet). Chromium
 * lists a `default` entry whose name and group follow the OS default ("Default - USB Headset"); other
 * browsers list the default first.
 */
function systemDefault(microphones: MediaDeviceInfo[]): string | undefined {
  if (!microphones.some((device) => device.label)) return undefined;
  const entry = microphones.find((device) => device.deviceId === 'default');
  return entry ? `${entry.groupId}\n${entry.label}` : microphones[0]?.deviceId;
}

export class Devices {
  private readonly store = createStore<DevicesState>()(() => ({
    lists: { microphones: [], cameras: [], speakers: [] },
    prefs: defaultPreferences(),
  }));
  readonly state: ReadableStore<DevicesState> = this.store;

  constructor(private readonly d: DevicesDeps) {
    void d.platform
      .loadDevicePreferences()
      .then((saved) => this.store.setState({ prefs: parsePreferences(saved) }));
    d.signaling.on('session.ready', () => void this.refresh());
    d.access.onChange(() => void this.onDeviceChange());
  }

  /** Reads the device lists again (their labels appear once the person allowed a microphone or camera). */
  async refresh(): Promise<void> {
    try {
      this.store.setState({ lists: await this.d.access.list() });
    } catch {
      /* enumerateDevices is unavailable without a secure context: the lists stay empty */
    }
  }

  /** Keeps a choice; a new microphone or camera is switched to at once in a call. */
  setPreferences(patch: Partial<DevicePreferences>): void {
    const prefs = { ...this.store.getState().prefs, ...patch };
    this.store.setState({ prefs });
    this.d.platform.saveDevicePreferences(prefs);
    const { engine } = this.d;
    if (patch.microphoneId !== undefined && engine.current)
      void engine.switchDevice('audio', patch.microphoneId);
    if (patch.cameraId !== undefined && engine.current?.cameraOn)
      void engine.switchDevice('video', patch.cameraId);
  }

  /**
   * A device was plugged in or out: fall back if ours vanished, follow the system default microphone when
   * it changed and the person chose "System default", mention a device that appeared.
   */
  private async onDeviceChange(): Promise<void> {
    const before = this.store.getState().lists;
    await this.refresh();
    const after = this.store.getState().lists;
    for (const kind of ['audio', 'video'] as const) {
      const inUse = this.d.engine.deviceInUse(kind);
      const list = kind === 'audio' ? after.microphones : after.cameras;
      if (inUse && !list.some((device) => device.deviceId === inUse)) {
        this.d.notices.add(`Your ${kindWords[kind]} was disconnected; Parley switched to the default one.`);
        void this.d.engine.switchDevice(kind, undefined);
      } else if (inUse && kind === 'audio' && this.followsSystemDefault(before, after)) {
        // The open track stays on the device that was the default when it opened: open the new one.
        this.d.notices.add("Your system's default microphone changed; Parley switched to it.");
        void this.d.engine.switchDevice('audio', undefined);
      }
    }
    const known = [...before.microphones, ...before.cameras, ...before.speakers];
    // Only against a listing with names: before the first one (or before permission, when the browser
    // hides ids and names) every device would look new, and the first change would announce them all.
    if (!known.some((device) => device.label)) return;
    const added = [...after.microphones, ...after.cameras, ...after.speakers].filter(
      (device) => device.label && !known.some((b) => b.deviceId === device.deviceId),
    );
    for (const device of added)
      this.d.notices.add(`New device available: ${device.label}. Choose it in Settings.`);
  }

  /** Whether the person chose "System default" for the microphone and the system's default changed. */
  private followsSystemDefault(before: MediaDeviceLists, after: MediaDeviceLists): boolean {
    if (this.store.getState().prefs.microphoneId) return false;
    const [was, is] = [systemDefault(before.microphones), systemDefault(after.microphones)];
    return was !== undefined && is !== undefined && was !== is;
  }
}

export const useDevices = storeHook((app) => app.devices.state);
