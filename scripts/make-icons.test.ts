/**
 * The generated icons, checked as decoded from the PNG files make-icons writes: the PNG signature and
 * header, the designed sizes, real coverage (neither empty nor a filled square), tray icons that stay
 * visible on light and dark panels, macOS template images that are black with alpha, and tray states
 * that can be told apart (in colour and as templates, where only the shapes are left).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { convertIcon } from 'app-builder-lib/out/util/iconConverter.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PATHS,
  ICNS_ENTRIES,
  ICO_SIZES,
  type IconFile,
  type IconPaths,
  LINUX_SIZES,
  makeIcons,
  MASTER_SIZE,
  renderPng,
  toTemplateSvg,
  TRAY_SIZES,
  TRAY_STATES,
} from './make-icons.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Image {
  width: number;
  height: number;
  /** Straight (not premultiplied) RGBA, 8 bits per channel. */
  rgba: Uint8Array;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes a non-interlaced 8-bit RGBA PNG (what resvg writes), asserting the header on the way. */
function decodePng(bytes: Buffer): Image {
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  for (;;) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    offset += 12 + length;
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([...data.subarray(8, 13)]).toEqual([8, 6, 0, 0, 0]); // 8-bit, RGBA, deflate, filter 0, no interlace
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  expect(raw.length).toBe(height * (stride + 1));
  const rgba = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const byte = raw[y * (stride + 1) + 1 + x] ?? 0;
      const a = x >= 4 ? (rgba[y * stride + x - 4] ?? 0) : 0;
      const b = y > 0 ? (rgba[(y - 1) * stride + x] ?? 0) : 0;
      const c = x >= 4 && y > 0 ? (rgba[(y - 1) * stride + x - 4] ?? 0) : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter ?? -1];
      if (predictor === undefined) throw new Error(`bad PNG filter type ${filter}`);
      rgba[y * stride + x] = (byte + predictor) & 0xff;
    }
  }
  return { width, height, rgba };
}

const pixels = (image: Image): number => image.width * image.height;
const alphaAt = (image: Image, i: number): number => image.rgba[i * 4 + 3] ?? 0;

/** Share of pixels that are not fully transparent. */
function coverage(image: Image): number {
  let covered = 0;
  for (let i = 0; i < pixels(image); i++) if (alphaAt(image, i) > 0) covered++;
  return covered / pixels(image);
}

/** Number of pixels whose colour or alpha differs noticeably between two images of one size. */
function differingPixels(a: Image, b: Image): number {
  let count = 0;
  for (let i = 0; i < pixels(a); i++) {
    for (let channel = 0; channel < 4; channel++) {
      const j = i * 4 + channel;
      if (Math.abs((a.rgba[j] ?? 0) - (b.rgba[j] ?? 0)) > 48) {
        count++;
        break;
      }
    }
  }
  return count;
}

