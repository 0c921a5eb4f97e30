/**
 * A USB headset's call buttons and lights, read from its HID report descriptor as WebHID exposes it
 * (`HIDDevice.collections`): where in which input report the Telephony page's Hook Switch and Phone Mute
 * are, where in which output report the LED page's Off-Hook, Ring and Mute lights are; input reports turned
 * into button presses, and the lights' state turned into output reports. Pure: no `navigator.hid`, so it is
 * tested with the collections and reports of made-up headsets.
 */

export const TELEPHONY_PAGE = 0x0b;
const LED_PAGE = 0x08;
/** Usages as Chromium reports them in report items: the page in the upper 16 bits, the id in the lower. */
const usage = (page: number, id: number) => page * 0x10000 + id;
export const HOOK_SWITCH = usage(TELEPHONY_PAGE, 0x20);
export const PHONE_MUTE = usage(TELEPHONY_PAGE, 0x2f);
export const OFF_HOOK_LED = usage(LED_PAGE, 0x17);
export const RING_LED = usage(LED_PAGE, 0x18);
export const MUTE_LED = usage(LED_PAGE, 0x09);

/** The parts of WebHID's `HIDReportItem` read here. */
export interface HidReportItem {
  isAbsolute?: boolean;
  isArray?: boolean;
  isRange?: boolean;
  usages?: number[];
  usageMinimum?: number;
  usageMaximum?: number;
  reportSize?: number;
  reportCount?: number;
  logicalMinimum?: number;
}

export interface HidReportInfo {
  reportId?: number;
  items?: HidReportItem[];
}

export interface HidCollectionInfo {
  usagePage?: number;
  usage?: number;
  children?: HidCollectionInfo[];
  inputReports?: HidReportInfo[];
  outputReports?: HidReportInfo[];
}

/** Where one value sits in a report: bits counted from the first byte after the report id. */
export interface Field {
  reportId: number;
  bitOffset: number;
  bitSize: number;
}

/** A button: where it is, and whether it reports a state (absolute) or a press (relative). */
export interface ButtonField extends Field {
  absolute: boolean;
}

export interface TelephonyLayout {
  hookSwitch: ButtonField | null;
  phoneMute: ButtonField | null;
  /** Output report ids with their length in bytes (what `sendReport` needs whole). */
  outputReports: Map<number, number>;
  leds: { offHook: Field | null; ring: Field | null; mute: Field | null };
}

export interface LedState {
  offHook: boolean;
  ring: boolean;
  mute: boolean;
}

export type ButtonPress = 'hook-off' | 'hook-on' | 'hook-toggle' | 'mute-toggle';

/** True when the device has a top-level collection on the Telephony page: a headset with call buttons. */
export function isTelephonyDevice(collections: readonly HidCollectionInfo[] | undefined): boolean {
  return (collections ?? []).some((collection) => collection.usagePage === TELEPHONY_PAGE);
}

/**
 * Where each variable field of a report's items sits, with its usage. An item of a range hands its usages
 * out from `usageMinimum`; a list hands them out in order, its last one repeated (as the HID spec says).
 * A usage without a page (16 bits) takes the collection's page. Array items (a field holds the index of the
 * pressed usage) are kept apart: their fields have no fixed usage.
 */
function fieldsOf(report: HidReportInfo, page: number): { usage: number; field: ButtonField }[] {
  const reportId = report.reportId ?? 0;
  const out: { usage: number; field: ButtonField }[] = [];
  let bitOffset = 0;
  for (const item of report.items ?? []) {
    const size = item.reportSize ?? 0;
    const count = item.reportCount ?? 0;
    if (!item.isArray) {
      for (let i = 0; i < count; i++) {
        const raw = usageAt(item, i);
        if (raw !== undefined) {
          const full = raw > 0xffff ? raw : usage(page, raw);
          const field = {
            reportId,
            bitOffset: bitOffset + i * size,
            bitSize: size,
            absolute: item.isAbsolute ?? true,
          };
          out.push({ usage: full, field });
        }
      }
    }
    bitOffset += size * count;
  }
  return out;
}

function usageAt(item: HidReportItem, index: number): number | undefined {
  if (item.isRange) {
    const { usageMinimum: min, usageMaximum: max } = item;
    if (min === undefined || max === undefined || min + index > max) return undefined;
    return min + index;
  }
  const usages = item.usages ?? [];
  return usages[Math.min(index, usages.length - 1)];
}

function reportBytes(report: HidReportInfo): number {
  const bits = (report.items ?? []).reduce((sum, i) => sum + (i.reportSize ?? 0) * (i.reportCount ?? 0), 0);
  return Math.ceil(bits / 8);
}

