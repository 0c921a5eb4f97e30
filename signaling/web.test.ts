import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-support/harness.js';
import { CONTENT_SECURITY_POLICY } from './web.js';

let server: TestServer | undefined;
let webDir: string | undefined;

afterEach(async () => {
  await server?.stop();
  if (webDir) rmSync(webDir, { recursive: true, force: true });
  server = webDir = undefined;
});

describe('the web client at /', () => {
  it('serves the built client with a strict CSP, and its index for app routes', async () => {
    webDir = mkdtempSync(join(tmpdir(), 'parley-web-'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Parley</title>');
    writeFileSync(join(webDir, 'app.js'), 'console.log(1)');
    server = await startTestServer({ webDir });
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<title>Parley</title>');
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect((await fetch(`${server.url}/app.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${server.url}/history`)).status).toBe(200);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('explains how to build the client when it is missing', async () => {
    server = await startTestServer({ webDir: join(tmpdir(), 'parley-no-such-dir') });
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/npm run build/);
  });
});