/** WCAG relative luminance of an sRGB colour (0..255 channels). */
function luminance(r: number, g: number, b: number): number {
  const linear = (v: number): number => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

const contrast = (l1: number, l2: number): number => (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);

/**
 * Median contrast ratio between the icon's solid ink (alpha >= 75%) composited over a panel colour
 * and the panel itself: how well the bulk of the drawing stands out. `from` (0..1) limits the count to
 * the bottom-right square starting there (the status badge).
 */
function inkContrast(image: Image, panel: number, from = 0): number {
  const ratios: number[] = [];
  const panelLuminance = luminance(panel, panel, panel);
  for (let i = 0; i < pixels(image); i++) {
    const x = i % image.width;
    const y = Math.floor(i / image.width);
    if (x < from * image.width || y < from * image.height) continue;
    const alpha = alphaAt(image, i) / 255;
    if (alpha < 0.75) continue;
    const over = (channel: number): number =>
      (image.rgba[i * 4 + channel] ?? 0) * alpha + panel * (1 - alpha);
    ratios.push(contrast(luminance(over(0), over(1), over(2)), panelLuminance));
  }
  ratios.sort((x, y) => x - y);
  return ratios[Math.floor(ratios.length / 2)] ?? 0;
}

/** The entries of an .icns file: type and payload. */
function readIcns(bytes: Buffer): [string, Buffer][] {
  expect(bytes.toString('latin1', 0, 4)).toBe('icns');
  expect(bytes.readUInt32BE(4)).toBe(bytes.length);
  const entries: [string, Buffer][] = [];
  for (let offset = 8; offset < bytes.length;) {
    const length = bytes.readUInt32BE(offset + 4);
    entries.push([bytes.toString('latin1', offset, offset + 4), bytes.subarray(offset + 8, offset + length)]);
    offset += length;
  }
  return entries;
}

/** The entries of an .ico file: the size its directory states and the payload. */
function readIco(bytes: Buffer): { size: number; data: Buffer }[] {
  expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2)]).toEqual([0, 1]);
  const entries: { size: number; data: Buffer }[] = [];
  for (let i = 0; i < bytes.readUInt16LE(4); i++) {
    const entry = 6 + i * 16;
    const width = bytes.readUInt8(entry) || 256;
    expect(bytes.readUInt8(entry + 1) || 256).toBe(width);
    expect(bytes.readUInt16LE(entry + 6)).toBe(32);
    const length = bytes.readUInt32LE(entry + 8);
    const offset = bytes.readUInt32LE(entry + 12);
    entries.push({ size: width, data: bytes.subarray(offset, offset + length) });
  }
  return entries;
}

let out: string;
let paths: IconPaths;
let written: IconFile[];

const load = (path: string): Image => decodePng(readFileSync(path));
const tray = (state: string, suffix: string, template = false): Image =>
  load(join(paths.public, 'tray', `${state}${template ? 'Template' : ''}${suffix}.png`));

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'parley-icons-'));
  paths = { sources: DEFAULT_PATHS.sources, build: join(out, 'build'), public: join(out, 'public') };
  written = makeIcons(paths);
});

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

