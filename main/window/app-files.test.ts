import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appFileFor } from './app-files.js';

const root = '/opt/parley/dist/renderer';

describe('appFileFor', () => {
  it('maps app pages and assets inside the renderer folder', () => {
    expect(appFileFor('app://parley/', root)).toEqual({
      path: join(root, 'index.html'),
      contentType: 'text/html; charset=utf-8',
    });
    expect(appFileFor('app://parley/incoming.html?x=1', root)?.path).toBe(join(root, 'incoming.html'));
    expect(appFileFor('app://parley/assets/index-abc.js', root)?.contentType).toMatch(/javascript/);
    expect(appFileFor('app://parley/sounds/ringtone.wav', root)?.contentType).toBe('audio/wav');
  });

  it('refuses other origins, traversal, encoded traversal, NUL bytes and unknown types', () => {
    for (const url of [
      'app://evil/index.html',
      'https://parley/index.html',
      'app://parley/../../etc/passwd',
      'app://parley/%2e%2e/%2e%2e/etc/passwd',
      'app://parley/..%2f..%2fetc%2fpasswd',
      'app://parley/index.html%00.png',
      'app://parley/secret.key',
      'app://parley/%E0%A4%A',
    ]) {
      expect(appFileFor(url, root), url).toBeNull();
    }
  });
});
