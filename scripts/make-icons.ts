/**
 * Renders the app and tray icons from the hand-written SVGs in assets/icons/ to PNG (resvg, no browser):
 *
 * - build/icon.png (1024 px), the master; build/icon.icns (macOS) and build/icon.ico (Windows, up to 256 px),
 *   both containers of PNGs written here, so electron-builder uses them as they are instead of fetching
 *   its icon conversion tool.
 * - build/icons/<n>x<n>.png (16 ... 512 px): the Linux icon set (AppImage, deb).
 * - assets/public/app-icon.png (256 px): the window and notification icon at run time.
 * - assets/public/tray/<state>.png and <state>@2x.png (16 and 32 px) for Windows and Linux trays, and
 *   <state>Template.png / <state>Template@2x.png for the macOS menu bar: black with the SVG's alpha,
 *   which macOS tints for light and dark menu bars. Electron's nativeImage picks the @2x file on HiDPI.
 *
 * assets/public/ is Vite's publicDir, so the run-time PNGs end up in dist/renderer/ and in the app.asar.
 * Everything written here is generated (and git-ignored); the SVGs are the sources.
 *
 *   tsx scripts/make-icons.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import { isEntryPoint } from './entry-point.js';

export const TRAY_STATES = ['online', 'away', 'busy', 'dnd', 'offline', 'ringing'] as const;
export type TrayState = (typeof TRAY_STATES)[number];

/** Sizes of the Linux icon set (hicolor theme sizes up to 512). */
export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512] as const;
export const MASTER_SIZE = 1024;
export const RUNTIME_APP_ICON_SIZE = 256;
/** Sizes in the Windows .ico (256 is the largest an .ico entry describes). */
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256] as const;
/**
 * The .icns entries (all PNG payloads, read by macOS 10.7+): `icp4`/`icp5` 16 and 32 px, `ic07`-`ic10`
 * 128 ... 1024 px, `ic11`-`ic14` the @2x variants of 16, 32, 128 and 256 px.
 */
export const ICNS_ENTRIES = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
] as const;
/** Tray icon sizes: 1x and @2x. */
export const TRAY_SIZES = { '': 16, '@2x': 32 } as const;

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface IconPaths {
  /** Folder with app.svg and tray/<state>.svg. */
  sources: string;
  /** electron-builder's buildResources folder. */
  build: string;
  /** Vite's publicDir (copied into dist/renderer/). */
  public: string;
}

export const DEFAULT_PATHS: IconPaths = {
  sources: join(REPO, 'assets/icons'),
  build: join(REPO, 'build'),
  public: join(REPO, 'assets/public'),
};

/** Renders an SVG document to a square PNG of `size` pixels. */
export function renderPng(svg: string, size: number): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: size },
    // Only shapes are drawn: no text, so no system fonts are needed or loaded.
    font: { loadSystemFonts: false },
  });
  const image = resvg.render();
  if (image.width !== size || image.height !== size) {
    throw new Error(`expected a square SVG: rendered ${image.width}x${image.height} for size ${size}`);
  }
  return image.asPng();
}

/**
 * The same SVG as a macOS template image: everything painted black, alpha kept (a colour-matrix filter
 * over the whole drawing). Works because the tray SVGs use cut-outs, never white details.
 */
export function toTemplateSvg(svg: string): string {
  const open = /<svg\b[^>]*>/.exec(svg);
  const close = svg.lastIndexOf('</svg>');
  if (!open || close < 0) throw new Error('not an SVG document');
  const start = open.index + open[0].length;
  const filter =
    '<defs><filter id="parley-template" filterUnits="userSpaceOnUse" x="0" y="0" width="100%" height="100%"' +
    ' color-interpolation-filters="sRGB"><feColorMatrix type="matrix"' +
    ' values="0 0 0 0 0  0 0 0 0 0  0 0 0 0 0  0 0 0 1 0"/></filter></defs>';
  return `${svg.slice(0, start)}${filter}<g filter="url(#parley-template)">${svg.slice(start, close)}</g>${svg.slice(close)}`;
}

/** Apple icon image: `icns` + total length, then per entry its type, length (header included) and PNG. */
export function encodeIcns(entries: readonly (readonly [type: string, png: Buffer])[]): Buffer {
  const chunks = entries.map(([type, png]) => {
    if (!/^[a-z0-9]{4}$/.test(type)) throw new Error(`bad icns type ${type}`);
    const header = Buffer.alloc(8);
    header.write(type, 0, 'latin1');
    header.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([header, png]);
  });
  const header = Buffer.alloc(8);
  header.write('icns', 0, 'latin1');
  header.writeUInt32BE(8 + chunks.reduce((sum, chunk) => sum + chunk.length, 0), 4);
  return Buffer.concat([header, ...chunks]);
}

/** Windows icon with PNG-compressed entries (Vista and later); `size` 256 is stored as 0, as the format says. */
export function encodeIco(images: readonly { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const directory = images.map(({ size, png }) => {
    if (size < 1 || size > 256) throw new Error(`an .ico entry is 1..256 px, not ${size}`);
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size % 256, 0); // width
    entry.writeUInt8(size % 256, 1); // height
    entry.writeUInt8(0, 2); // no palette
    entry.writeUInt8(0, 3); // reserved
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += png.length;
    return entry;
  });
  return Buffer.concat([header, ...directory, ...images.map((image) => image.png)]);
}

export interface IconFile {
  /** Absolute path written. */
  path: string;
  /** Pixel size (the largest one, for .icns and .ico). */
  size: number;
}

function write(path: string, bytes: Buffer, size: number, written: IconFile[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  written.push({ path, size });
}

/** Renders every icon; returns the files written. */
export function makeIcons(paths: IconPaths = DEFAULT_PATHS): IconFile[] {
  const written: IconFile[] = [];
  const app = readFileSync(join(paths.sources, 'app.svg'), 'utf8');
  const cache = new Map<number, Buffer>();
  const appPng = (size: number): Buffer => {
    let png = cache.get(size);
    if (!png) cache.set(size, (png = renderPng(app, size)));
    return png;
  };
  write(join(paths.build, 'icon.png'), appPng(MASTER_SIZE), MASTER_SIZE, written);
  write(
    join(paths.build, 'icon.icns'),
    encodeIcns(ICNS_ENTRIES.map(([type, size]) => [type, appPng(size)] as const)),
    MASTER_SIZE,
    written,
  );
  write(
    join(paths.build, 'icon.ico'),
    encodeIco(ICO_SIZES.map((size) => ({ size, png: appPng(size) }))),
    256,
    written,
  );
  for (const size of LINUX_SIZES) {
    write(join(paths.build, 'icons', `${size}x${size}.png`), appPng(size), size, written);
  }
  write(join(paths.public, 'app-icon.png'), appPng(RUNTIME_APP_ICON_SIZE), RUNTIME_APP_ICON_SIZE, written);

  for (const state of TRAY_STATES) {
    const svg = readFileSync(join(paths.sources, 'tray', `${state}.svg`), 'utf8');
    const template = toTemplateSvg(svg);
    for (const [suffix, size] of Object.entries(TRAY_SIZES)) {
      write(join(paths.public, 'tray', `${state}${suffix}.png`), renderPng(svg, size), size, written);
      write(
        join(paths.public, 'tray', `${state}Template${suffix}.png`),
        renderPng(template, size),
        size,
        written,
      );
    }
  }
  return written;
}

if (isEntryPoint(import.meta.url)) {
  for (const file of makeIcons()) console.log(`wrote ${file.path.slice(REPO.length + 1)} (${file.size} px)`);
}