describe('make-icons', () => {
  it('writes the app icon set electron-builder expects', () => {
    const expected: [string, number][] = [
      [join(paths.build, 'icon.png'), MASTER_SIZE],
      ...LINUX_SIZES.map((size): [string, number] => [
        join(paths.build, 'icons', `${size}x${size}.png`),
        size,
      ]),
      [join(paths.public, 'app-icon.png'), 256],
    ];
    for (const [path, size] of expected) {
      expect(written).toContainEqual({ path, size });
      const image = load(path);
      expect([image.width, image.height]).toEqual([size, size]);
      // The rounded square with its margin: clearly drawn, clearly not a full square.
      expect(coverage(image)).toBeGreaterThan(0.5);
      expect(coverage(image)).toBeLessThan(0.9);
    }
  });

  it('writes a macOS .icns and a Windows .ico of PNGs at every size they declare', () => {
    const icns = readIcns(readFileSync(join(paths.build, 'icon.icns')));
    expect(icns.map(([type]) => type)).toEqual(ICNS_ENTRIES.map(([type]) => type));
    for (const [[type, png], [, size]] of icns.map(
      (entry, i) => [entry, ICNS_ENTRIES[i] ?? ['', 0]] as const,
    )) {
      const image = decodePng(png);
      expect([image.width, image.height], type).toEqual([size, size]);
    }
    const ico = readIco(readFileSync(join(paths.build, 'icon.ico')));
    expect(ico.map((entry) => entry.size)).toEqual([...ICO_SIZES]);
    for (const { size, data } of ico) {
      const image = decodePng(data);
      expect([image.width, image.height]).toEqual([size, size]);
    }
  });

  it('gives electron-builder icons it uses as they are (no conversion tool, which it would download)', async () => {
    const roots = [paths.build];
    const outDir = join(out, 'converted');
    const mac = await convertIcon({
      sources: ['icon.icns'],
      fallbackSources: [],
      roots,
      format: 'icns',
      outDir,
    });
    expect(mac).toEqual({ icons: [{ file: join(paths.build, 'icon.icns'), size: 0 }], isFallback: false });
    const win = await convertIcon({
      sources: ['icon.ico'],
      fallbackSources: [],
      roots,
      format: 'ico',
      outDir,
    });
    expect(win).toEqual({ icons: [{ file: join(paths.build, 'icon.ico'), size: 256 }], isFallback: false });
    const linux = await convertIcon({
      sources: ['icons'],
      fallbackSources: [],
      roots,
      format: 'set',
      outDir,
    });
    expect(linux.icons.map((icon) => icon.size)).toEqual([...LINUX_SIZES]);
  });

  it('writes every tray state at 1x and @2x, in colour and as a template', () => {
    expect(written).toHaveLength(3 + LINUX_SIZES.length + 1 + TRAY_STATES.length * 4);
    for (const state of TRAY_STATES) {
      for (const [suffix, size] of Object.entries(TRAY_SIZES)) {
        for (const template of [false, true]) {
          const image = tray(state, suffix, template);
          expect([image.width, image.height], `${state}${suffix}`).toEqual([size, size]);
          const covered = coverage(image);
          expect(covered, `${state}${suffix} coverage`).toBeGreaterThan(0.15);
          expect(covered, `${state}${suffix} coverage`).toBeLessThan(0.8);
        }
      }
    }
  });

  it('draws tray icons that stand out on light and dark panels', () => {
    for (const state of TRAY_STATES) {
      for (const suffix of Object.keys(TRAY_SIZES)) {
        const image = tray(state, suffix);
        // 3:1 is WCAG's minimum for graphics; offline is deliberately dimmed, but still visible.
        const minimum = state === 'offline' ? 2 : 3;
        for (const panel of [0xff, 0xf0, 0x2b, 0x00]) {
          const where = `${state}${suffix} on #${panel.toString(16)}`;
          expect(inkContrast(image, panel), where).toBeGreaterThan(minimum);
          // The status badge on its own (the ringing icon has none: its waves sit elsewhere).
          if (state !== 'ringing')
            expect(inkContrast(image, panel, 18 / 32), `${where}, badge`).toBeGreaterThan(minimum);
        }
      }
    }
  });

  it('makes template images black with the colour icon’s alpha', () => {
    for (const state of TRAY_STATES) {
      for (const suffix of Object.keys(TRAY_SIZES)) {
        const colour = tray(state, suffix);
        const template = tray(state, suffix, true);
        let maxChannel = 0;
        let alphaError = 0;
        for (let i = 0; i < pixels(template); i++) {
          if (alphaAt(template, i) > 0) {
            for (let c = 0; c < 3; c++) maxChannel = Math.max(maxChannel, template.rgba[i * 4 + c] ?? 0);
          }
          alphaError = Math.max(alphaError, Math.abs(alphaAt(template, i) - alphaAt(colour, i)));
        }
        expect(maxChannel, `${state}${suffix} template colour`).toBe(0);
        expect(alphaError, `${state}${suffix} template alpha`).toBeLessThanOrEqual(2);
      }
    }
  });

  it('gives every tray state its own picture, also as a template (shape alone)', () => {
    for (const [suffix, size] of Object.entries(TRAY_SIZES)) {
      for (const template of [false, true]) {
        for (const [i, a] of TRAY_STATES.entries()) {
          for (const b of TRAY_STATES.slice(i + 1)) {
            const differing = differingPixels(tray(a, suffix, template), tray(b, suffix, template));
            // At least a few pixels' worth of the badge: ~2% of a 16 px icon, more at 32 px.
            expect(differing, `${a} vs ${b}${suffix}${template ? ' template' : ''}`).toBeGreaterThanOrEqual(
              (size * size) / 50,
            );
          }
        }
      }
    }
  });

  it('renders an SVG to a PNG of the asked size, and refuses non-square or non-SVG input', () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5" height="10"/></svg>';
    const image = decodePng(renderPng(svg, 20));
    expect([image.width, image.height]).toEqual([20, 20]);
    expect(coverage(image)).toBeCloseTo(0.5, 2);
    const wide =
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"><rect width="5" height="5"/></svg>';
    expect(() => renderPng(wide, 20)).toThrow(/square/);
    expect(() => toTemplateSvg('<html></html>')).toThrow(/not an SVG/);
  });
});
