/**
 * A USB headset's call buttons and lights, through WebHID: the telephony headsets this page may use, the
 * one the person chose in Settings (device preferences, `headset`) opened, its Hook Switch answering a
 * ringing call and hanging up, its Phone Mute muting, and its Ring, Off-Hook and Mute lights following the
 * call. Reports are read and written by headset/telephony.ts; this domain owns which headset is in use and
 * connects it to the call.
 * Where the browser has no WebHID (Firefox, Safari) nothing happens and Settings says so.
 */
import type { CallView } from '../call/view.js';
import { storeHook } from '../app/context.js';
import type { Calls } from './call.js';
import type { Devices } from './devices.js';
import { createStore, type ReadableStore } from '../util/store.js';
import {
  TELEPHONY_PAGE,
  TelephonyInput,
  isTelephonyDevice,
  ledReports,
  telephonyLayout,
  type ButtonPress,
  type HidCollectionInfo,
  type LedState,
} from '../headset/telephony.js';

/** The parts of WebHID's `HIDDevice` used here, narrow so that tests can stand in for it. */
export interface HeadsetDevice {
  readonly productName: string;
  readonly vendorId: number;
  readonly productId: number;
  readonly collections: HidCollectionInfo[];
  readonly opened: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  sendReport(reportId: number, data: Uint8Array<ArrayBuffer>): Promise<void>;
  addEventListener(
    type: 'inputreport',
    listener: (event: { reportId: number; data: DataView }) => void,
  ): void;
  removeEventListener(
    type: 'inputreport',
    listener: (event: { reportId: number; data: DataView }) => void,
  ): void;
}

/** The parts of `navigator.hid` used here. */
export interface HeadsetAccess {
  getDevices(): Promise<HeadsetDevice[]>;
  requestDevice(options: { filters: { usagePage: number }[] }): Promise<HeadsetDevice[]>;
  addEventListener(type: 'connect' | 'disconnect', listener: () => void): void;
}

export interface HeadsetState {
  /** False where the browser has no WebHID. */
  supported: boolean;
  /** The telephony headsets plugged in that this page may use. */
  available: { key: string; name: string }[];
  /** The key of the headset in use (opened), or null. */
  inUse: string | null;
}

/**
 * A headset as a preference: WebHID gives no id that lasts across plug-ins, so vendor, product and name
 * (two identical headsets are the same choice; the first found is used).
 */
export function headsetKey(device: Pick<HeadsetDevice, 'vendorId' | 'productId' | 'productName'>): string {
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  return `${hex(device.vendorId)}:${hex(device.productId)}:${device.productName}`;
}

/** The lights for a call: ringing here lights Ring, a call placed or up Off-Hook, and Mute follows the microphone. */
export function ledsFor(call: CallView | null): LedState {
  if (!call) return { offHook: false, ring: false, mute: false };
  if (call.phase === 'incoming') return { offHook: false, ring: true, mute: false };
  return { offHook: true, ring: false, mute: call.muted };
}

interface Open {
  device: HeadsetDevice;
  key: string;
  layout: ReturnType<typeof telephonyLayout>;
  onReport: (event: { reportId: number; data: DataView }) => void;
  shown: string | null;
}

export class Headset {
  private readonly store = createStore<HeadsetState>()(() => ({
    supported: false,
    available: [],
    inUse: null,
  }));
  readonly state: ReadableStore<HeadsetState> = this.store;
  private open: Open | null = null;
  /** Opening and closing devices one after another, never two at once. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly hid: HeadsetAccess | null,
    private readonly calls: Pick<Calls, 'state' | 'accept' | 'hangup' | 'toggleMute'>,
    private readonly devices: Pick<Devices, 'state' | 'setPreferences'>,
  ) {
    if (!hid) return;
    this.store.setState({ supported: true });
    hid.addEventListener('connect', () => this.update());
    hid.addEventListener('disconnect', () => this.update());
    devices.state.subscribe((now, before) => {
      if (now.prefs.headset !== before.prefs.headset) this.update();
    });
    calls.state.subscribe(() => this.showLeds());
    this.update();
  }

  /** Asks the browser for a telephony headset (its chooser; in the desktop app main picks one) and uses it. */
  async add(): Promise<void> {
    if (!this.hid) return;
    const [device] = await this.hid.requestDevice({ filters: [{ usagePage: TELEPHONY_PAGE }] });
    if (device) this.devices.setPreferences({ headset: headsetKey(device) });
    this.update();
    await this.queue;
  }

  /** Settles once the devices are listed and the chosen one opened (for tests). */
  settled(): Promise<void> {
    return this.queue;
  }

  private update(): void {
    this.queue = this.queue
      .then(() => this.select())
      .catch((error: unknown) => {
        console.warn('headset:', error);
      });
  }

  private async select(): Promise<void> {
    const devices = (await this.hid!.getDevices()).filter((d) => isTelephonyDevice(d.collections));
    const available = new Map<string, HeadsetDevice>();
    for (const device of devices)
      if (!available.has(headsetKey(device))) available.set(headsetKey(device), device);
    this.store.setState({ available: [...available].map(([key, d]) => ({ key, name: d.productName })) });
    const chosen = this.devices.state.getState().prefs.headset;
    const wanted = chosen === undefined ? undefined : available.get(chosen);
    if (this.open && this.open.device === wanted) return;
    await this.close();
    if (wanted) await this.use(wanted);
  }

  private async use(device: HeadsetDevice): Promise<void> {
    if (!device.opened) await device.open();
    const layout = telephonyLayout(device.collections);
    const input = new TelephonyInput(layout);
    const onReport = ({ reportId, data }: { reportId: number; data: DataView }) => {
      for (const press of input.read(reportId, data)) this.press(press);
    };
    device.addEventListener('inputreport', onReport);
    this.open = { device, key: headsetKey(device), layout, onReport, shown: null };
    this.store.setState({ inUse: this.open.key });
    this.showLeds();
  }

  private async close(): Promise<void> {
    const open = this.open;
    if (!open) return;
    this.open = null;
    this.store.setState({ inUse: null });
    open.device.removeEventListener('inputreport', open.onReport);
    // Lights off before letting go: a headset left showing Ring or Off-Hook would mislead.
    await this.send(open, { offHook: false, ring: false, mute: false });
    await open.device.close().catch(() => {});
  }

  private showLeds(): void {
    const open = this.open;
    if (open) void this.send(open, ledsFor(this.calls.state.getState().call));
  }

  private async send(open: Open, leds: LedState): Promise<void> {
    const shown = JSON.stringify(leds);
    if (open.shown === shown) return;
    open.shown = shown;
    for (const { reportId, data } of ledReports(open.layout, leds)) {
      // An unplugged headset refuses the report: the disconnect event closes it.
      await open.device.sendReport(reportId, data).catch(() => {});
    }
  }

  private press(press: ButtonPress): void {
    const { call } = this.calls.state.getState();
    if (!call) return;
    const ringing = call.phase === 'incoming';
    // A headset answers with voice: video is a choice made on the screen.
    if (ringing && (press === 'hook-off' || press === 'hook-toggle')) void this.calls.accept('audio');
    else if (!ringing && (press === 'hook-on' || press === 'hook-toggle')) void this.calls.hangup();
    else if (!ringing && press === 'mute-toggle') this.calls.toggleMute();
  }
}

export const useHeadset = storeHook((app) => app.headset.state);
