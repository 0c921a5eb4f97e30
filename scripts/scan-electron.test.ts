/**
 * The electronegativity gate on small apps written for the test: an insecure window is reported above
 * LOW at its file and line, a locked-down one (with a reviewed, annotated openExternal) passes, unit
 * tests are not scanned, and a file that does not parse is reported instead of silently skipped.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blocking, filesToScan, formatFinding, scanElectron } from './scan-electron.js';

const roots: string[] = [];
/** A scan takes ~3 s here: electronegativity first tries (and retries) to fetch translations. */
const SCAN_TIMEOUT = 60_000;

function app(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'parley-scan-'));
  roots.push(root);
  for (const [path, text] of Object.entries({ 'package.json': '{ "name": "fixture" }\n', ...files })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const LOCKED_DOWN = `import { app, BrowserWindow, session, shell } from 'electron';

export function start(url: string, help: string): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  const win = new BrowserWindow({
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void shell.openExternal(help); /* eng-disable OPEN_EXTERNAL_JS_CHECK: help is a constant https URL */
  void win.loadURL(url satisfies string);
}
app.on('ready', () => start('app://parley/index.html', 'https://example.org/help'));
`;

describe('scan-electron', () => {
  it('lists main/ sources without tests or declarations, the renderer HTML and package.json', () => {
    const root = app({
      'main/index.ts': '',
      'main/tray/model.ts': '',
      'main/tray/model.test.ts': '',
      'main/types.d.ts': '',
      'main/README.md': '',
      'renderer/index.html': '',
      'renderer/incoming/incoming.html': '',
      'renderer/main.tsx': '',
    });
    expect(filesToScan(root)).toEqual([
      'main/index.ts',
      'main/tray/model.ts',
      'renderer/incoming/incoming.html',
      'renderer/index.html',
      'package.json',
    ]);
  });

  it(
    'fails an insecure window at its file and line, and a file it cannot parse',
    async () => {
      const root = app({
        'main/index.ts': [
          "import { BrowserWindow } from 'electron';",
          '',
          'export const open = (): BrowserWindow =>',
          '  new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } });',
          '',
        ].join('\n'),
        'main/broken.ts': 'export const = ;\n',
        // A test's fake must not count as the app's navigation or permission handling.
        'main/index.test.ts':
          "session.setPermissionRequestHandler(() => {}); win.on('will-navigate', () => {});\n",
      });
      const result = await scanElectron(root, '45.5.0');
      const failing = blocking(result.findings);
      const at = (id: string) => failing.find((finding) => finding.id === id);
      expect(at('CONTEXT_ISOLATION_JS_CHECK')).toMatchObject({
        file: 'main/index.ts',
        line: 4,
        severity: 'HIGH',
      });
      expect(at('SANDBOX_JS_CHECK')).toMatchObject({ file: 'main/index.ts', line: 4, severity: 'MEDIUM' });
      expect(at('LIMIT_NAVIGATION_GLOBAL_CHECK')).toMatchObject({ file: '(app-wide)' });
      expect(at('PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK')).toMatchObject({ file: '(app-wide)' });
      expect(result.unparsed.map((error) => error.file)).toEqual(['main/broken.ts']);
      expect(formatFinding(at('CONTEXT_ISOLATION_JS_CHECK')!)).toMatch(
        /^HIGH \(\w+\) CONTEXT_ISOLATION_JS_CHECK at main\/index\.ts:4\n/,
      );
    },
    SCAN_TIMEOUT,
  );

  it(
    'passes a locked-down app whose reviewed line is annotated',
    async () => {
      const root = app({
        'main/index.ts': LOCKED_DOWN,
        'renderer/index.html': '<!doctype html><title>x</title>\n',
      });
      const result = await scanElectron(root, '45.5.0');
      expect(result.unparsed).toEqual([]);
      expect(blocking(result.findings)).toEqual([]);
      // Without the annotation the same line is reported for review.
      writeFileSync(join(root, 'main/index.ts'), LOCKED_DOWN.replace(/ \/\* eng-disable .*\*\//, ''));
      const unannotated = blocking((await scanElectron(root, '45.5.0')).findings);
      expect(unannotated.map((finding) => [finding.id, finding.line])).toEqual([
        ['OPEN_EXTERNAL_JS_CHECK', 15],
      ]);
    },
    SCAN_TIMEOUT,
  );
});
