// A headset's call buttons and lights found in its report descriptor, its input reports read as presses,
// and the lights written into output reports, for collections shaped like real telephony headsets'.
import { describe, expect, it } from 'vitest';
import {
  HOOK_SWITCH,
  MUTE_LED,
  OFF_HOOK_LED,
  PHONE_MUTE,
  RING_LED,
  TelephonyInput,
  isTelephonyDevice,
  ledReports,
  telephonyLayout,
  type HidCollectionInfo,
} from './telephony.js';

const bit = (u: number, extra: object = {}) => ({ usages: [u], reportSize: 1, reportCount: 1, ...extra });
const padding = (bits: number) => ({ usages: [], reportSize: bits, reportCount: 1 });

/**
 * Like a Jabra headset's interface: a consumer-control collection first (volume keys, report 1), then the
 * Telephony Headset collection: input report 2 with Hook Switch (absolute), a Flash bit, Phone Mute
 * (relative) and padding; output report 2 with the Mute, Off-Hook and Ring lights, a Hold light and padding.
 */
const jabraLike: HidCollectionInfo[] = [
  {
    usagePage: 0x0c,
    usage: 0x01,
    inputReports: [{ reportId: 1, items: [bit(0xc00e9), bit(0xc00ea), padding(6)] }],
  },
  {
    usagePage: 0x0b,
    usage: 0x05,
    inputReports: [
      {
        reportId: 2,
        items: [
          bit(HOOK_SWITCH, { isAbsolute: true }),
          bit(0xb0021, { isAbsolute: false }),
          bit(PHONE_MUTE, { isAbsolute: false }),
          padding(5),
        ],
      },
    ],
    outputReports: [
      {
        reportId: 2,
        items: [bit(MUTE_LED), bit(OFF_HOOK_LED), bit(RING_LED), bit(0x80020), padding(4)],
      },
    ],
  },
];

/**
 * Like a Poly/Logitech headset's: no report ids (0), the Telephony collection nested in a vendor one, the
 * buttons in one item with a list of usages (Phone Mute before Hook Switch, both absolute, a 16-bit
 * usage taking the collection's page), the lights in a second output byte after a vendor byte, as a range.
 */
const polyLike: HidCollectionInfo[] = [
  {
    usagePage: 0x0b,
    usage: 0x05,
    children: [
      {
        usagePage: 0x0b,
        usage: 0x05,
        inputReports: [
          {
            items: [
              { usages: [PHONE_MUTE, 0x20], reportSize: 1, reportCount: 2, isAbsolute: true },
              padding(6),
            ],
          },
        ],
        outputReports: [
          {
            items: [
              { usages: [0xffa00001], reportSize: 8, reportCount: 1 },
              { isRange: true, usageMinimum: 0x80017, usageMaximum: 0x80018, reportSize: 1, reportCount: 2 },
              bit(MUTE_LED),
              padding(5),
            ],
          },
        ],
      },
    ],
  },
];

const report = (...bytes: number[]) => new DataView(new Uint8Array(bytes).buffer);
const hex = (reports: { reportId: number; data: Uint8Array }[]) =>
  reports.map(
    ({ reportId, data }) => `${reportId}:${[...data].map((b) => b.toString(2).padStart(8, '0')).join(' ')}`,
  );