/** Finds the call buttons and lights in the Telephony collections of a device (first found wins). */
export function telephonyLayout(collections: readonly HidCollectionInfo[] | undefined): TelephonyLayout {
  const layout: TelephonyLayout = {
    hookSwitch: null,
    phoneMute: null,
    outputReports: new Map(),
    leds: { offHook: null, ring: null, mute: null },
  };
  const visit = (collection: HidCollectionInfo, page: number) => {
    const own = collection.usagePage ?? page;
    for (const report of collection.inputReports ?? []) {
      for (const { usage: u, field } of fieldsOf(report, own)) {
        if (u === HOOK_SWITCH) layout.hookSwitch ??= field;
        if (u === PHONE_MUTE) layout.phoneMute ??= field;
      }
    }
    for (const report of collection.outputReports ?? []) {
      for (const { usage: u, field } of fieldsOf(report, own)) {
        const { bitOffset, bitSize, reportId } = field;
        const led = { reportId, bitOffset, bitSize };
        if (u === OFF_HOOK_LED) layout.leds.offHook ??= led;
        else if (u === RING_LED) layout.leds.ring ??= led;
        else if (u === MUTE_LED) layout.leds.mute ??= led;
        else continue;
        layout.outputReports.set(
          reportId,
          Math.max(layout.outputReports.get(reportId) ?? 0, reportBytes(report)),
        );
      }
    }
    for (const child of collection.children ?? []) visit(child, own);
  };
  for (const collection of collections ?? []) {
    if (collection.usagePage === TELEPHONY_PAGE) visit(collection, TELEPHONY_PAGE);
  }
  return layout;
}

function readBits(data: DataView, { bitOffset, bitSize }: Field): number | null {
  let value = 0;
  for (let i = 0; i < bitSize; i++) {
    const bit = bitOffset + i;
    const byte = bit >> 3;
    if (byte >= data.byteLength) return null;
    if ((data.getUint8(byte) >> (bit & 7)) & 1) value += 2 ** i;
  }
  return value;
}

function writeBits(bytes: Uint8Array, { bitOffset, bitSize }: Field, value: number): void {
  for (let i = 0; i < bitSize; i++) {
    const bit = bitOffset + i;
    const mask = 1 << (bit & 7);
    if (Math.floor(value / 2 ** i) % 2) bytes[bit >> 3]! |= mask;
    else bytes[bit >> 3]! &= ~mask;
  }
}

/**
 * Turns a device's input reports into button presses. It remembers the buttons' last values, because a
 * headset sends its whole report whenever anything in it changes (a volume key too):
 * - Hook Switch, absolute (most headsets): the headset's hook state; going off-hook and on-hook are what
 *   count. Relative: each press (a 0 to non-zero change) toggles.
 * - Phone Mute: each press toggles, whether it is reported absolute or relative; its release is no press.
 */
export class TelephonyInput {
  private last = new Map<ButtonField, number>();

  constructor(private readonly layout: TelephonyLayout) {}

  read(reportId: number, data: DataView): ButtonPress[] {
    const presses: ButtonPress[] = [];
    const { hookSwitch, phoneMute } = this.layout;
    const hook = this.change(hookSwitch, reportId, data);
    if (hook && hookSwitch) {
      if (hookSwitch.absolute) presses.push(hook.now ? 'hook-off' : 'hook-on');
      else if (hook.now && !hook.before) presses.push('hook-toggle');
    }
    const mute = this.change(phoneMute, reportId, data);
    if (mute?.now && !mute.before) presses.push('mute-toggle');
    return presses;
  }

  private change(field: ButtonField | null, reportId: number, data: DataView) {
    if (!field || field.reportId !== reportId) return null;
    const now = readBits(data, field);
    const before = this.last.get(field) ?? 0;
    if (now === null || now === before) return null;
    this.last.set(field, now);
    return { now, before };
  }
}

/** The output reports that show `leds` on the headset: one per report id holding any of its lights. */
export function ledReports(
  layout: TelephonyLayout,
  leds: LedState,
): { reportId: number; data: Uint8Array<ArrayBuffer> }[] {
  const reports = new Map<number, Uint8Array<ArrayBuffer>>();
  for (const [reportId, length] of layout.outputReports) reports.set(reportId, new Uint8Array(length));
  for (const name of ['offHook', 'ring', 'mute'] as const) {
    const field = layout.leds[name];
    const bytes = field && reports.get(field.reportId);
    if (field && bytes) writeBits(bytes, field, leds[name] ? 1 : 0);
  }
  return [...reports].map(([reportId, data]) => ({ reportId, data }));
}
