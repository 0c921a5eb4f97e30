/**
 * Hot-plug for Chromium's fake devices, which cannot be unplugged: an init script wraps
 * `navigator.mediaDevices` so a test can hide a device or show a new one and fire `devicechange`, as
 * the OS does when a headset comes or goes. Unplugging also ends the live tracks of that device (their
 * `ended` event fires), so the microphone really goes silent unless Parley moves to another one.
 *
 * It can also make another microphone the system default, as the OS does when the person picks one in
 * its sound settings: like Chromium, the `default` entry then carries that device's name ("Default -
 * Fake Audio Input 2") and group, a microphone opened without a device id (or with `default`) is that
 * one, and tracks already open stay on the device they opened.
 *
 * Real devices stay real: getUserMedia still opens Chromium's fake devices; a device only shown by
 * `plug` is listed but cannot be opened (getUserMedia fails with NotFoundError, as for a device that
 * went away between listing and opening).
 */
import type { BrowserContext, Page } from '@playwright/test';

export interface ShownDevice {
  kind: MediaDeviceKind;
  label: string;
  deviceId: string;
}

declare global {
  interface Window {
    parleyHotPlug?: {
      unplug(label: string): void;
      plug(device: ShownDevice): void;
      makeDefaultMicrophone(label: string): void;
    };
  }
}

/** Installs the wrapper in every page of `context`; use as `people.add(name, { prepare: withHotPlug })`. */
export async function withHotPlug(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const devices = navigator.mediaDevices;
    const hidden = new Set<string>();
    const shown: ShownDevice[] = [];
    const opened: MediaStreamTrack[] = [];
    /** The label of the microphone made the system default, if the test made one. */
    let defaultMicrophone: string | undefined;
    const listReal = devices.enumerateDevices.bind(devices);
    const openReal = devices.getUserMedia.bind(devices);
    const plain = (d: ShownDevice & { groupId: string }) => ({ ...d, toJSON: () => d });

    devices.enumerateDevices = async () => {
      const real = (await listReal()).filter((d) => !hidden.has(d.label));
      const chosen = real.find((d) => d.kind === 'audioinput' && d.label === defaultMicrophone);
      const listed = real.map((d) =>
        chosen && d.kind === 'audioinput' && d.deviceId === 'default'
          ? plain({ ...chosen.toJSON(), deviceId: 'default', label: `Default - ${chosen.label}` })
          : d,
      );
      const extra = shown.map((d) => plain({ ...d, groupId: `group-${d.deviceId}` }));
      return [...listed, ...extra] as unknown as MediaDeviceInfo[];
    };
    /** `wanted` of a microphone asked for without a device, or as `default`. */
    const asksDefault = ['', '""', '"default"', '{"exact":"default"}'];
    devices.getUserMedia = async (constraints) => {
      const wanted = (c: boolean | MediaTrackConstraints | undefined) =>
        typeof c === 'object' ? JSON.stringify(c.deviceId ?? '') : '';
      for (const d of shown) {
        if ([constraints?.audio, constraints?.video].some((c) => wanted(c).includes(d.deviceId)))
          throw new DOMException('Requested device not found', 'NotFoundError');
      }
      const audio = constraints?.audio;
      if (audio && defaultMicrophone !== undefined && asksDefault.includes(wanted(audio))) {
        // The system default: open the device it is now by its own id.
        const real = (await listReal()).find((d) => d.kind === 'audioinput' && d.label === defaultMicrophone);
        if (!real) throw new DOMException('Requested device not found', 'NotFoundError');
        const asked = typeof audio === 'object' ? audio : {};
        constraints = { ...constraints, audio: { ...asked, deviceId: { exact: real.deviceId } } };
      }
      const stream = await openReal(constraints);
      opened.push(...stream.getTracks());
      return stream;
    };
    const changed = () => devices.dispatchEvent(new Event('devicechange'));
    window.parleyHotPlug = {
      unplug(label) {
        hidden.add(label);
        for (const track of opened.filter((t) => t.label === label && t.readyState === 'live')) {
          track.stop();
          track.dispatchEvent(new Event('ended'));
        }
        changed();
      },
      plug(device) {
        shown.push(device);
        changed();
      },
      makeDefaultMicrophone(label) {
        defaultMicrophone = label;
        changed();
      },
    };
  });
}

/** Unplugs the device with this label in the page. */
export async function unplug(page: Page, label: string): Promise<void> {
  await page.evaluate((l) => window.parleyHotPlug!.unplug(l), label);
}

/** Plugs in a device that is listed from now on (but cannot be opened). */
export async function plug(page: Page, device: ShownDevice): Promise<void> {
  await page.evaluate((d) => window.parleyHotPlug!.plug(d), device);
}

/** Makes the microphone with this label the system default, as the OS sound settings do. */
export async function makeDefaultMicrophone(page: Page, label: string): Promise<void> {
  await page.evaluate((l) => window.parleyHotPlug!.makeDefaultMicrophone(l), label);
}