describe('finding the call buttons and lights', () => {
  it('tells a telephony headset from a device without the Telephony page', () => {
    expect(isTelephonyDevice(jabraLike)).toBe(true);
    expect(isTelephonyDevice([{ usagePage: 0x0c, usage: 1 }])).toBe(false);
    expect(isTelephonyDevice(undefined)).toBe(false);
  });

  it('finds report ids and bit positions in a Jabra-like descriptor', () => {
    const layout = telephonyLayout(jabraLike);
    expect(layout.hookSwitch).toEqual({ reportId: 2, bitOffset: 0, bitSize: 1, absolute: true });
    expect(layout.phoneMute).toEqual({ reportId: 2, bitOffset: 2, bitSize: 1, absolute: false });
    expect(layout.leds).toEqual({
      mute: { reportId: 2, bitOffset: 0, bitSize: 1 },
      offHook: { reportId: 2, bitOffset: 1, bitSize: 1 },
      ring: { reportId: 2, bitOffset: 2, bitSize: 1 },
    });
    expect([...layout.outputReports]).toEqual([[2, 1]]);
  });

  it('finds them through nested collections, usage lists and ranges in a Poly-like descriptor', () => {
    const layout = telephonyLayout(polyLike);
    expect(layout.phoneMute).toEqual({ reportId: 0, bitOffset: 0, bitSize: 1, absolute: true });
    expect(layout.hookSwitch).toEqual({ reportId: 0, bitOffset: 1, bitSize: 1, absolute: true });
    expect(layout.leds).toEqual({
      offHook: { reportId: 0, bitOffset: 8, bitSize: 1 },
      ring: { reportId: 0, bitOffset: 9, bitSize: 1 },
      mute: { reportId: 0, bitOffset: 10, bitSize: 1 },
    });
    expect([...layout.outputReports]).toEqual([[0, 2]]);
  });

  it('finds nothing outside a Telephony collection, and no lights where there are none', () => {
    const layout = telephonyLayout([{ usagePage: 0x0c, inputReports: jabraLike[1]!.inputReports! }]);
    expect(layout.hookSwitch).toBeNull();
    const noLights = telephonyLayout([{ ...jabraLike[1]!, outputReports: [] }]);
    expect(noLights.leds).toEqual({ offHook: null, ring: null, mute: null });
    expect(ledReports(noLights, { offHook: true, ring: true, mute: true })).toEqual([]);
  });
});

describe('reading button presses', () => {
  it('reads an absolute hook switch as off-hook and on-hook, and a relative mute as one press each', () => {
    const input = new TelephonyInput(telephonyLayout(jabraLike));
    expect(input.read(1, report(0b1))).toEqual([]); // a volume key, another report
    expect(input.read(2, report(0b001))).toEqual(['hook-off']);
    expect(input.read(2, report(0b101))).toEqual(['mute-toggle']);
    expect(input.read(2, report(0b001))).toEqual([]); // mute released
    expect(input.read(2, report(0b011))).toEqual([]); // flash: not ours, and the hook has not moved
    expect(input.read(2, report(0b100))).toEqual(['hook-on', 'mute-toggle']);
    expect(input.read(2, report())).toEqual([]); // too short: ignored
  });

  it('reads a relative hook switch as a toggle per press, and an absolute mute per press too', () => {
    const layout = telephonyLayout(polyLike);
    layout.hookSwitch = { ...layout.hookSwitch!, absolute: false };
    const input = new TelephonyInput(layout);
    expect(input.read(0, report(0b10))).toEqual(['hook-toggle']);
    expect(input.read(0, report(0b00))).toEqual([]);
    expect(input.read(0, report(0b10))).toEqual(['hook-toggle']);
    expect(input.read(0, report(0b11))).toEqual(['mute-toggle']);
    expect(input.read(0, report(0b10))).toEqual([]);
  });
});

describe('writing the lights', () => {
  it('sets the Ring, Off-Hook and Mute bits where the descriptor puts them, the rest zero', () => {
    const jabra = telephonyLayout(jabraLike);
    expect(hex(ledReports(jabra, { offHook: false, ring: true, mute: false }))).toEqual(['2:00000100']);
    expect(hex(ledReports(jabra, { offHook: true, ring: false, mute: true }))).toEqual(['2:00000011']);
    expect(hex(ledReports(jabra, { offHook: false, ring: false, mute: false }))).toEqual(['2:00000000']);
    const poly = telephonyLayout(polyLike);
    expect(hex(ledReports(poly, { offHook: true, ring: false, mute: true }))).toEqual([
      '0:00000000 00000101',
    ]);
  });

  it('writes lights that live in separate reports into each of them', () => {
    const split: HidCollectionInfo[] = [
      {
        usagePage: 0x0b,
        outputReports: [
          { reportId: 3, items: [bit(RING_LED), padding(7)] },
          { reportId: 4, items: [padding(8), bit(OFF_HOOK_LED), bit(MUTE_LED), padding(6)] },
        ],
      },
    ];
    expect(hex(ledReports(telephonyLayout(split), { offHook: true, ring: true, mute: false }))).toEqual([
      '3:00000001',
      '4:00000000 00000001',
    ]);
  });
});
